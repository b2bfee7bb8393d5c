-- place_event_months: scope_event_months for every place of a district at once, with the place first: per indicator computed from events and measured per place, each place's events counted per calendar month for every month the district's EST reporting covers completely, with an explicit 0 for a month without events
-- $district: district code
-- returns: place, indicator, period_start, grain, value, numerator, denominator, preliminary, series_break
with place_indicator as (
    select i.code, i.event_category
    from indicator i
    where i.event_category is not null
      and i.level = 'place'
),

-- the places that lie in the district, with the district's end
district_place as (
    select p.code as place, d.valid_to
    from place p
    join district d on d.code = p.district
    where d.code = $district
),

-- the district's EST reporting (view est_reporting) covers a month completely when the month starts on or
-- after the first report's Monday and ends on or before the last complete week's Sunday
reporting_month as (
    select unnest(generate_series(
               case when r.first_week = date_trunc('month', r.first_week)::date then r.first_week
                    else (date_trunc('month', r.first_week) + interval 1 month)::date end,
               (date_trunc('month', r.last_day + interval 1 day) - interval 1 month)::date,
               interval 1 month))::date as period_start
    from est_reporting r
    where r.district = $district
),

-- every complete reporting month of every event indicator at every place while the district is in force
event_month as (
    select dp.place, pi.code as indicator, pi.event_category, rm.period_start
    from district_place dp
    cross join place_indicator pi
    cross join reporting_month rm
    where dp.valid_to is null or rm.period_start + interval 1 month <= dp.valid_to
),

-- the places' EST reports per category and month (the summary est_month)
month_count as (
    select m.place, m.category, m.month_start as period_start, m.events::double as events
    from est_month m
    where m.district = $district
      and m.place is not null
)

select em.place, em.indicator, em.period_start, 'month' as grain, coalesce(mc.events, 0)::double as value,
       null::double as numerator, null::double as denominator, false as preliminary, false as series_break
from event_month em
left join month_count mc
       on mc.place = em.place and mc.category = em.event_category and mc.period_start = em.period_start
order by em.place, em.indicator, em.period_start;
