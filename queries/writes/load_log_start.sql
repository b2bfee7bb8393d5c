-- load_log_start: records a load in import_log
-- $id: the load's id (next_id of 'import_log_id')
-- $kind: the kind of file (model.LoadKind)
-- $file_name: the file's name as the user gave it
-- $checksum: SHA-256 of the file's bytes
-- $user_name: who loaded it
insert into import_log (id, kind, file_name, checksum, user_name)
values ($id, $kind, $file_name, $checksum, $user_name)
