-- period_lock_row: the lock of a district's period, if any
-- $district: district code
-- $period_start: first day of the period
-- $grain: the period's grain
select pl.district, pl.period_start, pl.grain, pl.locked_by, pl.locked_at
from period_lock pl
where pl.district = $district
  and pl.period_start = $period_start
  and pl.grain = $grain;
