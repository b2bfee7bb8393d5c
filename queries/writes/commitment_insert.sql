-- commitment_insert: adds a commitment from a meeting and returns its id
-- $district: district code
-- $meeting_date: the meeting's date
-- $what: what is to be done
-- $who: who does it
-- $due_date: by when, or null
-- $status: commitment status
-- $goal: goal code or null
-- $created_by: who adds it
insert into commitment (district, meeting_date, what, who, due_date, status, goal, created_by)
values ($district, $meeting_date, $what, $who, $due_date, $status, $goal, $created_by)
returning id;
