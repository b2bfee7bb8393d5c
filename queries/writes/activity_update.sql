-- activity_update: sets the editable columns of an activity, and who changed it when
-- $id: activity id
-- $title: title
-- $description: description or null
-- $place: place code or null (the whole district)
-- $lead_org: lead organisation
-- $partners: partners or null
-- $prevention_type: 'social' or 'situational'
-- $level: 'universal', 'selective' or 'indicated'
-- $status: activity status
-- $start_date: start date or null
-- $end_date: end date or null
-- $updated_by: who changes it
update activity
set title = $title, description = $description, place = $place, lead_org = $lead_org, partners = $partners,
    prevention_type = $prevention_type, level = $level, status = $status, start_date = $start_date,
    end_date = $end_date, updated_by = $updated_by, updated_at = current_timestamp
where id = $id;
