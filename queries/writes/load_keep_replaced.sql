-- load_keep_replaced: copies the stored observations a load overwrites into observation_replaced, so undo can restore them
-- $load_id: the load that replaces them
insert into observation_replaced
select $load_id as replaced_by, o.indicator, o.unit, o.district, o.place, o.period_start, o.grain, o.value,
       o.numerator, o.denominator, o.preliminary, o.series_break, o.load_id
from observation o
join load_diff d
  on d.indicator = o.indicator and d.district = o.district and coalesce(d.place, '') = coalesce(o.place, '')
 and d.period_start = o.period_start and d.grain = o.grain
where d.change in ('changed', 'replaces_preliminary')
