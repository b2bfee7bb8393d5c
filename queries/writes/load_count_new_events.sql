-- load_count_new_events: how many incoming events are new (temp table event_new)
-- returns: events
select count(*) as events from event_new
