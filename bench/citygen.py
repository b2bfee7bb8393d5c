"""City-scale data for the benchmarks: the demo (size S) grown to M and L, deterministic and fast.

Every size starts from the shipped demo (followup.demo with its DEFAULT_SEED, so the hand-made
scenarios, targets, activities, comments and commitments of Hässelby-Vällingby and Hägersten-Älvsjö stay
as they are). M and L add, under the demo's one import_log row (kind 'demo'):

    places        synthetic places 'Plats 016 Bromma' … up to 200 in all, spread over the 11 current
                  districts near each district's centre (data/geo), kind 'område'
    EST events    at the synthetic places only (the demo's own EST series and targets stay intact),
                  categories weighted as the demo's EST_RATES, 10 years ending with the demo's last whole
                  week, each place only from its district's valid_from (Järva and Norra innerstaden from
                  2023-07-01, Hägersten-Älvsjö from 2020-01-01)
    observations  the catalogue's place-level indicators at the synthetic places; synthetic monthly shares
                  per district area in force in each month (the 13 areas until 2023-06, the 11 after) and
                  the city; synthetic weekly counts per place until the size's observation count is reached

Sizes (M, L) are totals including the demo: M 1 million events and 100,000 observations, L 10 million
events and 1 million observations. A Scale of your own (tests) gives any totals.

Speed: rows are made inside DuckDB with SQL over range() and hash()-based pseudo-random numbers (the seed
is hashed with a salt and the row key), never in a Python loop over rows. The same seed always gives the
same rows; the seed varies only the synthetic part (S is always the shipped demo).

Run: .venv/bin/python bench/citygen.py --size M --out /tmp/m.duckdb [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from followup import config, db, demo, est_summary, reference  # noqa: E402
from followup.model import (  # noqa: E402
    CITY_DISTRICT,
    Direction,
    EventSource,
    Grain,
    Level,
    Unit,
)
from followup.periods import Period, period_of  # noqa: E402


class Size(StrEnum):
    """The benchmark sizes: S is the demo, M and L city scale."""

    S = "S"
    M = "M"
    L = "L"


@dataclass(frozen=True)
class Scale:
    """Totals a build reaches (demo rows included): EST events, observations and places."""

    label: str
    events: int
    observations: int
    places: int = 200


SCALES: dict[Size, Scale] = {
    Size.M: Scale("M", events=1_000_000, observations=100_000),
    Size.L: Scale("L", events=10_000_000, observations=1_000_000),
}
"""The city-scale sizes; S has no Scale (it is the demo as shipped)."""

START = date(2015, 11, 1)
"""The first day of the generated data: 10 years ending with demo.DEMO_TODAY (2025-10-31)."""
EVENT_END = demo.LAST_WEEK + timedelta(days=7)
"""Events end before this day (the Monday after the demo's last whole EST week), as the demo's do."""
PLACE_PREFIX = "plats-"
"""Code prefix of the synthetic places ('plats-016')."""
SYNTHETIC_SOURCE = "Syntetiska data (prestandamätning)"
"""indicator.source of the synthetic indicators."""
SHARE_INDICATORS = 2
"""Synthetic monthly shares per district area (they make the 13 older areas part of every size)."""
PLACE_SLOTS = 8192
"""Resolution of the weighted choice of a place for an event."""
REPORTERS: dict[str, float] = {
    "Stadsdelsförvaltningen": 0.28,
    "Polisen": 0.15,
    "Fastighetsägare": 0.25,
    "SL/Trafikförvaltningen": 0.12,
    "Nattvandrare": 0.10,
    "Stockholm Vatten och Avfall": 0.10,
}
"""Who reports the synthetic EST events, with weights."""


def _first_start(day: date, grain: Grain) -> date:
    """The first period start of GRAIN on or after DAY."""
    period = period_of(day, grain)
    return period.start if period.start >= day else period.shift(1).start


def _last_start(grain: Grain) -> date:
    """The latest published period start of GRAIN at the demo's today (as the demo publishes)."""
    if grain is Grain.QUARTER:
        return period_of(demo.LAST_PERIOD[Grain.MONTH], Grain.QUARTER).start
    return demo.LAST_PERIOD[grain]


def _period_starts() -> tuple[list[str], list[date]]:
    """Every (grain, period start) from START to the latest published period, as two columns."""
    grains: list[str] = []
    starts: list[date] = []
    for grain in Grain:
        period = Period(_first_start(START, grain), grain)
        while period.start <= _last_start(grain):
            grains.append(grain.value)
            starts.append(period.start)
            period = period.shift(1)
    return grains, starts


def _centres() -> tuple[list[str], list[float], list[float]]:
    """Each current district's centre (mean of its outline's vertices): codes, latitudes, longitudes."""
    files = sorted(config.GEO_DIR.glob("districts_*.geojson"))
    features = json.loads(files[-1].read_text(encoding="utf-8"))["features"]
    codes, lats, lons = [], [], []
    for feature in features:
        ring = feature["geometry"]["coordinates"][0]
        codes.append(feature["properties"]["code"])
        lons.append(sum(point[0] for point in ring) / len(ring))
        lats.append(sum(point[1] for point in ring) / len(ring))
    return codes, lats, lons


def _slots(weights: dict[str, float], total: int) -> list[str]:
    """Names repeated in proportion to their weights (at least once each): a table for weighted choice."""
    whole = sum(weights.values())
    return [name for name, weight in weights.items() for _ in range(max(1, round(total * weight / whole)))]


# ---------------------------------------------------------------------------------------------------
# SQL (bench code: the statements that write the synthetic rows; every value is bound)
# ---------------------------------------------------------------------------------------------------

MACROS = """
create or replace temp macro cg_u(seed, salt, key) as
    (hash(seed, salt, key) % 1000000007) / 1000000007.0;
create or replace temp macro cg_z(seed, salt, key) as
    sqrt(-2 * ln(greatest(cg_u(seed, salt || '-a', key), 1e-12))) * cos(2 * pi() * cg_u(seed, salt || '-b', key));
"""
"""Pseudo-random numbers from a hash: cg_u uniform in [0, 1), cg_z standard normal (Box–Muller)."""

PERIODS_SQL = """
create or replace temp table cg_period as
select unnest($grains) as grain, unnest($starts)::date as period_start
"""

PLACES_SQL = """
insert into place (code, name, district, kind, lat, lon, description)
with current_district as (
    select d.code, d.name, row_number() over (order by d.code) - 1 as position, count(*) over () as districts
    from district d
    where d.kind = 'stadsdelsomrade' and d.valid_to is null
),

centre as (
    select unnest($codes) as code, unnest($lats) as lat, unnest($lons) as lon
),

numbered as (
    select n.number, cd.code as district, cd.name as district_name, c.lat, c.lon
    from range($first, $last + 1) n(number)
    join current_district cd on cd.position = n.number % cd.districts
    join centre c on c.code = cd.code
)

select $prefix || lpad(number::varchar, 3, '0'),
       'Plats ' || lpad(number::varchar, 3, '0') || ' ' || district_name,
       district,
       'område',
       least(59.99, greatest(59.01, lat + 0.03 * (cg_u($seed::bigint, 'lat', number) - 0.5))),
       least(18.49, greatest(17.51, lon + 0.06 * (cg_u($seed::bigint, 'lon', number) - 0.5))),
       'Påhittad plats för prestandamätning i stadsskala.'
from numbered
"""

PLACE_WINDOW_SQL = """
create or replace temp table cg_place as
with synthetic as (
    select p.code as place, p.district,
           greatest($first_day, coalesce(d.valid_from, $first_day)) as first_day,
           greatest($start, coalesce(d.valid_from, $start)) as from_day
    from place p
    join district d on d.code = p.district
    where starts_with(p.code, $prefix)
)

select row_number() over (order by place) - 1 as position, place, district, first_day, from_day,
       datediff('day', first_day, $end_day) as days,
       (0.3 + 1.7 * pow(cg_u($seed::bigint, 'activity', place), 2)) * datediff('day', first_day, $end_day) as weight
from synthetic
"""

PLACE_SLOT_SQL = """
create or replace temp table cg_place_slot as
with share as (
    select position, greatest(1, round($slots * weight / sum(weight) over ()))::integer as repeats
    from cg_place
),

repeated as (
    select position, unnest(range(repeats)) as copy
    from share
)

select row_number() over (order by position, copy) - 1 as slot, position
from repeated
"""

CHOICE_SQL = """
create or replace temp table {table} as
select generate_subscripts($names, 1) - 1 as slot, unnest($names) as name
"""

TEXT_SQL = """
create or replace temp table cg_text as
select unnest($categories) as category, unnest($slots) as slot, unnest($texts) as text
"""

EVENTS_SQL = """
insert into event (id, source, source_id, occurred_at, district, place, category, reporter, description, load_id)
with drawn as (
    select i,
           (hash($seed::bigint, 'place', i) % $place_slots::ubigint)::bigint as place_slot,
           (hash($seed::bigint, 'category', i) % $category_slots::ubigint)::bigint as category_slot,
           (hash($seed::bigint, 'reporter', i) % $reporter_slots::ubigint)::bigint as reporter_slot,
           (hash($seed::bigint, 'text', i) % $text_slots::ubigint)::bigint as text_slot,
           cg_u($seed::bigint, 'day', i) as u_day,
           cg_u($seed::bigint, 'minute', i) as u_minute
    from range($events) t(i)
),

placed as (
    select dr.i, p.place, p.district, c.name as category, r.name as reporter, dr.text_slot,
           p.first_day + (floor(dr.u_day * p.days)::integer * interval 1 day)
               + ((360 + floor(1296 * dr.u_minute)::integer) % 1440) * interval 1 minute as occurred_at
    from drawn dr
    join cg_place_slot ps on ps.slot = dr.place_slot
    join cg_place p on p.position = ps.position
    join cg_category_slot c on c.slot = dr.category_slot
    join cg_reporter_slot r on r.slot = dr.reporter_slot
),

described as (
    select pl.*, t.text as description
    from placed pl
    join cg_text t on t.category = pl.category and t.slot = pl.text_slot
),

numbered as (
    select d.*, row_number() over (order by d.occurred_at, d.i) as number
    from described d
)

select $first_id::bigint + number - 1, $source::varchar, 'CG-' || lpad(number::varchar, 8, '0'), occurred_at,
       district, place, category, reporter, description, $load_id::integer
from numbered
order by number
"""

PLACE_VALUES_SQL = """
insert into observation (indicator, unit, district, place, period_start, grain, value, preliminary, load_id)
with place_indicator as (
    select i.code, i.unit, case i.frequency when 'survey' then 'year' else i.frequency end as grain
    from indicator i
    where i.level = 'place' and i.event_category is null and i.unit = 'antal' and i.source <> $synthetic
),

series as (
    select pi.code, pi.unit, pi.grain, p.place, p.district, p.from_day,
           2 + 38 * pow(cg_u($seed::bigint, 'place-level-' || pi.code, p.place), 2) as level
    from place_indicator pi
    cross join cg_place p
),

drawn as (
    select s.code, s.unit, s.district, s.place, cp.period_start, s.grain,
           s.level * (1 + 0.15 * sin(2 * pi() * (month(cp.period_start) - 4) / 12)) as mean,
           cg_z($seed::bigint, 'place-value-' || s.code, hash(s.place, cp.period_start)) as z
    from series s
    join cg_period cp on cp.grain = s.grain and cp.period_start >= s.from_day
)

select code, unit, district, place, period_start, grain, greatest(0, round(mean + sqrt(mean) * z)),
       period_start = $last_month::date, $load_id::integer
from drawn
"""

INDICATORS_SQL = """
insert into indicator (code, name, description, unit, direction, source, frequency, sensitive, aggregation, level)
select $prefix || lpad(k::varchar, 2, '0'),
       $name || ' ' || lpad(k::varchar, 2, '0'),
       $description,
       $unit, case when k % 2 = 0 then $higher else $lower end, $synthetic, $frequency, false, $aggregation, $level
from range(1, $count + 1) t(k)
"""

GOAL_LINKS_SQL = """
insert into goal_indicator (goal, indicator)
with city_goal as (
    select g.code, row_number() over (order by pa.number, g.number) - 1 as position, count(*) over () as goals
    from goal g
    join priority_area pa on pa.code = g.priority_area
    where g.scope = 'city'
),

synthetic as (
    select i.code, row_number() over (order by i.code) - 1 as position
    from indicator i
    where i.source = $synthetic
)

select cg.code, s.code
from synthetic s
join city_goal cg on cg.position = s.position % cg.goals
"""

SHARE_VALUES_SQL = """
insert into observation (indicator, unit, district, place, period_start, grain, value, numerator, denominator,
                         preliminary, load_id)
with share_indicator as (
    select i.code
    from indicator i
    where i.source = $synthetic and i.unit = 'andel'
),

area_month as (
    select si.code, d.code as district, cp.period_start,
           15 + 50 * cg_u($seed::bigint, 'share-level', si.code || d.code) as level,
           300 + 1500 * cg_u($seed::bigint, 'share-n', si.code || d.code) as respondents
    from share_indicator si
    cross join district d
    join cg_period cp on cp.grain = 'month'
    where d.kind = 'stadsdelsomrade'
      and (d.valid_from is null or d.valid_from <= cp.period_start)
      and (d.valid_to is null or cp.period_start < d.valid_to)
),

drawn as (
    select code, district, period_start,
           round(respondents * (0.95 + 0.1 * cg_u($seed::bigint, 'share-n-month', hash(code, district, period_start))))
               as denominator,
           least(99, greatest(1, level - 5 * datediff('day', $first_day::date, period_start) / 3650
                                 + 3 * cg_z($seed::bigint, 'share-value', hash(code, district, period_start)))) as percent
    from area_month
),

counted as (
    select code, district, period_start, denominator, round(denominator * percent / 100) as numerator
    from drawn
),

with_city as (
    select code, district, period_start, numerator, denominator
    from counted
    union all
    select code, $city::varchar, period_start, sum(numerator), sum(denominator)
    from counted
    group by code, period_start
)

select code, 'andel', district, null, period_start, 'month', round(100 * numerator / denominator, 1),
       numerator, denominator, period_start = $last_month::date, $load_id::integer
from with_city
"""

PLACE_WEEKS_SQL = """
select count(*)
from cg_place_all p
join cg_period cp on cp.grain = 'week' and cp.period_start >= p.first_day
"""

ALL_PLACES_SQL = """
create or replace temp table cg_place_all as
select row_number() over (order by p.code) - 1 as position, p.code as place, p.district,
       greatest($first_day, coalesce(d.valid_from, $first_day)) as first_day
from place p
join district d on d.code = p.district
"""

COUNT_VALUES_SQL = """
insert into observation (indicator, unit, district, place, period_start, grain, value, load_id)
with count_indicator as (
    select i.code, row_number() over (order by i.code) - 1 as position
    from indicator i
    where i.source = $synthetic and i.unit = 'antal'
),

place_weeks as (
    select p.position, p.place, p.district, p.first_day, count(*) as weeks
    from cg_place_all p
    join cg_period cp on cp.grain = 'week' and cp.period_start >= p.first_day
    group by p.position, p.place, p.district, p.first_day
),

series as (
    select ci.code, pw.place, pw.district, pw.first_day, pw.weeks,
           sum(pw.weeks) over (order by ci.position, pw.position rows unbounded preceding) as running,
           1 + 15 * pow(cg_u($seed::bigint, 'count-level', ci.code || pw.place), 2) as level,
           0.1 * (cg_u($seed::bigint, 'count-trend', ci.code || pw.place) - 0.5) as trend
    from count_indicator ci
    cross join place_weeks pw
),

chosen as (
    select code, place, district, first_day, level, trend
    from series
    where running - weeks < $needed
),

drawn as (
    select c.code, c.district, c.place, cp.period_start,
           c.level * (1 + c.trend * datediff('day', $first_day::date, cp.period_start) / 365.25)
               * (1 + 0.2 * sin(2 * pi() * (dayofyear(cp.period_start) - 100) / 365.25)) as mean,
           cg_z($seed::bigint, 'count-value', hash(c.code, c.place, cp.period_start)) as z
    from chosen c
    join cg_period cp on cp.grain = 'week' and cp.period_start >= c.first_day
)

select code, 'antal', district, place, period_start, 'week', greatest(0, round(mean + sqrt(greatest(mean, 0)) * z)),
       $load_id::integer
from drawn
"""

TABLES = ("place", "indicator", "goal_indicator", "event", "observation", "target", "activity",
          "activity_goal", "comment", "period_lock", "commitment", "import_log")
"""Tables whose row counts a build reports."""


# ---------------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------------


def scale_of(size: Size | Scale | str) -> Scale | None:
    """The Scale of a size (None for S, the demo as shipped); a Scale is returned as it is."""
    if isinstance(size, Scale):
        return size
    size = Size(size)
    return SCALES.get(size)


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per reported table."""
    # table names come from the fixed TABLES tuple, never from input
    return {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in TABLES}


def build(path: Path, size: Size | Scale | str, seed: int = 1) -> dict[str, int]:
    """Create a complete database of SIZE at PATH (replacing it); return rows per table.

    Built in a temporary file beside PATH and renamed over it, so PATH is never half-built.
    """
    path = Path(path)
    scale = scale_of(size)
    label = scale.label if scale else Size.S.value
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.citygen")
    _remove_files(temp)
    try:
        if scale is None:
            demo.build(temp)
        else:
            _build_scaled(temp, scale, seed)
        con = db.open_database(temp)
        try:
            con.execute("insert or replace into database_info (key, value) values ('size', $size), "
                        "('citygen_seed', $seed)", {"size": label, "seed": str(seed)})
            con.checkpoint()
            result = counts(con)
        finally:
            con.close()
        _remove_files(path)
        os.replace(temp, path)
    finally:
        _remove_files(temp)
    return result


def _remove_files(path: Path) -> None:
    """Delete a database file and its write-ahead log if they exist."""
    for file in (path, Path(f"{path}.wal")):
        file.unlink(missing_ok=True)


def _build_scaled(path: Path, scale: Scale, seed: int) -> None:
    """The demo plus the synthetic places, indicators, observations and events of SCALE."""
    con = db.open_database(path)
    try:
        reference.load_reference(con)
        demo.populate(con, demo.DEFAULT_SEED)
        info = {"demo": "true", "demo_seed": str(demo.DEFAULT_SEED), "generated_for": demo.GENERATED_FOR}
        con.executemany("insert into database_info (key, value) values (?, ?)", list(info.items()))
        (load_id,) = con.execute("select max(id) from import_log where kind = 'demo'").fetchone()
        con.execute(MACROS)
        grains, starts = _period_starts()
        con.execute(PERIODS_SQL, {"grains": grains, "starts": starts})
        _add_places(con, scale, seed)
        con.execute(PLACE_WINDOW_SQL, {"first_day": _first_start(START, Grain.WEEK), "start": START,
                                       "end_day": EVENT_END, "prefix": PLACE_PREFIX, "seed": seed})
        _add_observations(con, scale, seed, load_id)
        _add_events(con, scale, seed, load_id)
        est_summary.refresh(con)
        (added,) = con.execute("select (select count(*) from event) + (select count(*) from observation)").fetchone()
        con.execute("update import_log set rows_added = $rows where id = $id", {"rows": added, "id": load_id})
        con.checkpoint()
    finally:
        con.close()


def _add_places(con: duckdb.DuckDBPyConnection, scale: Scale, seed: int) -> None:
    """Synthetic places up to SCALE.places, numbered on from the reference places."""
    (existing,) = con.execute("select count(*) from place").fetchone()
    if scale.places <= existing:
        return
    codes, lats, lons = _centres()
    con.execute(PLACES_SQL, {"codes": codes, "lats": lats, "lons": lons, "first": existing + 1,
                             "last": scale.places, "prefix": PLACE_PREFIX, "seed": seed})


def _add_observations(con: duckdb.DuckDBPyConnection, scale: Scale, seed: int, load_id: int) -> None:
    """Place-level values at the synthetic places, synthetic shares per area, then weekly counts to the total."""
    last_month = demo.LAST_PERIOD[Grain.MONTH]
    first_day = _first_start(START, Grain.WEEK)
    con.execute(PLACE_VALUES_SQL, {"seed": seed, "last_month": last_month, "load_id": load_id,
                                   "synthetic": SYNTHETIC_SOURCE})
    _add_indicators(con, "syntetisk-andel-", "Syntetisk andel", Unit.SHARE, Grain.MONTH, Level.DISTRICT,
                    "mean", SHARE_INDICATORS)
    con.execute(SHARE_VALUES_SQL, {"seed": seed, "synthetic": SYNTHETIC_SOURCE, "first_day": first_day,
                                   "city": CITY_DISTRICT, "last_month": last_month, "load_id": load_id})
    (stored,) = con.execute("select count(*) from observation").fetchone()
    needed = scale.observations - stored
    if needed <= 0:
        _link_goals(con)
        return
    con.execute(ALL_PLACES_SQL, {"first_day": first_day})
    (per_indicator,) = con.execute(PLACE_WEEKS_SQL).fetchone()
    _add_indicators(con, "syntetiskt-antal-", "Syntetiskt antal", Unit.COUNT, Grain.WEEK, Level.PLACE,
                    "sum", math.ceil(needed / per_indicator))
    _link_goals(con)
    con.execute(COUNT_VALUES_SQL, {"seed": seed, "synthetic": SYNTHETIC_SOURCE, "needed": needed,
                                   "first_day": first_day, "load_id": load_id})


def _add_indicators(con: duckdb.DuckDBPyConnection, prefix: str, name: str, unit: Unit, grain: Grain,
                    level: Level, aggregation: str, count: int) -> None:
    """COUNT synthetic indicators 'PREFIX01' … named 'NAME 01' …."""
    con.execute(INDICATORS_SQL, {
        "prefix": prefix, "name": name, "unit": unit.value, "frequency": grain.value, "level": level.value,
        "aggregation": aggregation, "count": count, "synthetic": SYNTHETIC_SOURCE,
        "description": "Påhittat nyckeltal för prestandamätning i stadsskala.",
        "higher": Direction.HIGHER_IS_BETTER.value, "lower": Direction.LOWER_IS_BETTER.value,
    })


def _link_goals(con: duckdb.DuckDBPyConnection) -> None:
    """Each synthetic indicator follows up one of the city's goals, in turn."""
    con.execute(GOAL_LINKS_SQL, {"synthetic": SYNTHETIC_SOURCE})


def _add_events(con: duckdb.DuckDBPyConnection, scale: Scale, seed: int, load_id: int) -> None:
    """Synthetic EST events at the synthetic places up to SCALE.events in all, in time order."""
    (existing,) = con.execute("select count(*) from event").fetchone()
    (places,) = con.execute("select count(*) from cg_place").fetchone()
    wanted = scale.events - existing
    if wanted <= 0 or not places:
        return
    con.execute(PLACE_SLOT_SQL, {"slots": PLACE_SLOTS})
    categories = _slots({code: rate for code, (rate, _) in demo.EST_RATES.items()}, 1000)
    reporters = _slots(REPORTERS, 100)
    con.execute(CHOICE_SQL.format(table="cg_category_slot"), {"names": categories})
    con.execute(CHOICE_SQL.format(table="cg_reporter_slot"), {"names": reporters})
    text_slots = 12
    rows = [(category, slot, texts[slot % len(texts)])
            for category, texts in demo.DESCRIPTIONS.items() for slot in range(text_slots)]
    con.execute(TEXT_SQL, {"categories": [r[0] for r in rows], "slots": [r[1] for r in rows],
                           "texts": [r[2] for r in rows]})
    # take WANTED ids from the table's sequence so later loads continue after them
    (first_id,) = con.execute("select min(nextval('event_id')) from range($n)", {"n": wanted}).fetchone()
    (place_slots,) = con.execute("select count(*) from cg_place_slot").fetchone()
    con.execute(EVENTS_SQL, {
        "seed": seed, "events": wanted, "place_slots": place_slots, "category_slots": len(categories),
        "reporter_slots": len(reporters), "text_slots": text_slots, "first_id": first_id,
        "source": EventSource.EST.value, "load_id": load_id,
    })


# ---------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Build one size and print its row counts, build time and file size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=[s.value for s in Size], required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = build(args.out, Size(args.size), args.seed)
    seconds = time.perf_counter() - start
    scale = scale_of(Size(args.size))
    print(f"Size {args.size} (seed {args.seed}) -> {args.out}")
    print("| table | rows | target |")
    print("|---|---:|---:|")
    targets = {"event": scale.events, "observation": scale.observations, "place": scale.places} if scale else {}
    for table, rows in result.items():
        target = targets.get(table)
        print(f"| {table} | {rows:,} | {f'{target:,}' if target else ''} |")
    print(f"Build time {seconds:.1f} s; file {args.out.stat().st_size / 1e6:,.0f} MB; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
