-- est_district_delete: removes the EST reporting span of some districts (or of all) before it is computed again
-- $districts: list of district codes, or null for every district
delete from est_district
where $districts::varchar[] is null or list_contains($districts::varchar[], district)
