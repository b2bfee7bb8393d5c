-- scope_event_months: per indicator computed from events (EST), the events of a scope counted per calendar month, for every month the district's EST reporting covers completely, with an explicit 0 for a month without events (the columns of scope_values)
-- $district: district code; for a place, the place's district
-- $place: place code, or '' for the whole district
-- returns: indicator, period_start, grain, value, numerator, denominator, preliminary, series_break
with scope_indicator as (
    -- event indicators; a place has only the indicators measured per place
    select i.code, i.event_category
    from indicator i
    where i.event_category is not null
      and ($place = '' or i.level = 'place')
),

-- the district, when the place (if any) lies in it
scope_district as (
    select d.code, d.valid_to
    from district d
    where d.code = $district
      and ($place = '' or exists (select 1 from place p where p.code = $place and p.district = d.code))
),

-- the district's EST reporting (view est_reporting) covers a month completely when the month starts on or
-- after the first report's Monday and ends on or before the last complete week's Sunday
reporting_month as (
    select unnest(generate_series(
               case when r.first_week = date_trunc('month', r.first_week)::date then r.first_week
                    else (date_trunc('month', r.first_week) + interval 1 month)::date end,
               (date_trunc('month', r.last_day + interval 1 day) - interval 1 month)::date,
               interval 1 month))::date as period_start,
           sd.valid_to
    from scope_district sd
    join est_reporting r on r.district = sd.code
),

-- every complete reporting month of every event indicator in scope while the district is in force
event_month as (
    select si.code as indicator, si.event_category, rm.period_start
    from scope_indicator si
    cross join reporting_month rm
    where rm.valid_to is null or rm.period_start + interval 1 month <= rm.valid_to
),

-- the scope's EST reports per category and month (the summary est_month; place null = the whole district)
month_count as (
    select m.category, m.month_start as period_start, m.events::double as events
    from est_month m
    where m.district = $district
      and coalesce(m.place, '') = $place
)

select em.indicator, em.period_start, 'month' as grain, coalesce(mc.events, 0)::double as value,
       null::double as numerator, null::double as denominator, false as preliminary, false as series_break
from event_month em
left join month_count mc on mc.category = em.event_category and mc.period_start = em.period_start
order by em.indicator, em.period_start;
