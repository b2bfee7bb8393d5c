-- place_aliases: the place aliases police events are matched by, with the names of their district and place, by district name and alias
-- $district: district code, or '' for the aliases of every district
-- returns: alias, district, district_name, place, place_name
with chosen_alias as (
    select a.alias, a.district, a.place
    from place_alias a
    where $district = ''
       or a.district = $district
)

select ca.alias, ca.district, d.name as district_name, ca.place, p.name as place_name
from chosen_alias ca
join district d on d.code = ca.district
left join place p on p.code = ca.place
order by d.name collate sv, ca.alias collate sv, ca.alias;
