-- activity_row: one activity with every column
-- $id: activity id
select a.id, a.title, a.description, a.district, a.place, a.lead_org, a.partners, a.prevention_type, a.level,
       a.status, a.start_date, a.end_date, a.created_by, a.created_at, a.updated_by, a.updated_at
from activity a
where a.id = $id;
