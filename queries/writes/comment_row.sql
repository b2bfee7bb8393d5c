-- comment_row: one comment with every column, and the id of a later version if one supersedes it
-- $id: comment id
select c.id, c.district, c.goal, c.indicator, c.period_start, c.grain, c.body, c.author, c.created_at,
       c.supersedes, c.locked,
       (select min(later.id) from comment later where later.supersedes = c.id) as superseded_by
from comment c
where c.id = $id;
