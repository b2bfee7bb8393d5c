-- load_diff_observations: (creates temp table load_diff) each incoming observation (the registered view incoming_observation) beside the stored value for its key, classified as added, unchanged, changed or replaces_preliminary
create or replace temp table load_diff as
with stored as (
    select o.indicator, o.district, coalesce(o.place, '') as place_key, o.period_start, o.grain, o.value,
           o.numerator, o.denominator, o.preliminary, o.series_break, o.load_id
    from observation o
    where o.indicator in (select distinct indicator from incoming_observation)
)

select i.source_row, i.indicator, ind.unit, i.district, nullif(i.place::varchar, '') as place, i.period_start::date as period_start,
       i.grain, i.value::double as value, i.numerator::double as numerator, i.denominator::double as denominator,
       coalesce(i.preliminary, false) as preliminary, coalesce(i.series_break, false) as series_break,
       s.value as old_value, s.denominator as old_denominator, s.preliminary as old_preliminary,
       s.load_id as old_load_id,
       case
           when s.indicator is null then 'added'
           when s.value = i.value
                and s.numerator is not distinct from i.numerator
                and s.denominator is not distinct from i.denominator
                and s.preliminary = coalesce(i.preliminary, false)
                and s.series_break = coalesce(i.series_break, false) then 'unchanged'
           when s.preliminary then 'replaces_preliminary'
           else 'changed'
       end as change
from incoming_observation i
join indicator ind on ind.code = i.indicator
left join stored s
       on s.indicator = i.indicator and s.district = i.district and s.place_key = coalesce(i.place::varchar, '')
      and s.period_start = i.period_start::date and s.grain = i.grain
