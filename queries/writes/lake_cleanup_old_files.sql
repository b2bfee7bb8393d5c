-- lake_cleanup_old_files: deletes (or with $dry lists) the lake's data files merged away or expired, older than $cutoff
-- $catalogue: the lake's catalogue name (current_database())
-- $dry: true to list the files without deleting them
-- $cutoff: only files scheduled for deletion before this moment
-- returns: path
select path
from ducklake_cleanup_old_files($catalogue, dry_run => $dry, older_than => $cutoff)
order by path
