-- load_lookup: one load's log row
-- $load_id: the load
-- returns: id, kind, file_name, user_name, loaded_at, rows_added, rows_changed, undone_at
select id, kind, file_name, user_name, loaded_at, rows_added, rows_changed, undone_at
from import_log
where id = $load_id
