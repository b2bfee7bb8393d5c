-- scope_targets: the targets of a scope, per indicator the numeric ones first and the latest baseline first: the district's own (place null) or the place's, and a city-level indicator's from the city
-- $district: district code; for a place, the place's district
-- $place: place code, or '' for the whole district
-- returns: indicator, baseline_start, baseline_grain, baseline_value, target_start, target_grain, target_value, tolerance, note
with scope_target as (
    select t.indicator, t.baseline_start, t.baseline_grain, t.baseline_value, t.target_start, t.target_grain,
           t.target_value, t.tolerance, t.note
    from target t
    join indicator i on i.code = t.indicator
    join district d on d.code = t.district
    where coalesce(t.place, '') = $place
      and ((i.level = 'city' and d.kind = 'stad' and $place = '')
           or (i.level <> 'city' and t.district = $district))
)

select indicator, baseline_start, baseline_grain, baseline_value, target_start, target_grain, target_value,
       tolerance, note
from scope_target
order by indicator, target_value is null, baseline_start desc, target_start;
