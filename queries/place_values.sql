-- place_values: scope_values for every place of a district at once, with the place first: each place's values of the indicators measured per place from a date on, and for indicators computed from events an explicit 0 for each week without events while the district reports EST (a meeting pack reads its place slides with one query instead of one per place)
-- $district: district code
-- $from: the first period start to return (date)
-- returns: place, indicator, period_start, grain, value, numerator, denominator, preliminary, series_break, withheld
-- withheld: always false (as scope_values for a place: only a city value is withheld beside its districts)
with place_indicator as (
    select i.code, i.event_category
    from indicator i
    where i.level = 'place'
),

-- the places' own values in the district (an indicator measured per place has no city-level values)
place_value as (
    select v.place, v.indicator, v.period_start, v.grain, v.value, v.numerator, v.denominator, v.preliminary,
           v.series_break, pi.event_category
    from indicator_value v
    join place_indicator pi on pi.code = v.indicator
    where v.period_start >= $from
      and v.place is not null
      and v.district = $district
),

-- the places that lie in the district, with the district's end: only they get zero weeks
district_place as (
    select p.code as place, d.valid_to
    from place p
    join district d on d.code = p.district
    where d.code = $district
),

-- the district's EST reporting weeks (view est_reporting: first report's week to the last complete week)
reporting_week as (
    select unnest(generate_series(r.first_week, r.last_day - interval 6 day, interval 7 day))::date as period_start
    from est_reporting r
    where r.district = $district
),

-- every reporting week of every event indicator at every place, from $from on, while the district is in force
event_week as (
    select dp.place, pi.code as indicator, rw.period_start
    from district_place dp
    cross join place_indicator pi
    cross join reporting_week rw
    where pi.event_category is not null
      and rw.period_start >= $from
      and (dp.valid_to is null or rw.period_start < dp.valid_to)
),

event_week_value as (
    select ew.place, ew.indicator, ew.period_start, 'week' as grain, coalesce(pv.value, 0) as value,
           pv.numerator, pv.denominator,
           coalesce(pv.preliminary, false) as preliminary,
           coalesce(pv.series_break, false) as series_break,
           false as withheld
    from event_week ew
    left join place_value pv
           on pv.place = ew.place and pv.indicator = ew.indicator and pv.period_start = ew.period_start
          and pv.grain = 'week'
),

stored_value as (
    select pv.place, pv.indicator, pv.period_start, pv.grain, pv.value, pv.numerator, pv.denominator,
           pv.preliminary, pv.series_break, false as withheld
    from place_value pv
    where pv.event_category is null or pv.grain <> 'week'
)

select place, indicator, period_start, grain, value, numerator, denominator, preliminary, series_break,
       withheld
from stored_value
union all
select place, indicator, period_start, grain, value, numerator, denominator, preliminary, series_break,
       withheld
from event_week_value
order by place, indicator, grain, period_start;
