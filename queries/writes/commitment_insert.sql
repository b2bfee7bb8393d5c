-- commitment_insert: adds a commitment from a meeting
-- $id: the new commitment's id (next_id of 'commitment_id')
-- $district: district code
-- $meeting_date: the meeting's date
-- $what: what is to be done
-- $who: who does it
-- $due_date: by when, or null
-- $status: commitment status
-- $goal: goal code or null
-- $created_by: who adds it
insert into commitment (id, district, meeting_date, what, who, due_date, status, goal, created_by)
values ($id, $district, $meeting_date, $what, $who, $due_date, $status, $goal, $created_by);
