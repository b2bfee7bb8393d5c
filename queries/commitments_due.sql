-- commitments_due: the next meeting's agenda, a district's open commitments due on or before a day, then the open ones without a due date
-- internal: true
-- $district: district code
-- $on: the day of the next meeting
-- returns: id, meeting_date, what, who, due_date, goal, overdue
select c.id, c.meeting_date, c.what, c.who, c.due_date, c.goal, coalesce(c.due_date < $on, false) as overdue
from commitment c
where c.district = $district
  and c.status = 'open'
  and (c.due_date is null or c.due_date <= $on)
order by c.due_date nulls last, c.meeting_date, c.id;
