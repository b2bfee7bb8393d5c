-- est_district_insert: the EST reporting span of some districts (or of all) from est_week: the week of the first report and the time of the latest
-- $districts: list of district codes, or null for every district
insert into est_district (district, first_week, last_at)
select w.district, min(w.week_start), max(w.last_at)
from est_week w
where w.place is null
  and ($districts::varchar[] is null or list_contains($districts::varchar[], w.district))
group by w.district
