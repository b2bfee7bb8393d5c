-- activity_goal_delete: removes every goal link of an activity
-- $activity: activity id
delete from activity_goal
where activity = $activity;
