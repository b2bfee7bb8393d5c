-- place_alias_delete: removes a place alias
-- $alias: the alias as stored
delete from place_alias
where alias = $alias
