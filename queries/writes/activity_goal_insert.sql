-- activity_goal_insert: links an activity to a goal
-- $activity: activity id
-- $goal: goal code
insert into activity_goal (activity, goal)
values ($activity, $goal);
