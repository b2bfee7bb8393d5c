-- est_month_insert: counts the EST reports of some districts (or of all) per category, district, place and calendar month into est_month; a row per place and a row per whole district (place null, every report with or without a place)
-- $districts: list of district codes, or null for every district
insert into est_month (category, district, place, month_start, events)
with est_event as (
    select e.category, e.district, e.place, date_trunc('month', e.occurred_at)::date as month_start
    from event e
    where e.source = 'est'
      and e.district is not null
      and ($districts::varchar[] is null or list_contains($districts::varchar[], e.district))
)
select category, district, place, month_start, count(*)
from est_event
where place is not null
group by category, district, place, month_start
union all
select category, district, null, month_start, count(*)
from est_event
group by category, district, month_start
-- stored in district order, so that a district's rows share row groups and a scan for one district skips the rest
order by district, place nulls first, category, month_start
