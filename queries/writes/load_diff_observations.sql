-- load_diff_observations: (creates temp table load_diff) each incoming observation (the registered view incoming_observation) beside the stored value for its key, classified as added, unchanged, changed or replaces_preliminary
create or replace temp table load_diff as
with incoming as (
    -- typed: a column of only nulls arrives from pandas without a text type
    select i.source_row::bigint as source_row, i.indicator::varchar as indicator, i.district::varchar as district,
           nullif(i.place::varchar, '') as place, i.period_start::date as period_start, i.grain::varchar as grain,
           i.value::double as value, i.numerator::double as numerator, i.denominator::double as denominator,
           coalesce(i.preliminary, false) as preliminary, coalesce(i.series_break, false) as series_break
    from incoming_observation i
),

stored as (
    select o.indicator, o.district, coalesce(o.place, '') as place_key, o.period_start, o.grain, o.value,
           o.numerator, o.denominator, o.preliminary, o.series_break, o.load_id
    from observation o
    where o.indicator in (select distinct indicator from incoming)
)

select n.source_row, n.indicator, ind.unit, n.district, n.place, n.period_start, n.grain, n.value, n.numerator,
       n.denominator, n.preliminary, n.series_break,
       s.value as old_value, s.denominator as old_denominator, s.preliminary as old_preliminary,
       s.load_id as old_load_id,
       case
           when s.indicator is null then 'added'
           when s.value = n.value
                and s.numerator is not distinct from n.numerator
                and s.denominator is not distinct from n.denominator
                and s.preliminary = n.preliminary
                and s.series_break = n.series_break then 'unchanged'
           when s.preliminary then 'replaces_preliminary'
           else 'changed'
       end as change
from incoming n
join indicator ind on ind.code = n.indicator
left join stored s
       on s.indicator = n.indicator and s.district = n.district and s.place_key = coalesce(n.place, '')
      and s.period_start = n.period_start and s.grain = n.grain
