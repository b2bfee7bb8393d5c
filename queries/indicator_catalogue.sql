-- indicator_catalogue: every indicator with its catalogue facts, the first goal it serves (the city's goals before a district's local ones) and the span of its values anywhere: the first and the latest period start (for events, event day)
-- $district: district code whose local goals count beside the city's goals
-- returns: code, name, unit, direction, source, frequency, sensitive, aggregation, level, event_category, priority_area_number, goal_number, goal_scope, first_day, last_start
with scoped_goal as (
    select gi.indicator, g.number as goal_number, g.scope as goal_scope, pa.number as priority_area_number,
           row_number() over (
               partition by gi.indicator
               order by g.scope = 'local', pa.number, g.number, g.code
           ) as position
    from goal_indicator gi
    join goal g on g.code = gi.goal
    join priority_area pa on pa.code = g.priority_area
    where g.scope = 'city' or g.district = $district
),

first_goal as (
    select indicator, priority_area_number, goal_number, goal_scope
    from scoped_goal
    where position = 1
),

stored_span as (
    select o.indicator, min(o.period_start) as first_day, max(o.period_start) as last_start
    from observation o
    group by o.indicator
),

-- EST reports (the weekly summary's whole-district rows hold every report)
event_span as (
    select i.code as indicator, min(w.first_at)::date as first_day, max(w.last_at)::date as last_start
    from indicator i
    join est_week w on w.category = i.event_category
    where w.place is null
    group by i.code
)

select i.code, i.name, i.unit, i.direction, i.source, i.frequency, i.sensitive, i.aggregation, i.level,
       i.event_category, fg.priority_area_number, fg.goal_number, fg.goal_scope,
       case when i.event_category is null then ss.first_day else es.first_day end as first_day,
       case when i.event_category is null then ss.last_start else es.last_start end as last_start
from indicator i
left join first_goal fg on fg.indicator = i.code
left join stored_span ss on ss.indicator = i.code
left join event_span es on es.indicator = i.code
order by fg.priority_area_number nulls last, fg.goal_scope nulls last, fg.goal_number nulls last, i.name collate sv,
         i.code;
