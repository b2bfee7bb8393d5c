-- undo_blockers: later loads, not undone, that overwrote values this load wrote (undo them first)
-- $load_id: the load to undo
-- returns: id
select distinct r.replaced_by as id
from observation_replaced r
join import_log l on l.id = r.replaced_by
where r.load_id = $load_id and l.undone_at is null
order by id
