-- undo_forget_replaced: drops the saved values of an undone load (they are back in observation)
-- $load_id: the load to undo
delete from observation_replaced where replaced_by = $load_id
