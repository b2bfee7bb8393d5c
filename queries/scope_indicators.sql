-- scope_indicators: one row per indicator of a scope (a district: every indicator measured for a whole district; a place: those measured per place) and goal it serves, with its catalogue facts; an indicator in no goal of the scope gets one row without a goal
-- $district: district code; picks its local goals beside the city's (for a place, the place's district)
-- $place: place code, or '' for the whole district
-- returns: code, name, unit, direction, source, frequency, sensitive, aggregation, level, event_category, goal_code, goal_number, goal_scope, priority_area_code, priority_area_number
-- a place indicator (crimes at a place) belongs to a district's view only when it has whole-district
-- values: events are counted per district too, stored observations must say so by a row without place
with district_measured as (
    select distinct o.indicator
    from observation o
    where $place = ''  -- only a whole district's view needs it (a constant: a place's query skips the scan)
      and o.district = $district and o.place is null
),

scope_indicator as (
    select i.code, i.name, i.unit, i.direction, i.source, i.frequency, i.sensitive, i.aggregation, i.level,
           i.event_category
    from indicator i
    where ($place = '' and (i.level <> 'place' or i.event_category is not null
                            or i.code in (select indicator from district_measured)))
       or ($place <> '' and i.level = 'place')
),

-- the city's goals and the district's own local goals
scoped_goal as (
    select g.code, g.number, g.scope, pa.code as priority_area_code, pa.number as priority_area_number
    from goal g
    join priority_area pa on pa.code = g.priority_area
    where g.scope = 'city' or g.district = $district
),

indicator_goal as (
    select gi.indicator, sg.code, sg.number, sg.scope, sg.priority_area_code, sg.priority_area_number
    from goal_indicator gi
    join scoped_goal sg on sg.code = gi.goal
)

select si.code, si.name, si.unit, si.direction, si.source, si.frequency, si.sensitive, si.aggregation, si.level,
       si.event_category,
       ig.code as goal_code,
       ig.number as goal_number,
       ig.scope as goal_scope,
       ig.priority_area_code,
       ig.priority_area_number
from scope_indicator si
left join indicator_goal ig on ig.indicator = si.code
order by ig.priority_area_number nulls last, ig.scope nulls last, ig.number nulls last, ig.code nulls last, si.code;
