-- data_version: a fingerprint of the loads so far, which changes whenever data is loaded or a load undone
-- returns: last_load, loads, undone_loads
with load_summary as (
    select coalesce(max(l.id), 0) as last_load,
           count(*) as loads,
           count(l.undone_at) as undone_loads
    from import_log l
)

select last_load, loads, undone_loads
from load_summary;
