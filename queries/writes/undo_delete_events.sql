-- undo_delete_events: deletes the events a load added
-- $load_id: the load to undo
delete from event where load_id = $load_id
