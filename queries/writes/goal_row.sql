-- goal_row: the goal with a code, its scope and (for a local goal) its district
-- $goal: goal code
select g.code, g.scope, g.district
from goal g
where g.code = $goal;
