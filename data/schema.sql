-- schema.sql: the follow-up database (DuckDB), schema version 4.
--
-- Applied once to an empty database by followup.db.ensure_schema(); later versions add numbered
-- migrations in followup/migrations.py and bump schema_version. Constraints here stop impossible
-- rows at the door: every importer and the demo generator go through them.
--
-- Conventions
--   codes      lowercase ascii slugs (e.g. 'hasselby-vallingby', 'hasselby-torg'), stable across renames
--   periods    a period is (period_start, grain): the first day of the week (Monday), month, quarter,
--              tertial (Jan/May/Sep) or year; see followup.periods
--   shares     unit 'andel' is a percentage 0-100
--   city level observations use the pseudo district 'stockholm' (kind 'stad')

create table schema_version (
    version    integer primary key check (version >= 1),
    applied_at timestamp not null default current_timestamp
);

-- key/value facts about the database itself, e.g. ('demo', 'true'), ('demo_seed', '20240101')
create table database_info (
    key   varchar primary key,
    value varchar not null
);

-- Open vocabularies (version 4): kinds that grow with new importers and data are rows that other tables
-- reference, not CHECK lists. DuckDB cannot change a CHECK of a table that others reference, so a new kind
-- in a CHECK would mean rebuilding tables of millions of rows; here it is one INSERT in a migration. The rows
-- come with the schema (below), because the program's code relies on them (followup.model's enums; a test
-- ties enum and rows). Closed vocabularies whose every value has code behind it and whose tables are small
-- and unreferenced (activity and commitment status, prevention type and level, units, grains) stay CHECKs.

-- the kinds of load in import_log (one per importer, plus the demo and reference data); name as a sentence says it
create table load_kind (
    code varchar primary key check (regexp_full_match(code, '[a-z0-9_-]+')),
    name varchar not null unique check (regexp_matches(name, '\S'))
);

-- where single incident reports come from (event.source)
create table event_source (
    code varchar primary key check (regexp_full_match(code, '[a-z0-9_-]+')),
    name varchar not null unique check (regexp_matches(name, '\S'))
);

