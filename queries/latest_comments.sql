-- latest_comments: the steering group's latest comment of a district per goal and per indicator: a version that a later one supersedes is left out, then the latest period wins, then the one written last
-- internal: true
-- $district: district code
-- returns: goal, indicator, id, period_start, grain, body, author, created_at, locked
with current_version as (
    -- comments no other comment supersedes
    select c.id, c.goal, c.indicator, c.period_start, c.grain, c.body, c.author, c.created_at, c.locked
    from comment c
    where c.district = $district
      and not exists (select 1 from comment later where later.supersedes = c.id)
),

ranked_comment as (
    select cv.*,
           row_number() over (
               partition by coalesce(cv.goal, ''), coalesce(cv.indicator, '')
               order by cv.period_start desc, cv.created_at desc, cv.id desc
           ) as position
    from current_version cv
)

select goal, indicator, id, period_start, grain, body, author, created_at, locked
from ranked_comment
where position = 1
order by goal nulls last, indicator nulls first, id;
