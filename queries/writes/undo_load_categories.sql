-- undo_load_categories: the event categories a load added, as its audit_log row records them
-- $load_id: the load
-- returns: code
select unnest(cast(json_extract_string(a.detail, '$.categories[*]') as varchar[])) as code
from audit_log a
where a.entity = 'import_log' and a.action = 'load' and a.entity_id = cast($load_id as varchar)
