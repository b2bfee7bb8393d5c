-- data_version: a fingerprint of what has been written, which changes whenever data is loaded, a load undone, or the steering group writes (activities, comments, commitments, locks: each write adds an audit_log row)
-- returns: last_load, loads, undone_loads, last_write
with load_summary as (
    select coalesce(max(l.id), 0) as last_load,
           count(*) as loads,
           count(l.undone_at) as undone_loads
    from import_log l
),

write_summary as (
    select coalesce(max(a.id), 0) as last_write
    from audit_log a
)

select ls.last_load, ls.loads, ls.undone_loads, ws.last_write
from load_summary ls, write_summary ws;
