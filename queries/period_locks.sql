-- period_locks: the periods of a district whose analysis the steering group has locked, latest period first
-- internal: true
-- $district: district code
-- returns: period_start, grain, locked_by, locked_at
select pl.period_start, pl.grain, pl.locked_by, pl.locked_at
from period_lock pl
where pl.district = $district
order by pl.period_start desc, pl.grain;
