-- commitment_update: sets the editable columns of a commitment and who changed it when
-- $id: commitment id
-- $what: what is to be done
-- $who: who does it
-- $due_date: by when, or null
-- $status: commitment status
-- $updated_by: who changes it
update commitment
set what = $what, who = $who, due_date = $due_date, status = $status, updated_by = $updated_by,
    updated_at = current_timestamp
where id = $id;
