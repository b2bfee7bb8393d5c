-- undo_restore_observations: puts back the observations a load had overwritten, as they were
-- $load_id: the load to undo
insert into observation (indicator, unit, district, place, period_start, grain, value, numerator, denominator,
                         preliminary, series_break, load_id)
select r.indicator, r.unit, r.district, r.place, r.period_start, r.grain, r.value, r.numerator, r.denominator,
       r.preliminary, r.series_break, r.load_id
from observation_replaced r
where r.replaced_by = $load_id
