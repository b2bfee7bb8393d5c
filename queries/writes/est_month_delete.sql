-- est_month_delete: removes the monthly EST summary of some districts (or of all) before it is counted again
-- $districts: list of district codes, or null for every district
delete from est_month
where $districts::varchar[] is null or list_contains($districts::varchar[], district)
