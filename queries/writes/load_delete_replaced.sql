-- load_delete_replaced: deletes the stored observations a load overwrites (kept in observation_replaced first)
delete from observation o
using load_diff d
where d.indicator = o.indicator and d.district = o.district and coalesce(d.place, '') = coalesce(o.place, '')
  and d.period_start = o.period_start and d.grain = o.grain
  and d.change in ('changed', 'replaces_preliminary')
