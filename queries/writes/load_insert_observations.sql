-- load_insert_observations: inserts a load's new and changed observations, stamped with the load
-- $load_id: the load
insert into observation (indicator, unit, district, place, period_start, grain, value, numerator, denominator,
                         preliminary, series_break, load_id)
select d.indicator, d.unit, d.district, d.place, d.period_start, d.grain, d.value, d.numerator, d.denominator,
       d.preliminary, d.series_break, $load_id
from load_diff d
where d.change <> 'unchanged'
order by d.indicator, d.district, coalesce(d.place, ''), d.period_start, d.grain
