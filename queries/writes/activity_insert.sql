-- activity_insert: adds an activity
-- $id: the new activity's id (next_id of 'activity_id')
-- $title: title
-- $description: description or null
-- $district: district code
-- $place: place code or null (the whole district)
-- $lead_org: lead organisation
-- $partners: partners or null
-- $prevention_type: 'social' or 'situational'
-- $level: 'universal', 'selective' or 'indicated'
-- $status: activity status
-- $start_date: start date or null
-- $end_date: end date or null
-- $created_by: who adds it
insert into activity (id, title, description, district, place, lead_org, partners, prevention_type, level, status,
                      start_date, end_date, created_by)
values ($id, $title, $description, $district, $place, $lead_org, $partners, $prevention_type, $level, $status,
        $start_date, $end_date, $created_by);
