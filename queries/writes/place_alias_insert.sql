-- place_alias_insert: adds a place alias
-- $alias: the name as police texts write it
-- $district: district code it points at
-- $place: place code in that district, or null for the whole district
insert into place_alias (alias, district, place)
values ($alias, $district, $place)
