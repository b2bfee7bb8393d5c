-- trend_scopes: the scopes a trend can be drawn for: the district areas in force on a date and the city, then every place with its district's name
-- $on: the date the district areas must be in force on (the data's latest day)
-- returns: scope_kind, code, name, district, district_name, district_valid_from
with district_scope as (
    select 'district' as scope_kind, d.code, d.name, d.code as district, d.name as district_name,
           d.valid_from as district_valid_from, d.kind = 'stad' as is_city
    from district d
    where d.kind = 'stad'
       or ((d.valid_from is null or d.valid_from <= $on) and (d.valid_to is null or d.valid_to > $on))
),

place_scope as (
    select 'place' as scope_kind, p.code, p.name, p.district, d.name as district_name,
           d.valid_from as district_valid_from, false as is_city
    from place p
    join district d on d.code = p.district
),

every_scope as (
    select scope_kind, code, name, district, district_name, district_valid_from, is_city
    from district_scope
    union all
    select scope_kind, code, name, district, district_name, district_valid_from, is_city
    from place_scope
)

-- the district areas by name with the city last, then the places by name
select scope_kind, code, name, district, district_name, district_valid_from
from every_scope
order by scope_kind, is_city, name collate sv, code;