-- kinds of place (place.kind): the places import will bring the city's own (schools, youth centres …)
create table place_kind (
    code varchar primary key check (regexp_full_match(code, '[a-zåäö0-9-]+')),
    name varchar not null unique check (regexp_matches(name, '\S'))
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

-- district areas (stadsdelsområden). The 13 of 2020-01-01 to 2023-06-30 and the 11 from 2023-07-01
-- live side by side; statistics use the areas of their time.
create table district (
    code       varchar primary key check (regexp_full_match(code, '[a-z0-9-]+')),
    name       varchar not null unique,
    kind       varchar not null default 'stadsdelsomrade' check (kind in ('stadsdelsomrade', 'stad')),
    city_part  varchar check (city_part in ('Västerort', 'Innerstaden', 'Söderort')),
    valid_from date,                 -- null: since before the data begins
    valid_to   date,                 -- exclusive; null: still in force
    check (valid_to is null or valid_from is null or valid_to > valid_from)
);

-- a reformed area and the area(s) that took over from it
create table district_successor (
    district   varchar not null references district (code),
    successor  varchar not null references district (code),
    from_date  date not null,
    primary key (district, successor),
    check (district <> successor)
);

-- neighbourhoods (stadsdelar) and which district area they belonged to when: the reform mapping
create table neighbourhood (
    code varchar primary key check (regexp_full_match(code, '[a-z0-9-]+')),
    name varchar not null unique
);

create table neighbourhood_district (
    neighbourhood varchar not null references neighbourhood (code),
    district      varchar not null references district (code),
    valid_from    date,              -- null: since before the data begins
    valid_to      date,              -- exclusive; null: still in force
    primary key (neighbourhood, district),
    check (valid_to is null or valid_from is null or valid_to > valid_from)
);

create table population (
    district varchar not null references district (code),
    year     integer not null check (year between 1900 and 2100),
    value    integer not null check (value >= 0),
    source   varchar not null,
    primary key (district, year)
);

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

create table priority_area (
    code   varchar primary key check (regexp_full_match(code, '[a-z0-9-]+')),
    number integer not null unique check (number between 1 and 99),
    name   varchar not null unique
);

-- the agreement's 14 city-wide goals (scope 'city') and goals a district adds (scope 'local')
create table goal (
    code          varchar primary key check (regexp_full_match(code, '[a-z0-9-]+')),
    priority_area varchar not null references priority_area (code),
    number        integer not null check (number >= 1),
    text          varchar not null check (regexp_matches(text, '\S')),
    scope         varchar not null check (scope in ('city', 'local')),
    district      varchar references district (code),
    check ((scope = 'city') = (district is null))
);

create table event_category (
    code varchar primary key check (regexp_full_match(code, '[a-z0-9-]+')),
    name varchar not null unique
);

-- the indicator catalogue (nyckeltal)
create table indicator (
    code           varchar primary key check (regexp_full_match(code, '[a-z0-9-]+')),
    name           varchar not null unique,
    description    varchar,
    unit           varchar not null check (unit in ('antal', 'andel', 'per_1000', 'kronor', 'index')),
    direction      varchar not null check (direction in ('lower_is_better', 'higher_is_better')),
    source         varchar not null,
    frequency      varchar not null check (frequency in ('week', 'month', 'quarter', 'tertial', 'year',
                                                         'survey')),
    sensitive      boolean not null default false,
    aggregation    varchar not null check (aggregation in ('sum', 'mean', 'rate')),
    level          varchar not null check (level in ('place', 'district', 'city')),
    event_category varchar references event_category (code),  -- set: computed from events
    unique (code, unit),
    check (event_category is null or (unit = 'antal' and aggregation = 'sum'))
);

create table goal_indicator (
    goal      varchar not null references goal (code),
    indicator varchar not null references indicator (code),
    primary key (goal, indicator)
);

-- every load: file, checksum, user, time and counts; rows carry load_id so a load can be undone
create sequence import_log_id start 1;
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

-- values per indicator, district (or the city), place (null = the whole district) and period
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

-- one value per indicator, district, place (or whole district) and period
create unique index observation_key on observation (indicator, district, coalesce(place, ''), period_start, grain);

-- single incident reports: EST reports, police events
create sequence event_id start 1;
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

-- the action plan (insatser)
create sequence activity_id start 1;
create table activity (
    id              integer primary key default nextval('activity_id'),
    title           varchar not null check (regexp_matches(title, '\S')),
    description     varchar,
    district        varchar not null references district (code),
    place           varchar,
    lead_org        varchar not null check (regexp_matches(lead_org, '\S')),
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

-- v2: no foreign key to activity: DuckDB cannot update a row another table's foreign key points at
-- (an edit of an activity's place failed), so followup.actionplan checks that the activity exists
create table activity_goal (
    activity integer not null,
    goal     varchar not null references goal (code),
    primary key (activity, goal)
);

-- the steering group's analysis per goal or indicator and period; a new version supersedes the old
create sequence comment_id start 1;
create table comment (
    id           integer primary key default nextval('comment_id'),
    district     varchar not null references district (code),
    goal         varchar references goal (code),
    indicator    varchar references indicator (code),
    period_start date not null,
    grain        varchar not null check (grain in ('week', 'month', 'quarter', 'tertial', 'year')),
    body         varchar not null check (regexp_matches(body, '\S')),
    author       varchar not null,
    created_at   timestamp not null default current_timestamp,
    supersedes   integer references comment (id),
    locked       boolean not null default false,
    check (goal is not null or indicator is not null)
);

-- the views indicator_value and est_reporting are defined with est_week (version 3) at the end


-- Version 2 ----------------------------------------------------------------------------------------

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
    alias    varchar primary key check (regexp_matches(alias, '\S')),
    district varchar not null references district (code),
    place    varchar,
    foreign key (place, district) references place (code, district)
);

-- codes of external sources (a Brå crime type, a Kolada KPI) and the indicator they are loaded into
create table source_code (
    source    varchar not null references load_kind (code),  -- v4: the importer whose files use the code
    code      varchar not null check (regexp_matches(code, '\S')),
    indicator varchar not null references indicator (code),
    primary key (source, code)
);

-- decisions and commitments (beslut/åtaganden) from a steering-group meeting
create sequence commitment_id start 1;
create table commitment (
    id           integer primary key default nextval('commitment_id'),
    district     varchar not null references district (code),
    meeting_date date not null,
    what         varchar not null check (regexp_matches(what, '\S')),
    who          varchar not null check (regexp_matches(who, '\S')),
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

-- Version 3 ----------------------------------------------------------------------------------------

-- EST reports counted per category, district, place and week: a summary of the event table kept equal to it
-- by every write (followup.est_summary after a load, an undo, the demo), so that pages never aggregate millions
-- of single reports. place null = the whole district (every report in it, with or without a place).
create table est_week (
    category   varchar not null,
    district   varchar not null,
    place      varchar,
    week_start date not null,
    events     integer not null check (events > 0),
    first_at   timestamp not null,     -- the first and the last report of the week
    last_at    timestamp not null
);

-- the same reports counted per calendar month (a week can straddle two months), for monthly event series
create table est_month (
    category    varchar not null,
    district    varchar not null,
    place       varchar,
    month_start date not null,
    events      integer not null check (events > 0)
);

-- per district: the week of the first EST report and the time of the latest (for the view est_reporting)
create table est_district (
    district   varchar not null,
    first_week date not null,
    last_at    timestamp not null
);

-- indicator values: observations, and for indicators computed from events (indicator.event_category) the
-- weekly EST report counts per place and per whole district from est_week (police events never count as
-- EST). Everywhere, place null = the whole district.
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

insert into schema_version (version) values (4);
