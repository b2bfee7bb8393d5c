-- place_row: the place with a code and its district (no row when there is none)
-- $place: place code
select p.code, p.name, p.district
from place p
where p.code = $place;
