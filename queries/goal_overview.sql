-- goal_overview: one row per goal in scope (the city's 14 and the district's local goals) with its indicator count and latest data date
-- $district: district code; picks its local goals and its values (the district and its places; city-level indicators from the city)
-- returns: priority_area_code, priority_area_number, priority_area, goal_code, goal_number, goal, goal_scope, indicators, latest_period_start, latest_grain, latest_data_date
with scoped_goal as (
    select g.code, g.priority_area, g.number, g.text, g.scope
    from goal g
    where g.scope = 'city' or g.district = $district
),

goal_indicator_count as (
    select gi.goal, count(*) as indicators
    from goal_indicator gi
    group by gi.goal
),

-- values for the district (place is null) and its places; an indicator measured only for the whole city
-- (level 'city') takes its values from the city pseudo district (kind 'stad')
district_value as (
    select v.indicator, v.period_start, v.grain
    from indicator_value v
    where v.district = $district
    union all
    select v.indicator, v.period_start, v.grain
    from indicator_value v
    join indicator i on i.code = v.indicator
    join district d on d.code = v.district
    where i.level = 'city'
      and d.kind = 'stad'
      and v.district <> $district
),

-- per indicator and grain only the latest period can be an indicator's latest (ranking every value was slow)
latest_value as (
    select dv.indicator, dv.grain, max(dv.period_start) as period_start
    from district_value dv
    group by dv.indicator, dv.grain
),

-- the last day each period covers, and a rank that prefers the finer grain when two periods end together
value_period as (
    select dv.indicator, dv.period_start, dv.grain,
           (dv.period_start + case dv.grain
                                  when 'week' then interval 7 day
                                  when 'month' then interval 1 month
                                  when 'quarter' then interval 3 month
                                  when 'tertial' then interval 4 month
                                  else interval 1 year
                              end - interval 1 day)::date as period_end,
           case dv.grain
               when 'week' then 1 when 'month' then 2 when 'quarter' then 3 when 'tertial' then 4 else 5
           end as grain_rank
    from latest_value dv
),

ranked_period as (
    select gi.goal, vp.period_start, vp.grain, vp.period_end,
           row_number() over (
               partition by gi.goal
               order by vp.period_end desc, vp.grain_rank, vp.period_start desc
           ) as position
    from goal_indicator gi
    join value_period vp on vp.indicator = gi.indicator
),

goal_latest as (
    select goal, period_start, grain, period_end
    from ranked_period
    where position = 1
)

select pa.code as priority_area_code,
       pa.number as priority_area_number,
       pa.name as priority_area,
       sg.code as goal_code,
       sg.number as goal_number,
       sg.text as goal,
       sg.scope as goal_scope,
       coalesce(gic.indicators, 0) as indicators,
       gl.period_start as latest_period_start,
       gl.grain as latest_grain,
       gl.period_end as latest_data_date
from scoped_goal sg
join priority_area pa on pa.code = sg.priority_area
left join goal_indicator_count gic on gic.goal = sg.code
left join goal_latest gl on gl.goal = sg.code
order by pa.number, sg.scope, sg.number, sg.code;
