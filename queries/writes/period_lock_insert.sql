-- period_lock_insert: locks a district's period
-- $district: district code
-- $period_start: first day of the period
-- $grain: the period's grain
-- $locked_by: who locks it
insert into period_lock (district, period_start, grain, locked_by)
values ($district, $period_start, $grain, $locked_by);
