-- place_alias_names: every name the police importer matches on a day: the aliases, the places' names and the names of the district areas in force (not the city), with what each points at
-- $on: the day the district areas must be in force on (usually today)
-- returns: source ('alias', 'place' or 'district'), name, district, district_name, place, place_name
with alias_name as (
    select 'alias' as source, a.alias as name, a.district, a.place
    from place_alias a
),

place_name as (
    select 'place' as source, p.name, p.district, p.code as place
    from place p
),

district_name as (
    select 'district' as source, d.name, d.code as district, null as place
    from district d
    where d.kind = 'stadsdelsomrade'
      and (d.valid_from is null or d.valid_from <= $on)
      and (d.valid_to is null or d.valid_to > $on)
),

every_name as (
    select * from alias_name
    union all
    select * from place_name
    union all
    select * from district_name
)

select en.source, en.name, en.district, d.name as district_name, en.place, p.name as place_name
from every_name en
join district d on d.code = en.district
left join place p on p.code = en.place
order by en.source, en.name;
