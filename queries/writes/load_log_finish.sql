-- load_log_finish: writes a load's counts and report into its import_log row
-- $load_id: the load
-- $rows_added: new rows
-- $rows_changed: stored rows it replaced
-- $rows_skipped: rows left as they were (unchanged, already stored) or left out by rule
-- $report: the load's report, one line per fact
update import_log
set rows_added = $rows_added, rows_changed = $rows_changed, rows_skipped = $rows_skipped, report = $report
where id = $load_id
