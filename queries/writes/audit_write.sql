-- audit_write: records a write by a person in audit_log
-- $user_name: who
-- $action: what they did (load, undo, create, update, close, lock)
-- $entity: the table written
-- $entity_id: the row's id, or null
-- $detail: JSON with the values before and after, or null
insert into audit_log (user_name, action, entity, entity_id, detail)
values ($user_name, $action, $entity, $entity_id, $detail)
