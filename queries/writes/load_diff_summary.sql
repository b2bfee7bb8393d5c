-- load_diff_summary: rows of the temp table load_diff per kind of change
-- returns: change, rows
select change, count(*) as rows
from load_diff
group by change
