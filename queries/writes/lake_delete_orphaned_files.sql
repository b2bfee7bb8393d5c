-- lake_delete_orphaned_files: deletes (or with $dry lists) the lake's data files no snapshot refers to, older than $cutoff
-- $catalogue: the lake's catalogue name (current_database())
-- $dry: true to list the files without deleting them
-- $cutoff: only files written before this moment
-- returns: path
select path
from ducklake_delete_orphaned_files($catalogue, dry_run => $dry, older_than => $cutoff)
order by path
