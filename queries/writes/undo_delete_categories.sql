-- undo_delete_categories: deletes event categories a load added that no event and no indicator uses any more
-- $codes: the categories the load added (undo_load_categories)
delete from event_category
where list_contains($codes, code)
  and not exists (select 1 from event e where e.category = event_category.code)
  and not exists (select 1 from indicator i where i.event_category = event_category.code)
