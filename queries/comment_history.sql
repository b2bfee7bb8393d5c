-- comment_history: every version of a district's comments on one goal and/or indicator (the same pair latest_comments groups by), newest first, with the version each supersedes and whether it is the current one
-- internal: true
-- $district: district code
-- $goal: goal code, or '' for comments on no goal (an indicator's own)
-- $indicator: indicator code, or '' for comments on the goal as a whole
-- returns: id, period_start, grain, body, author, created_at, supersedes, locked, current
with subject_comment as (
    select c.id, c.period_start, c.grain, c.body, c.author, c.created_at, c.supersedes, c.locked
    from comment c
    where c.district = $district
      and coalesce(c.goal, '') = $goal
      and coalesce(c.indicator, '') = $indicator
)

select sc.id, sc.period_start, sc.grain, sc.body, sc.author, sc.created_at, sc.supersedes, sc.locked,
       not exists (select 1 from comment later where later.supersedes = sc.id) as current
from subject_comment sc
order by sc.created_at desc, sc.id desc;
