-- load_log_start: records a load in import_log and returns its id
-- $kind: the kind of file (model.LoadKind)
-- $file_name: the file's name as the user gave it
-- $checksum: SHA-256 of the file's bytes
-- $user_name: who loaded it
-- returns: id
insert into import_log (kind, file_name, checksum, user_name)
values ($kind, $file_name, $checksum, $user_name)
returning id
