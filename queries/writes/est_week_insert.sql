-- est_week_insert: counts the EST reports of some districts (or of all) per category, district, place and week into est_week; a row per place and a row per whole district (place null, every report with or without a place)
-- $districts: list of district codes, or null for every district
insert into est_week (category, district, place, week_start, events, first_at, last_at)
with est_event as (
    select e.category, e.district, e.place, date_trunc('week', e.occurred_at)::date as week_start, e.occurred_at
    from event e
    where e.source = 'est'
      and e.district is not null
      and ($districts::varchar[] is null or list_contains($districts::varchar[], e.district))
)
select category, district, place, week_start, count(*), min(occurred_at), max(occurred_at)
from est_event
where place is not null
group by category, district, place, week_start
union all
select category, district, null, week_start, count(*), min(occurred_at), max(occurred_at)
from est_event
group by category, district, week_start
-- stored in district order, so that a district's rows share row groups and a scan for one district skips the rest
order by district, place nulls first, category, week_start
