-- comment_insert: adds a comment (or a new version of one)
-- $id: the new comment's id (next_id of 'comment_id')
-- $district: district code
-- $goal: goal code or null
-- $indicator: indicator code or null
-- $period_start: first day of the period
-- $grain: the period's grain
-- $body: the text
-- $author: who writes it
-- $supersedes: the id of the version it replaces, or null
insert into comment (id, district, goal, indicator, period_start, grain, body, author, supersedes)
values ($id, $district, $goal, $indicator, $period_start, $grain, $body, $author, $supersedes);
