-- comment_lock_ids: the ids of the current versions of a period's comments (those comment_lock marks locked)
-- $district: district code
-- $period_start: first day of the period
-- $grain: the period's grain
-- returns: id
select id
from comment
where district = $district
  and period_start = $period_start
  and grain = $grain
  and not exists (select 1 from comment later where later.supersedes = comment.id)
order by id
