-- load_insert_events: inserts the new events of a load (temp table event_new), stamped with the load
-- $load_id: the load
insert into event (source, source_id, occurred_at, district, place, category, reporter, description, load_id)
select n.source::varchar, n.source_id::varchar, n.occurred_at::timestamp, n.district::varchar, nullif(n.place::varchar, ''), n.category::varchar, n.reporter::varchar,
       n.description::varchar, $load_id
from event_new n
