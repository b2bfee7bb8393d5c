-- load_diff_changes: the stored values a load would overwrite (changed or preliminary replaced), with names, in file order
-- $limit: the most rows to return
-- returns: source_row, indicator, district, place, period_start, grain, old_value, value, old_preliminary, preliminary, change
select d.source_row, i.name as indicator, di.name as district, p.name as place, d.period_start, d.grain,
       d.old_value, d.value, d.old_preliminary, d.preliminary, d.change
from load_diff d
join indicator i on i.code = d.indicator
join district di on di.code = d.district
left join place p on p.code = d.place
where d.change in ('changed', 'replaces_preliminary')
order by d.source_row
limit $limit
