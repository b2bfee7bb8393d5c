-- load_insert_categories: adds the event categories a file brings (the registered view incoming_category: code, name) that are not stored yet
insert into event_category (code, name)
select c.code, c.name
from incoming_category c
where not exists (select 1 from event_category e where e.code = c.code)
