-- place_ranking: per place of a district, EST reports and reported crimes in a period and in the same days a year earlier, with what the comparison may rest on (days or months without data, a series break)
-- $district: district code
-- $from: the first day of the period (date; the first of a month for crimes, which are monthly)
-- $to: the last day of the period (date, inclusive)
-- $crimes: code of the indicator that holds reported crimes per place and month (anmalda-brott-plats)
-- returns: place, name, measure, direction, current, previous, current_from, current_to, previous_from, previous_to, current_missing, previous_missing, series_break
-- measure 'incidents': EST reports of every category; the period is cut at the end of the last complete week of
-- the database's EST reports (as scope_values) and the year-earlier window is the same days a year before;
-- *_missing counts the days of a window before the district's EST reporting started (its first report's week).
-- measure 'crimes': the sum of the monthly values; the period is cut at the district's latest month with a value;
-- *_missing counts the months of a window without a value; series_break is the first break after the start of
-- the year-earlier window up to the end of the period (comparing across it is not allowed).
-- current and previous are null when the window is empty or, for incidents, the district has no EST reports.
with district_place as (
    select p.code, p.name
    from place p
    where p.district = $district
),

-- the last day of the last complete week of EST reports in the database (view est_reporting; one row,
-- null when there are no reports)
est_end as (
    select max(r.last_day) as last_day
    from est_reporting r
),

-- EST reporting in the district starts in the week of its first report (one row, null when it has none)
est_start as (
    select max(r.first_week) as first_week
    from est_reporting r
    where r.district = $district
),

incident_window as (
    select $from::date as current_from,
           least($to::date, ee.last_day) as current_to,
           ($from::date - interval 1 year)::date as previous_from,
           (least($to::date, ee.last_day) - interval 1 year)::date as previous_to,
           es.first_week,
           es.first_week is not null and least($to::date, ee.last_day) >= $from::date as counted
    from est_end ee, est_start es
),

incident_count as (
    select e.place,
           count(*) filter (where e.occurred_at::date between w.current_from and w.current_to) as current,
           count(*) filter (where e.occurred_at::date between w.previous_from and w.previous_to) as previous
    from event e, incident_window w
    where e.district = $district
      and e.source = 'est'
      and e.place is not null
      and e.occurred_at >= w.previous_from
      and e.occurred_at < w.current_to + interval 1 day
    group by e.place
),

incident_row as (
    select dp.code as place, dp.name, 'incidents' as measure, 'lower_is_better' as direction,
           case when w.counted then coalesce(ic.current, 0) end as current,
           case when w.counted then coalesce(ic.previous, 0) end as previous,
           w.current_from,
           case when w.counted then w.current_to end as current_to,
           w.previous_from,
           case when w.counted then w.previous_to end as previous_to,
           case when w.counted
                then greatest(0, datediff('day', w.current_from, least(w.first_week, w.current_to + 1))) end
               as current_missing,
           case when w.counted
                then greatest(0, datediff('day', w.previous_from, least(w.first_week, w.previous_to + 1))) end
               as previous_missing,
           null::date as series_break
    from district_place dp
    cross join incident_window w
    left join incident_count ic on ic.place = dp.code
),

crime_indicator as (
    select i.code, i.direction
    from indicator i
    where i.code = $crimes
),

crime_value as (
    select v.place, v.period_start, v.value, v.series_break
    from indicator_value v
    join crime_indicator ci on ci.code = v.indicator
    where v.district = $district
      and v.place is not null
      and v.grain = 'month'
),

crime_window as (
    select date_trunc('month', $from::date)::date as current_from,
           case when max(cv.period_start) is not null
                then least(date_trunc('month', $to::date)::date, max(cv.period_start)) end as current_last,
           (date_trunc('month', $from::date) - interval 1 year)::date as previous_from
    from crime_value cv
),

crime_window_size as (
    select cw.current_from, cw.current_last, cw.previous_from,
           (cw.current_last - interval 1 year)::date as previous_last,
           (cw.current_last + interval 1 month - interval 1 day)::date as current_to,
           (cw.current_last - interval 1 year + interval 1 month - interval 1 day)::date as previous_to,
           case when cw.current_last >= cw.current_from
                then datediff('month', cw.current_from, cw.current_last) + 1 end as months
    from crime_window cw
),

crime_sum as (
    select cv.place,
           sum(cv.value) filter (where cv.period_start between w.current_from and w.current_last) as current,
           count(*) filter (where cv.period_start between w.current_from and w.current_last) as current_months,
           sum(cv.value) filter (where cv.period_start between w.previous_from and w.previous_last) as previous,
           count(*) filter (where cv.period_start between w.previous_from and w.previous_last) as previous_months,
           min(cv.period_start) filter (where cv.series_break and cv.period_start > w.previous_from
                                          and cv.period_start <= w.current_last) as series_break
    from crime_value cv, crime_window_size w
    group by cv.place
),

crime_row as (
    select dp.code as place, dp.name, 'crimes' as measure, ci.direction,
           case when w.months is not null then cs.current end as current,
           case when w.months is not null then cs.previous end as previous,
           date_trunc('month', $from::date)::date as current_from,
           case when w.months is not null then w.current_to end as current_to,
           (date_trunc('month', $from::date) - interval 1 year)::date as previous_from,
           case when w.months is not null then w.previous_to end as previous_to,
           w.months - coalesce(cs.current_months, 0) as current_missing,
           w.months - coalesce(cs.previous_months, 0) as previous_missing,
           case when w.months is not null then cs.series_break end as series_break
    from district_place dp
    left join crime_indicator ci on true
    left join crime_window_size w on true
    left join crime_sum cs on cs.place = dp.code
)

select place, name, measure, direction, current, previous, current_from, current_to, previous_from, previous_to,
       current_missing, previous_missing, series_break
from incident_row
union all
select place, name, measure, direction, current, previous, current_from, current_to, previous_from, previous_to,
       current_missing, previous_missing, series_break
from crime_row
order by measure desc, name collate sv, place;
