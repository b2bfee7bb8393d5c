-- scope_activities: the action plan of a scope (a district: all its activities, at its places too; a place: the activities there), one row per activity and goal it serves in the scope; an activity serving no goal of the scope gets one row without a goal
-- internal: true
-- $district: district code; picks its local goals beside the city's (for a place, the place's district)
-- $place: place code, or '' for the whole district
-- returns: goal_code, id, title, description, place, place_name, lead_org, partners, prevention_type, level, status, start_date, end_date
with scope_activity as (
    select a.id, a.title, a.description, a.place, a.lead_org, a.partners, a.prevention_type, a.level,
           a.status, a.start_date, a.end_date
    from activity a
    where a.district = $district
      and ($place = '' or a.place = $place)
),

-- the city's goals and the district's own local goals
scoped_goal as (
    select g.code
    from goal g
    where g.scope = 'city' or g.district = $district
),

activity_scoped_goal as (
    select ag.activity, ag.goal
    from activity_goal ag
    join scoped_goal sg on sg.code = ag.goal
)

select asg.goal as goal_code, sa.id, sa.title, sa.description, sa.place, p.name as place_name, sa.lead_org,
       sa.partners, sa.prevention_type, sa.level, sa.status, sa.start_date, sa.end_date
from scope_activity sa
left join activity_scoped_goal asg on asg.activity = sa.id
left join place p on p.code = sa.place
order by asg.goal nulls last, sa.start_date nulls last, sa.id;
