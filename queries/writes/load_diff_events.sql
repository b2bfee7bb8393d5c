-- load_diff_events: (creates temp table event_new) the incoming events (registered view incoming_event) not stored yet: a source id already stored is skipped
create or replace temp table event_new as
select i.*
from incoming_event i
where not exists (
    select 1 from event e where e.source = i.source::varchar and e.source_id = i.source_id::varchar
)
