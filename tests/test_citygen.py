"""Tests for bench/citygen.py: the city-scale generator, built at a tiny Scale in a temporary folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import citygen  # noqa: E402

from followup import db, demo, queries  # noqa: E402
from followup.periods import Period  # noqa: E402
from tests.table_state import table_checksums  # noqa: E402

DEMO_EVENTS = 32_714
DEMO_OBSERVATIONS = 9_186


def tiny(factor: int) -> citygen.Scale:
    """A test size: the demo plus FACTOR × (8,000 events, 6,000 observations, 10 places)."""
    return citygen.Scale(f"test-{factor}", events=DEMO_EVENTS + 8_000 * factor,
                         observations=DEMO_OBSERVATIONS + 6_000 * factor, places=15 + 10 * factor)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny databases: factor 1 twice with seed 1, factor 1 with seed 2, factor 2 with seed 1."""
    folder = tmp_path_factory.mktemp("citygen")
    paths = {}
    for name, factor, seed in (("a", 1, 1), ("b", 1, 1), ("seed2", 1, 2), ("double", 2, 1)):
        paths[name] = folder / f"{name}.duckdb"
        citygen.build(paths[name], tiny(factor), seed)
    return paths


@pytest.fixture
def con_a(built: dict[str, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    """Database 'a' opened read-only as the app opens it."""
    with closing(db.open_database(built["a"], read_only=True)) as con:
        yield con


def _checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Table checksums of a built file (schema_version holds the build time, so it is left out)."""
    with closing(db.open_database(path, read_only=True)) as con:
        return table_checksums(con, exclude=("schema_version",))


def _rows(path: Path, table: str) -> int:
    """Rows in one table of a built file."""
    with closing(db.open_database(path, read_only=True)) as con:
        # table names come from the tests' own literals
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def test_same_seed_gives_identical_tables(built: dict[str, Path]) -> None:
    assert _checksums(built["a"]) == _checksums(built["b"])


def test_another_seed_changes_only_the_synthetic_rows(built: dict[str, Path]) -> None:
    first, other = _checksums(built["a"]), _checksums(built["seed2"])
    assert first["event"][0] == other["event"][0]
    assert first["event"] != other["event"]
    assert first["observation"] != other["observation"]
    assert first["activity"] == other["activity"] and first["target"] == other["target"]


@pytest.mark.parametrize(("name", "factor"), [("a", 1), ("double", 2)])
def test_counts_reach_the_scale(built: dict[str, Path], name: str, factor: int) -> None:
    scale = tiny(factor)
    assert _rows(built[name], "event") == pytest.approx(scale.events, rel=0.1)
    assert _rows(built[name], "observation") == pytest.approx(scale.observations, rel=0.1)
    assert _rows(built[name], "place") == scale.places


def test_synthetic_counts_grow_with_the_factor(built: dict[str, Path]) -> None:
    events = [_rows(built[name], "event") - DEMO_EVENTS for name in ("a", "double")]
    values = [_rows(built[name], "observation") - DEMO_OBSERVATIONS for name in ("a", "double")]
    assert events[1] == pytest.approx(2 * events[0], rel=0.1)
    assert values[1] == pytest.approx(2 * values[0], rel=0.15)


def test_events_only_in_districts_in_force(built: dict[str, Path]) -> None:
    with closing(db.open_database(built["double"], read_only=True)) as con:
        outside = con.execute(
            "select count(*) from event e join district d on d.code = e.district "
            "where e.occurred_at < coalesce(d.valid_from, date '1900-01-01') "
            "or e.occurred_at >= coalesce(d.valid_to, date '2100-01-01')").fetchone()[0]
        late = con.execute("select count(*) from event where occurred_at >= $end",
                           {"end": citygen.EVENT_END}).fetchone()[0]
        jarva_first = con.execute("select min(occurred_at) from event where district = 'jarva'").fetchone()[0]
    assert (outside, late) == (0, 0)
    assert jarva_first is not None and jarva_first.date() >= date(2023, 7, 1)


def test_observations_only_for_areas_in_force(built: dict[str, Path]) -> None:
    with closing(db.open_database(built["double"], read_only=True)) as con:
        outside = con.execute(
            "select count(*) from observation o join district d on d.code = o.district "
            "where o.period_start < coalesce(d.valid_from, date '1900-01-01') "
            "or o.period_start >= coalesce(d.valid_to, date '2100-01-01')").fetchone()[0]
        older = con.execute(
            "select count(distinct district) from observation "
            "where indicator like 'syntetisk-andel-%' and district in "
            "('rinkeby-kista', 'spanga-tensta', 'norrmalm', 'ostermalm')").fetchone()[0]
        first = con.execute("select min(period_start) from observation").fetchone()[0]
    assert outside == 0
    assert older == 4
    assert first == citygen.START


def test_places_spread_over_the_current_districts(built: dict[str, Path]) -> None:
    with closing(db.open_database(built["double"], read_only=True)) as con:
        districts = con.execute(
            "select count(distinct district) from place where starts_with(code, $prefix)",
            {"prefix": citygen.PLACE_PREFIX}).fetchone()[0]
        name = con.execute("select name from place where code = 'plats-016'").fetchone()[0]
    assert districts == 11
    assert name.startswith("Plats 016 ")


def test_one_demo_load_holds_every_row(con_a: duckdb.DuckDBPyConnection) -> None:
    loads = con_a.execute("select id, kind, rows_added from import_log").fetchall()
    assert len(loads) == 1 and loads[0][1] == "demo"
    stray = con_a.execute(
        "select (select count(*) from event where load_id is distinct from $id) "
        "+ (select count(*) from observation where load_id is distinct from $id)", {"id": loads[0][0]}).fetchone()[0]
    total = con_a.execute("select (select count(*) from event) + (select count(*) from observation)").fetchone()[0]
    assert stray == 0 and loads[0][2] == total
    info = db.info(con_a)
    assert info["demo"] == "true" and info["size"] == "test-1"


def test_event_ids_continue_the_sequence(built: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "copy.duckdb"
    path.write_bytes(built["a"].read_bytes())
    with closing(db.open_database(path)) as con:
        (top,) = con.execute("select max(id) from event").fetchone()
        (following,) = con.execute("select nextval('event_id')").fetchone()
    assert following == top + 1


def test_page_queries_work(con_a: duckdb.DuckDBPyConnection) -> None:
    goals = queries.run(con_a, "goal_overview", district="hasselby-vallingby")
    place = con_a.execute("select code, district from place where starts_with(code, $p) order by code limit 1",
                          {"p": citygen.PLACE_PREFIX}).fetchone()
    values = queries.run(con_a, "scope_values", district=place[1], place=place[0], **{"from": date(2024, 1, 1)})
    assert len(goals) >= 14 and goals["latest_period_start"].notna().all()
    assert {"anmalda-brott-plats", "est-klotter"} <= set(values["indicator"])


def test_period_starts_begin_their_periods() -> None:
    grains, starts = citygen._period_starts()
    periods = [Period(start, grain) for grain, start in zip(grains, starts, strict=True)]
    assert min(p.start for p in periods) >= citygen.START
    assert max(p.start for p in periods if p.grain == "week") == demo.LAST_WEEK


def test_sizes() -> None:
    assert citygen.scale_of("S") is None
    assert citygen.scale_of(citygen.Size.L).events == 10 * citygen.scale_of(citygen.Size.M).events
    with pytest.raises(ValueError):
        citygen.scale_of("XL")
