-- place_events_by_category: EST reports at a place per category in a period and in the same days a year earlier (categories with reports in either window)
-- $district: district code (the place's district)
-- $place: place code
-- $from: the first day of the period (date)
-- $to: the last day of the period (date, inclusive)
-- returns: category, name, current, previous, current_from, current_to, previous_from, previous_to, current_missing, previous_missing
-- the windows are those of place_ranking's 'incidents': cut at the end of the last complete week of the database's
-- EST reports; *_missing counts the days of a window before the district's EST reporting started
with est_end as (
    select max(r.last_day) as last_day
    from est_reporting r
),

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
           es.first_week
    from est_end ee, est_start es
    where es.first_week is not null
      and least($to::date, ee.last_day) >= $from::date
),

category_count as (
    select e.category,
           count(*) filter (where e.occurred_at::date between w.current_from and w.current_to) as current,
           count(*) filter (where e.occurred_at::date between w.previous_from and w.previous_to) as previous
    from event e, incident_window w
    where e.district = $district
      and e.place = $place
      and e.source = 'est'
      and e.occurred_at >= w.previous_from
      and e.occurred_at < w.current_to + interval 1 day
    group by e.category
)

select cc.category, ec.name, cc.current, cc.previous, w.current_from, w.current_to, w.previous_from, w.previous_to,
       greatest(0, datediff('day', w.current_from, least(w.first_week, w.current_to + 1))) as current_missing,
       greatest(0, datediff('day', w.previous_from, least(w.first_week, w.previous_to + 1))) as previous_missing
from category_count cc
join event_category ec on ec.code = cc.category
cross join incident_window w
where cc.current > 0 or cc.previous > 0
order by cc.current desc, cc.previous desc, ec.name collate sv;
