-- activity_goals: the goals an activity serves, by code
-- $id: activity id
select ag.goal
from activity_goal ag
where ag.activity = $id
order by ag.goal;
