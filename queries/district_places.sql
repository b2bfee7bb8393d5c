-- district_places: the places of a district with their coordinates, their EST reports in all, and the first and last day with EST reports or values of their own
-- $district: district code
-- returns: code, name, kind, lat, lon, description, est_events, first_day, last_day
with district_place as (
    select p.code, p.name, p.kind, p.lat, p.lon, p.description
    from place p
    where p.district = $district
),

-- EST reports per place from the weekly summary (est_week)
place_event as (
    select w.place,
           sum(w.events) as est_events,
           min(w.first_at)::date as first_day,
           max(w.last_at)::date as last_day
    from est_week w
    where w.district = $district
      and w.place is not null
    group by w.place
),

-- stored values of the place (place-level indicators), the last day each period covers
place_observation as (
    select o.place,
           min(o.period_start) as first_day,
           max((o.period_start + case o.grain
                                     when 'week' then interval 7 day
                                     when 'month' then interval 1 month
                                     when 'quarter' then interval 3 month
                                     when 'tertial' then interval 4 month
                                     else interval 1 year
                                 end - interval 1 day)::date) as last_day
    from observation o
    where o.district = $district
      and o.place is not null
    group by o.place
)

-- least/greatest skip nulls: a place with only events or only values gets their days
select dp.code, dp.name, dp.kind, dp.lat, dp.lon, dp.description,
       coalesce(pe.est_events, 0) as est_events,
       least(pe.first_day, po.first_day) as first_day,
       greatest(pe.last_day, po.last_day) as last_day
from district_place dp
left join place_event pe on pe.place = dp.code
left join place_observation po on po.place = dp.code
order by dp.name collate sv, dp.code;
