-- place_targets: scope_targets for every place of a district at once, with the place first: per place and indicator the numeric targets first and the latest baseline first
-- $district: district code
-- returns: place, indicator, baseline_start, baseline_grain, baseline_value, target_start, target_grain, target_value, tolerance, note
select t.place, t.indicator, t.baseline_start, t.baseline_grain, t.baseline_value, t.target_start, t.target_grain,
       t.target_value, t.tolerance, t.note
from target t
join indicator i on i.code = t.indicator
where t.place is not null
  and t.district = $district
  and i.level <> 'city'
order by t.place, t.indicator, t.target_value is null, t.baseline_start desc, t.target_start;
