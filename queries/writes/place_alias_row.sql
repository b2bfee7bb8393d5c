-- place_alias_row: the alias with this exact name, with the names of its district and place (no row when there is none)
-- $alias: the alias as stored
select a.alias, a.district, d.name as district_name, a.place, p.name as place_name
from place_alias a
join district d on d.code = a.district
left join place p on p.code = a.place
where a.alias = $alias;
