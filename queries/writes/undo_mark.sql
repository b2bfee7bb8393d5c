-- undo_mark: marks a load as undone, by whom and when
-- $load_id: the load
-- $user_name: who undid it
update import_log set undone_at = current_timestamp, undone_by = $user_name where id = $load_id
