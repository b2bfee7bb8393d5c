-- next_id: the next value of an id sequence; inserts name their id, since the shared backend (DuckLake) has no RETURNING
-- $sequence: the sequence's name, e.g. 'activity_id'
-- returns: id
select nextval($sequence) as id
