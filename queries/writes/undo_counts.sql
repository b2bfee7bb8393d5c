-- undo_counts: what undoing a load would touch: its observations, the values it replaced, its events
-- $load_id: the load
-- returns: observations, restored, events
select (select count(*) from observation where load_id = $load_id) as observations,
       (select count(*) from observation_replaced where replaced_by = $load_id) as restored,
       (select count(*) from event where load_id = $load_id) as events
