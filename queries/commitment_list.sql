-- commitment_list: a district's decisions and commitments, latest meeting first, filtered by status
-- internal: true
-- $district: district code
-- $status: commitment status, or '' for all
-- returns: id, meeting_date, what, who, due_date, status, goal, created_by, updated_by, updated_at
select c.id, c.meeting_date, c.what, c.who, c.due_date, c.status, c.goal, c.created_by,
       c.updated_by, c.updated_at
from commitment c
where c.district = $district
  and ($status = '' or c.status = $status)
order by c.meeting_date desc, c.due_date nulls last, c.id;
