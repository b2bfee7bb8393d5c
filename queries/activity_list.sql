-- activity_list: a district's action plan, one row per activity with the goals it serves in the district (the city's and the district's own), filtered by goal, place and status; open activities first, then by start date (latest first)
-- internal: true
-- $district: district code
-- $goal: goal code, or '' for all goals
-- $place: place code, or '' for all places (and the whole district)
-- $status: activity status, or '' for all
-- returns: id, title, description, place, place_name, lead_org, partners, prevention_type, level, status, start_date, end_date, goals, created_by, updated_by, updated_at
with scoped_goal as (
    select g.code, g.scope, g.number, pa.number as area_number
    from goal g
    join priority_area pa on pa.code = g.priority_area
    where g.scope = 'city' or g.district = $district
),

activity_goals as (
    select ag.activity,
           string_agg(sg.code, ', ' order by sg.area_number, sg.scope, sg.number, sg.code) as goals,
           bool_or(sg.code = $goal) as has_goal
    from activity_goal ag
    join scoped_goal sg on sg.code = ag.goal
    group by ag.activity
),

district_activity as (
    select a.id, a.title, a.description, a.place, a.lead_org, a.partners, a.prevention_type, a.level, a.status,
           a.start_date, a.end_date, a.created_by, a.updated_by, a.updated_at
    from activity a
    where a.district = $district
      and ($place = '' or a.place = $place)
      and ($status = '' or a.status = $status)
)

select da.id, da.title, da.description, da.place, p.name as place_name, da.lead_org, da.partners,
       da.prevention_type, da.level, da.status, da.start_date, da.end_date, agl.goals, da.created_by,
       da.updated_by, da.updated_at
from district_activity da
left join place p on p.code = da.place
left join activity_goals agl on agl.activity = da.id
where $goal = '' or coalesce(agl.has_goal, false)
order by case when da.status in ('planned', 'ongoing') then 0 else 1 end, da.start_date desc nulls first, da.id;
