-- load_new_categories: the event categories a load brings (the registered view incoming_category) that are not stored yet
-- returns: code, name
select c.code, c.name
from incoming_category c
where not exists (select 1 from event_category e where e.code = c.code)
order by c.name
