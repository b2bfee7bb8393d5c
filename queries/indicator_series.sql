-- indicator_series: one indicator's values in a scope between two dates, for a chart: the district's own values (place null) or the place's, a city-level indicator's from the city, and for an indicator computed from events an explicit 0 for each week without events while the district reports EST (the same rules as scope_values)
-- $indicator: indicator code
-- $district: district code; for a place, the place's district
-- $place: place code, or '' for the whole district
-- $from: the first period start to return (date)
-- $to: the last period start to return (date)
-- returns: indicator, period_start, grain, value, numerator, denominator, preliminary, series_break, withheld
-- withheld: true for a city value of a sensitive indicator shown as hidden though 5 or more (see hidden_part)

-- secondary suppression of a sensitive indicator (values 1–4 hidden, fmt.SUPPRESS_BELOW = 5): the city's value
-- minus the shown district values of its period is the sum of the hidden ones; the city's value is withheld
-- when that sum gives a hidden value away: the sum is itself 1–4 (one hidden district, or a few with 1 or 2)
-- or 4 × their number (each must be 4). A period's districts are those with a value for it (old and new
-- areas around the 2023 reform alike); EST counts are never sensitive, so stored values are enough
with hidden_part as (
    select o.indicator, o.period_start, o.grain, count(*) as parts, sum(o.value) as total
    from observation o
    join indicator i on i.code = o.indicator
    join district d on d.code = o.district
    where i.sensitive
      and d.kind <> 'stad'
      and o.place is null
      and o.value > 0 and o.value < 5
    group by o.indicator, o.period_start, o.grain
),

withheld_cell as (
    select hp.indicator, hp.period_start, hp.grain, d.code as district
    from hidden_part hp
    cross join district d
    where d.kind = 'stad'
      and (hp.total < 5 or hp.total >= 4 * hp.parts)
),

scope_indicator as (
    -- the indicator, when it fits the scope: a place has only the indicators measured per place
    select i.code, i.level, i.event_category
    from indicator i
    where i.code = $indicator
      and ($place = '' or i.level = 'place')
),

-- the scope's own values; an indicator measured only for the whole city (level 'city') takes the values
-- of the city pseudo district (kind 'stad')
scope_value as (
    select v.indicator, v.district, v.period_start, v.grain, v.value, v.numerator, v.denominator, v.preliminary,
           v.series_break, si.event_category
    from indicator_value v
    join scope_indicator si on si.code = v.indicator
    join district d on d.code = v.district
    where v.period_start between $from and $to
      and coalesce(v.place, '') = $place
      and ((si.level = 'city' and d.kind = 'stad') or (si.level <> 'city' and v.district = $district))
),

-- the district, when the place (if any) lies in it: only then are zero weeks made
scope_district as (
    select d.code, d.valid_to
    from district d
    where d.code = $district
      and ($place = '' or exists (select 1 from place p where p.code = $place and p.district = d.code))
),

-- the district's EST reporting weeks (view est_reporting: first report's week to the last complete week)
reporting_week as (
    select unnest(generate_series(r.first_week, r.last_day - interval 6 day, interval 7 day))::date as period_start,
           sd.valid_to
    from scope_district sd
    join est_reporting r on r.district = sd.code
),

-- every reporting week from $from to $to of the indicator, if it is computed from events, while the district
-- is in force
event_week as (
    select si.code as indicator, rw.period_start
    from scope_indicator si
    cross join reporting_week rw
    where si.event_category is not null
      and rw.period_start between $from and $to
      and (rw.valid_to is null or rw.period_start < rw.valid_to)
),

event_week_value as (
    select ew.indicator, ew.period_start, 'week' as grain, coalesce(sv.value, 0) as value,
           sv.numerator, sv.denominator,
           coalesce(sv.preliminary, false) as preliminary,
           coalesce(sv.series_break, false) as series_break,
           false as withheld
    from event_week ew
    left join scope_value sv
           on sv.indicator = ew.indicator and sv.period_start = ew.period_start and sv.grain = 'week'
),

stored_value as (
    select sv.indicator, sv.period_start, sv.grain, sv.value, sv.numerator, sv.denominator, sv.preliminary,
           sv.series_break, wc.district is not null as withheld
    from scope_value sv
    left join withheld_cell wc
           on $place = '' and wc.indicator = sv.indicator and wc.district = sv.district
          and wc.period_start = sv.period_start and wc.grain = sv.grain
    where sv.event_category is null or sv.grain <> 'week'
)

select indicator, period_start, grain, value, numerator, denominator, preliminary, series_break, withheld
from stored_value
union all
select indicator, period_start, grain, value, numerator, denominator, preliminary, series_break, withheld
from event_week_value
order by indicator, grain, period_start;
