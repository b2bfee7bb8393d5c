-- comment_lock: marks the current versions of a period's comments locked, without RETURNING, which the shared backend lacks: comment_lock_ids reads them first (DuckDB cannot update a row another row's supersedes points at; the period_lock row covers those)
-- $district: district code
-- $period_start: first day of the period
-- $grain: the period's grain
update comment
set locked = true
where district = $district
  and period_start = $period_start
  and grain = $grain
  and not exists (select 1 from comment later where later.supersedes = comment.id);
