-- period_comments: the steering group's current comments of a district (no later version supersedes them) whose period starts in a range, latest period first, then the one written last
-- internal: true
-- $district: district code
-- $from: the first period start to include (date)
-- $to: the last period start to include (date)
-- returns: goal, indicator, id, period_start, grain, body, author, created_at, locked
with current_version as (
    -- comments no other comment supersedes
    select c.id, c.goal, c.indicator, c.period_start, c.grain, c.body, c.author, c.created_at, c.locked
    from comment c
    where c.district = $district
      and not exists (select 1 from comment later where later.supersedes = c.id)
)

select cv.goal, cv.indicator, cv.id, cv.period_start, cv.grain, cv.body, cv.author, cv.created_at, cv.locked
from current_version cv
where cv.period_start between $from and $to
order by cv.period_start desc, cv.created_at desc, cv.id desc;
