-- load_event_districts: the districts of a load's EST reports (whose weekly summary a load or an undo changes)
-- $load_id: the load
-- returns: district
select distinct e.district
from event e
where e.load_id = $load_id
  and e.source = 'est'
  and e.district is not null
order by e.district
