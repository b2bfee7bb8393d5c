-- lake_merge_adjacent_files: merges each table's small adjacent data files of the lake into larger ones
-- $catalogue: the lake's catalogue name (current_database())
-- returns: schema_name, table_name, files_processed, files_created
select schema_name, table_name, files_processed, files_created
from ducklake_merge_adjacent_files($catalogue)
order by schema_name, table_name
