-- import_history: the loads recorded in import_log, newest first, with whether each may still be undone
-- $limit: the most loads to return
-- returns: id, kind, file_name, user_name, loaded_at, rows_added, rows_changed, rows_skipped, undone_at, undone_by, report, undoable
select l.id, l.kind, l.file_name, l.user_name, l.loaded_at, l.rows_added, l.rows_changed, l.rows_skipped,
       l.undone_at, l.undone_by, l.report,
       l.kind not in ('demo', 'reference') and l.undone_at is null as undoable
from import_log l
order by l.id desc
limit $limit;
