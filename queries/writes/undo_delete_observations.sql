-- undo_delete_observations: deletes the observations a load wrote
-- $load_id: the load to undo
delete from observation where load_id = $load_id
