-- commitment_row: one commitment with every column
-- $id: commitment id
select c.id, c.district, c.meeting_date, c.what, c.who, c.due_date, c.status, c.goal, c.created_by,
       c.created_at, c.updated_by, c.updated_at
from commitment c
where c.id = $id;
