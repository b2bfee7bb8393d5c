"""Schema migrations: MIGRATIONS[n] upgrades a version n-1 database to version n.

data/schema.sql always creates the latest version directly; a migration is added together with the
matching change to schema.sql, and tests/test_migrations.py checks that both paths give the same tables.
"""

from collections.abc import Mapping

BASE_VERSION = 1
"""The version data/schema.sql created first; migrations start after it."""

MIGRATIONS: dict[int, str] = {
    # 2: loads that can be undone (observation_replaced, import_log.report), place aliases and source codes
    # for importers, commitments, period locks, the audit log; indicator_value counts EST events only.
    2: """
alter table import_log add column report varchar;
alter table activity add column updated_by varchar;
alter table activity add column updated_at timestamp;

-- activity_goal without its foreign key to activity (see schema.sql), rebuilt with its rows
create table activity_goal_v2 (
    activity integer not null,
    goal     varchar not null references goal (code),
    primary key (activity, goal)
);
insert into activity_goal_v2 select activity, goal from activity_goal;
drop table activity_goal;
alter table activity_goal_v2 rename to activity_goal;

-- police events must never count as EST reports
drop view indicator_value;
create view indicator_value as
with event_week as (
    select i.code as indicator, e.district, e.place,
           date_trunc('week', e.occurred_at)::date as period_start
    from event e
    join indicator i on i.event_category = e.category
    where e.source = 'est' and e.district is not null
)
select o.indicator, o.district, o.place, o.period_start, o.grain, o.value,
       o.numerator, o.denominator, o.preliminary, o.series_break
from observation o
union all
select indicator, district, place, period_start, 'week' as grain, count(*)::double as value,
       null::double, null::double, false, false
from event_week
where place is not null
group by indicator, district, place, period_start
union all
select indicator, district, null as place, period_start, 'week' as grain, count(*)::double as value,
       null::double, null::double, false, false
from event_week
group by indicator, district, period_start;

-- the observations a load overwrote, as they were, so that undoing the load restores them
create table observation_replaced (
    replaced_by  integer not null references import_log (id),
    indicator    varchar not null,
    unit         varchar not null,
    district     varchar not null,
    place        varchar,
    period_start date not null,
    grain        varchar not null,
    value        double not null,
    numerator    double,
    denominator  double,
    preliminary  boolean not null,
    series_break boolean not null,
    load_id      integer
);

-- place names as they are written in free text (police event summaries), mapped to a district and
-- optionally a place; editable, seeded from data/reference/place_alias.csv
create table place_alias (
    alias    varchar primary key check (regexp_matches(alias, '\\S')),
    district varchar not null references district (code),
    place    varchar,
    foreign key (place, district) references place (code, district)
);

-- codes of external sources (a Brå crime type, a Kolada KPI) and the indicator they are loaded into
create table source_code (
    source    varchar not null check (source in ('bra', 'kolada')),
    code      varchar not null check (regexp_matches(code, '\\S')),
    indicator varchar not null references indicator (code),
    primary key (source, code)
);

-- decisions and commitments (beslut/åtaganden) from a steering-group meeting
create sequence commitment_id start 1;
create table commitment (
    id           integer primary key default nextval('commitment_id'),
    district     varchar not null references district (code),
    meeting_date date not null,
    what         varchar not null check (regexp_matches(what, '\\S')),
    who          varchar not null check (regexp_matches(who, '\\S')),
    due_date     date,
    status       varchar not null check (status in ('open', 'done', 'cancelled')),
    goal         varchar references goal (code),
    created_by   varchar not null,
    created_at   timestamp not null default current_timestamp,
    updated_by   varchar,
    updated_at   timestamp,
    check (due_date is null or due_date >= meeting_date)
);

-- a period whose analysis the steering group has closed: its comments can no longer change
create table period_lock (
    district     varchar not null references district (code),
    period_start date not null,
    grain        varchar not null check (grain in ('week', 'month', 'quarter', 'tertial', 'year')),
    locked_by    varchar not null,
    locked_at    timestamp not null default current_timestamp,
    primary key (district, period_start, grain)
);

-- every write by a person: loads, undos, activities, comments, commitments, locks (who, when, what)
create sequence audit_id start 1;
create table audit_log (
    id        bigint primary key default nextval('audit_id'),
    written_at timestamp not null default current_timestamp,
    user_name varchar not null,
    action    varchar not null,      -- e.g. 'load', 'undo', 'create', 'update', 'lock'
    entity    varchar not null,      -- table name
    entity_id varchar,
    detail    varchar                -- JSON: the values before and after
);
""",
    # 3: EST reports counted per category, district, place and week (est_week) and month (est_month), kept up
    # to date by every write (followup.est_summary); indicator_value and est_reporting read est_week, not event.
    3: """
drop view indicator_value;
drop view est_reporting;

create table est_week (
    category   varchar not null,
    district   varchar not null,
    place      varchar,
    week_start date not null,
    events     integer not null check (events > 0),
    first_at   timestamp not null,     -- the first and the last report of the week
    last_at    timestamp not null
);

insert into est_week (category, district, place, week_start, events, first_at, last_at)
with est_event as (
    select e.category, e.district, e.place, date_trunc('week', e.occurred_at)::date as week_start, e.occurred_at
    from event e
    where e.source = 'est'
      and e.district is not null
)
select category, district, place, week_start, count(*), min(occurred_at), max(occurred_at)
from est_event
where place is not null
group by category, district, place, week_start
union all
select category, district, null, week_start, count(*), min(occurred_at), max(occurred_at)
from est_event
group by category, district, week_start;

-- the same reports counted per calendar month (a week can straddle two months), for monthly event series
create table est_month (
    category    varchar not null,
    district    varchar not null,
    place       varchar,
    month_start date not null,
    events      integer not null check (events > 0)
);

insert into est_month (category, district, place, month_start, events)
with est_event as (
    select e.category, e.district, e.place, date_trunc('month', e.occurred_at)::date as month_start
    from event e
    where e.source = 'est'
      and e.district is not null
)
select category, district, place, month_start, count(*)
from est_event
where place is not null
group by category, district, place, month_start
union all
select category, district, null, month_start, count(*)
from est_event
group by category, district, month_start;

-- per district: the week of the first EST report and the time of the latest (for the view est_reporting)
create table est_district (
    district   varchar not null,
    first_week date not null,
    last_at    timestamp not null
);

insert into est_district (district, first_week, last_at)
select w.district, min(w.week_start), max(w.last_at)
from est_week w
where w.place is null
group by w.district;

create view indicator_value as
select o.indicator, o.district, o.place, o.period_start, o.grain, o.value,
       o.numerator, o.denominator, o.preliminary, o.series_break
from observation o
union all
select i.code as indicator, w.district, w.place, w.week_start as period_start, 'week' as grain,
       w.events::double as value, null::double, null::double, false, false
from est_week w
join indicator i on i.event_category = w.category;

-- EST reporting per district: it starts in the week of the district's first EST report; it is complete up to
-- the Sunday on or before the day of the database's latest EST report (a later week is still being
-- reported, so its counts would understate it). Queries count events only inside this window and give
-- an explicit 0 for a week or month in it without reports: missing is never zero.
create view est_reporting as
with last_report as (
    select max(d.last_at) as latest
    from est_district d
)
select d.district,
       d.first_week,
       (date_trunc('week', lr.latest + interval 1 day) - interval 1 day)::date as last_day
from est_district d, last_report lr;
""",
    # 4: open vocabularies: load kinds, event sources and place kinds are rows of load_kind, event_source and
    # place_kind that import_log.kind, source_code.source, event.source and place.kind reference, instead of CHECK
    # lists, so a new kind is an INSERT. DuckDB can neither change a CHECK nor add a foreign key, so the tables
    # holding them and every table referencing those are rebuilt once, with their rows (a copy, then the
    # tables as schema.sql makes them). Views over them are made again.
    4: """
-- the kinds of load in import_log (one per importer, plus the demo and reference data); name as a sentence says it
create table load_kind (
    code varchar primary key check (regexp_full_match(code, '[a-z0-9_-]+')),
    name varchar not null unique check (regexp_matches(name, '\\S'))
);

-- where single incident reports come from (event.source)
create table event_source (
    code varchar primary key check (regexp_full_match(code, '[a-z0-9_-]+')),
    name varchar not null unique check (regexp_matches(name, '\\S'))
);

-- kinds of place (place.kind): the places import will bring the city's own (schools, youth centres …)
create table place_kind (
    code varchar primary key check (regexp_full_match(code, '[a-zåäö0-9-]+')),
    name varchar not null unique check (regexp_matches(name, '\\S'))
);

insert into load_kind (code, name) values
    ('demo', 'exempeldata'),
    ('reference', 'referensdata'),
    ('observations', 'indikatorvärden'),
    ('est', 'EST-rapporter'),
    ('police', 'Polisens händelser'),
    ('bra', 'Brå:s brottsstatistik'),
    ('kolada', 'Kolada');

insert into event_source (code, name) values
    ('est', 'EST'),
    ('polisen', 'Polisen'),
    ('annan', 'annan källa');

insert into place_kind (code, name) values
    ('torg', 'torg'),
    ('centrum', 'centrum'),
    ('park', 'park'),
    ('station', 'station'),
    ('bostadsomrade', 'bostadsområde'),
    ('stråk', 'stråk'),
    ('verksamhetsomrade', 'verksamhetsområde'),
    ('område', 'område');

-- the tables whose CHECK lists became foreign keys, and every table that references them, rebuilt once with
-- their rows: DuckDB can neither alter a CHECK nor add a foreign key, nor drop a table others reference
drop view indicator_value;
create table v3_place as select * from place;
create table v3_import_log as select * from import_log;
create table v3_target as select * from target;
create table v3_observation as select * from observation;
create table v3_event as select * from event;
create table v3_activity as select * from activity;
create table v3_observation_replaced as select * from observation_replaced;
create table v3_place_alias as select * from place_alias;
create table v3_source_code as select * from source_code;
drop table source_code;
drop table place_alias;
drop table observation_replaced;
drop table activity;
drop table event;
drop table observation;
drop table target;
drop table import_log;
drop table place;

create table place (
    code        varchar primary key check (regexp_full_match(code, '[a-z0-9-]+')),
    name        varchar not null unique,
    district    varchar not null references district (code),
    kind        varchar not null references place_kind (code),  -- v4: was a CHECK list
    lat         double not null check (lat between 59.0 and 60.0),
    lon         double not null check (lon between 17.5 and 18.5),
    description varchar,
    unique (code, district)          -- lets other tables check that a place lies in their district
);

create table import_log (
    id           integer primary key default nextval('import_log_id'),
    kind         varchar not null references load_kind (code),  -- v4: was a CHECK list
    file_name    varchar not null,
    checksum     varchar not null,
    user_name    varchar not null,
    loaded_at    timestamp not null default current_timestamp,
    rows_added   integer not null default 0 check (rows_added >= 0),
    rows_changed integer not null default 0 check (rows_changed >= 0),
    rows_skipped integer not null default 0 check (rows_skipped >= 0),
    undone_at    timestamp,
    undone_by    varchar,
    report       varchar             -- the load's report in Swedish, one line per fact (v2)
);

create table target (
    indicator      varchar not null references indicator (code),
    district       varchar not null references district (code),
    place          varchar,
    baseline_start date not null,
    baseline_grain varchar not null check (baseline_grain in ('week', 'month', 'quarter', 'tertial', 'year')),
    baseline_value double not null,
    target_start   date,
    target_grain   varchar check (target_grain in ('week', 'month', 'quarter', 'tertial', 'year')),
    target_value   double,
    tolerance      double check (tolerance >= 0),
    note           varchar,
    foreign key (place, district) references place (code, district),
    -- a numeric target has a value and a period after the baseline; a directional goal has neither
    check ((target_value is null) = (target_start is null) and (target_start is null) = (target_grain is null)),
    check (target_start is null or target_start > baseline_start)
);

create table observation (
    indicator    varchar not null,
    unit         varchar not null,   -- the indicator's unit, repeated so shares can be checked here
    district     varchar not null references district (code),
    place        varchar,
    period_start date not null,
    grain        varchar not null check (grain in ('week', 'month', 'quarter', 'tertial', 'year')),
    value        double not null check (isfinite(value)),
    numerator    double check (numerator >= 0),
    denominator  double check (denominator > 0),     -- survey respondents n, or the population
    preliminary  boolean not null default false,
    series_break boolean not null default false,     -- comparisons across this period are not allowed
    load_id      integer references import_log (id),
    foreign key (indicator, unit) references indicator (code, unit),
    foreign key (place, district) references place (code, district),
    check (unit <> 'andel' or value between 0 and 100),
    check (unit not in ('antal', 'per_1000', 'kronor') or value >= 0),
    check (numerator is null or denominator is null or numerator <= denominator),
    check (case grain
             when 'week'    then isodow(period_start) = 1
             when 'month'   then dayofmonth(period_start) = 1
             when 'quarter' then dayofmonth(period_start) = 1 and month(period_start) in (1, 4, 7, 10)
             when 'tertial' then dayofmonth(period_start) = 1 and month(period_start) in (1, 5, 9)
             when 'year'    then dayofmonth(period_start) = 1 and month(period_start) = 1
           end)
);

create table event (
    id          bigint primary key default nextval('event_id'),
    source      varchar not null references event_source (code),  -- v4: was a CHECK list
    source_id   varchar,             -- the id in the source system, unique per source
    occurred_at timestamp not null,
    district    varchar references district (code),   -- null: only the city is known
    place       varchar,
    category    varchar not null references event_category (code),
    reporter    varchar,             -- reporting organisation
    description varchar,
    load_id     integer references import_log (id),
    unique (source, source_id),
    foreign key (place, district) references place (code, district),
    check (place is null or district is not null)
);

create table activity (
    id              integer primary key default nextval('activity_id'),
    title           varchar not null check (regexp_matches(title, '\\S')),
    description     varchar,
    district        varchar not null references district (code),
    place           varchar,
    lead_org        varchar not null check (regexp_matches(lead_org, '\\S')),
    partners        varchar,
    prevention_type varchar not null check (prevention_type in ('social', 'situational')),
    level           varchar not null check (level in ('universal', 'selective', 'indicated')),
    status          varchar not null check (status in ('planned', 'ongoing', 'done', 'cancelled')),
    start_date      date,
    end_date        date,
    created_by      varchar not null,
    created_at      timestamp not null default current_timestamp,
    updated_by      varchar,         -- v2: the last edit; earlier values are in audit_log
    updated_at      timestamp,
    foreign key (place, district) references place (code, district),
    check (end_date is null or start_date is null or end_date >= start_date)
);

create table observation_replaced (
    replaced_by  integer not null references import_log (id),
    indicator    varchar not null,
    unit         varchar not null,
    district     varchar not null,
    place        varchar,
    period_start date not null,
    grain        varchar not null,
    value        double not null,
    numerator    double,
    denominator  double,
    preliminary  boolean not null,
    series_break boolean not null,
    load_id      integer
);

create table place_alias (
    alias    varchar primary key check (regexp_matches(alias, '\\S')),
    district varchar not null references district (code),
    place    varchar,
    foreign key (place, district) references place (code, district)
);

create table source_code (
    source    varchar not null references load_kind (code),  -- v4: the importer whose files use the code
    code      varchar not null check (regexp_matches(code, '\\S')),
    indicator varchar not null references indicator (code),
    primary key (source, code)
);

insert into place by name select * from v3_place;
insert into import_log by name select * from v3_import_log;
insert into target by name select * from v3_target;
insert into observation by name select * from v3_observation;
insert into event by name select * from v3_event;
insert into activity by name select * from v3_activity;
insert into observation_replaced by name select * from v3_observation_replaced;
insert into place_alias by name select * from v3_place_alias;
insert into source_code by name select * from v3_source_code;
drop table v3_place;
drop table v3_import_log;
drop table v3_target;
drop table v3_observation;
drop table v3_event;
drop table v3_activity;
drop table v3_observation_replaced;
drop table v3_place_alias;
drop table v3_source_code;

-- one value per indicator, district, place (or whole district) and period
create unique index observation_key on observation (indicator, district, coalesce(place, ''), period_start, grain);

create view indicator_value as
select o.indicator, o.district, o.place, o.period_start, o.grain, o.value,
       o.numerator, o.denominator, o.preliminary, o.series_break
from observation o
union all
select i.code as indicator, w.district, w.place, w.week_start as period_start, 'week' as grain,
       w.events::double as value, null::double, null::double, false, false
from est_week w
join indicator i on i.event_category = w.category;
""",
}


def latest_version(steps: Mapping[int, str] | None = None) -> int:
    """The newest schema version: the base plus the migrations after it."""
    steps = MIGRATIONS if steps is None else steps
    expected = list(range(BASE_VERSION + 1, BASE_VERSION + 1 + len(steps)))
    if sorted(steps) != expected:
        raise ValueError(f"migrations must be numbered {expected}, got {sorted(steps)}")
    return BASE_VERSION + len(steps)
