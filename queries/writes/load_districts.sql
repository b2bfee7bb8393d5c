-- load_districts: the districts a load wrote to: its observations, the values it replaced and its events
-- $load_id: the load
-- $city: the city pseudo district's code, for events that only know the city (district null)
-- returns: district
with touched as (
    select o.district from observation o where o.load_id = $load_id
    union all
    select r.district from observation_replaced r where r.replaced_by = $load_id
    union all
    select coalesce(e.district, $city) from event e where e.load_id = $load_id
)
select distinct t.district
from touched t
order by t.district
