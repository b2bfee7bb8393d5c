-- trend_series: one indicator's values for several scopes (whole districts and places) in a window of days, for the Trender page: stored values whose period overlaps the window, in their own grain; for an indicator computed from events, the count per period of $grain over the days of the window while the district reports EST and is in force, with the days counted (an explicit 0 for a period without events)
-- $indicator: indicator code
-- $districts: list of district codes shown as whole districts (the city is the pseudo district 'stockholm')
-- $places: list of place codes
-- $from: the window's first day (date)
-- $to: the window's last day, inclusive (date)
-- $grain: the period length events are counted in: week, month, tertial or year (stored values keep their own)
-- returns: scope_kind, scope, period_start, grain, value, numerator, denominator, preliminary, series_break, counted_from, counted_to, withheld
-- withheld: true for a city value of a sensitive indicator shown as hidden though 5 or more (see hidden_part)
-- Each scope gets only its own values: a district the rows without place, a place its rows. An indicator
-- computed from events takes its values from the events alone. counted_from/counted_to are null for stored
-- values (the whole period); for event counts they are the first and last day counted in the period.

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

chosen_indicator as (
    select i.code, i.event_category
    from indicator i
    where i.code = $indicator
),

chosen_scope as (
    select 'district' as scope_kind, d.code as scope, d.code as district, null::varchar as place, d.valid_to
    from district d
    where list_contains($districts::varchar[], d.code)
    union all
    select 'place' as scope_kind, p.code as scope, p.district, p.code as place, d.valid_to
    from place p
    join district d on d.code = p.district
    where list_contains($places::varchar[], p.code)
),

stored_value as (
    select cs.scope_kind, cs.scope, o.period_start, o.grain, o.value, o.numerator, o.denominator, o.preliminary,
           o.series_break, null::date as counted_from, null::date as counted_to,
           o.place is null and wc.district is not null as withheld
    from observation o
    join chosen_indicator ci on ci.code = o.indicator and ci.event_category is null
    join chosen_scope cs on cs.district = o.district and coalesce(cs.place, '') = coalesce(o.place, '')
    left join withheld_cell wc
           on wc.indicator = o.indicator and wc.district = o.district and wc.period_start = o.period_start
          and wc.grain = o.grain
    where o.period_start <= $to
      and o.period_start + case o.grain
                               when 'week' then interval 7 day
                               when 'month' then interval 1 month
                               when 'quarter' then interval 3 month
                               when 'tertial' then interval 4 month
                               else interval 1 year
                           end > $from
),

-- EST reporting in a district starts in the week of its first EST report of any category (view est_reporting)
reporting_start as (
    select r.district, r.first_week as first_day
    from est_reporting r
),

-- and ends with the last complete week: the Sunday on or before the day of the database's latest EST report
reporting_end as (
    select max(r.last_day) as last_day
    from est_reporting r
),

-- the days counted per scope: the window, while the district reports EST and is in force
counted_span as (
    select cs.scope_kind, cs.scope, cs.district, cs.place,
           greatest($from::date, rs.first_day) as first_day,
           least($to::date, re.last_day, coalesce((cs.valid_to - interval 1 day)::date, re.last_day)) as last_day
    from chosen_scope cs
    join chosen_indicator ci on ci.event_category is not null
    join reporting_start rs on rs.district = cs.district
    cross join reporting_end re
),

-- every period of $grain that holds a counted day
counted_period as (
    select cspan.scope_kind, cspan.scope, cspan.first_day, cspan.last_day,
           unnest(generate_series(
               case $grain
                   when 'week' then date_trunc('week', cspan.first_day)::date
                   when 'month' then date_trunc('month', cspan.first_day)::date
                   when 'tertial' then make_date(year(cspan.first_day), (month(cspan.first_day) - 1) // 4 * 4 + 1, 1)
                   else date_trunc('year', cspan.first_day)::date
               end,
               cspan.last_day,
               case $grain
                   when 'week' then interval 7 day
                   when 'month' then interval 1 month
                   when 'tertial' then interval 4 month
                   else interval 1 year
               end
           ))::date as period_start
    from counted_span cspan
    where cspan.first_day <= cspan.last_day
),

event_count as (
    select cspan.scope_kind, cspan.scope,
           case $grain
               when 'week' then date_trunc('week', e.occurred_at)::date
               when 'month' then date_trunc('month', e.occurred_at)::date
               when 'tertial' then make_date(year(e.occurred_at), (month(e.occurred_at) - 1) // 4 * 4 + 1, 1)
               else date_trunc('year', e.occurred_at)::date
           end as period_start,
           count(*) as events
    from counted_span cspan
    join chosen_indicator ci on true
    join event e on e.category = ci.event_category
                and e.source = 'est'
                and e.district = cspan.district
                and (cspan.place is null or e.place = cspan.place)
    where e.occurred_at >= cspan.first_day
      and e.occurred_at < cspan.last_day + interval 1 day
    group by all
),

event_value as (
    select cp.scope_kind, cp.scope, cp.period_start, $grain as grain, coalesce(ec.events, 0)::double as value,
           null::double as numerator, null::double as denominator, false as preliminary, false as series_break,
           greatest(cp.period_start, cp.first_day) as counted_from,
           least((cp.period_start + case $grain
                                        when 'week' then interval 7 day
                                        when 'month' then interval 1 month
                                        when 'tertial' then interval 4 month
                                        else interval 1 year
                                    end - interval 1 day)::date, cp.last_day) as counted_to,
           false as withheld
    from counted_period cp
    left join event_count ec
           on ec.scope_kind = cp.scope_kind and ec.scope = cp.scope and ec.period_start = cp.period_start
)

select scope_kind, scope, period_start, grain, value, numerator, denominator, preliminary, series_break,
       counted_from, counted_to, withheld
from stored_value
union all
select scope_kind, scope, period_start, grain, value, numerator, denominator, preliminary, series_break,
       counted_from, counted_to, withheld
from event_value
order by scope_kind, scope, grain, period_start;
