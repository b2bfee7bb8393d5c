-- district_row: the district with a code (no row when there is none)
-- $district: district code
select d.code, d.name, d.kind
from district d
where d.code = $district;
