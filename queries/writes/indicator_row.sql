-- indicator_row: the indicator with a code
-- $indicator: indicator code
select i.code, i.name
from indicator i
where i.code = $indicator;
