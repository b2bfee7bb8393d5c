-- current_districts: the district areas (stadsdelsområden) in force on a date, by name
-- $on: the date the areas must be in force on (usually today)
-- returns: code, name, city_part
with in_force as (
    select d.code, d.name, d.city_part
    from district d
    where d.kind = 'stadsdelsomrade'
      and (d.valid_from is null or d.valid_from <= $on)
      and (d.valid_to is null or d.valid_to > $on)
)

select code, name, city_part
from in_force
order by name collate sv, code;
