"""The demo generator: deterministic, complete, believable, atomic, and every status case occurs.

The demo database with the default seed is built once per session (conftest's demo_db_path); this
module builds one more with the same seed over an existing file, and fills one in-memory database with
another seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import db, demo, queries, reference, series
from followup.model import (
    CITY_DISTRICT,
    ActivityStatus,
    Frequency,
    Level,
    LoadKind,
    PreventionLevel,
    PreventionType,
    Unit,
)
from followup.status import Assessment, TargetStatus, Trend

HV = "hasselby-vallingby"
OTHER_SEED = demo.DEFAULT_SEED + 1


def _table(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """A whole table (or view), sorted by every column so that row order does not matter."""
    frame = con.table(name).df()
    if name == "schema_version":
        frame = frame.drop(columns="applied_at")  # written by db.ensure_schema with the wall clock
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def con(demo_db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection to the session's demo database (default seed)."""
    connection = duckdb.connect(str(demo_db_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second build with the default seed, over an existing non-database file and a stale log."""
    folder = tmp_path_factory.mktemp("rebuilt")
    path = folder / "demo.duckdb"
    path.write_text("not a database", encoding="utf-8")
    Path(f"{path}.wal").write_bytes(b"stale write-ahead log of the file being replaced")
    demo.build(path)
    return path


@pytest.fixture(scope="module")
def other_seed() -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, int]]]:
    """An in-memory database filled by populate() with another seed, and what populate returned."""
    connection = duckdb.connect()
    db.ensure_schema(connection)
    reference.load_reference(connection)
    counts = demo.populate(connection, seed=OTHER_SEED)
    yield connection, counts
    connection.close()


@pytest.fixture(scope="module")
def observations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every observation of the demo database."""
    return con.table("observation").df()


@pytest.fixture(scope="module")
def catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The indicator catalogue by code."""
    return con.table("indicator").df().set_index("code", drop=False)


# --- determinism and the build ------------------------------------------------------------------------


def test_same_seed_gives_identical_tables(con: duckdb.DuckDBPyConnection, rebuilt: Path) -> None:
    tables = sorted(con.table_function("duckdb_tables").df()["table_name"])
    assert {"event", "observation", "target", "activity", "comment"} <= set(tables)
    with duckdb.connect(str(rebuilt), read_only=True) as twin:
        for name in tables:
            pd.testing.assert_frame_equal(_table(con, name), _table(twin, name), obj=name)


def test_another_seed_gives_other_numbers(con: duckdb.DuckDBPyConnection, other_seed: tuple) -> None:
    other, _ = other_seed
    for name in ("observation", "event"):
        mine, theirs = _table(con, name), _table(other, name)
        same = len(mine) == len(theirs) and mine.drop(columns="load_id").equals(theirs.drop(columns="load_id"))
        assert not same, name
    assert _table(con, "activity").equals(_table(other, "activity"))  # the action plan is hand-written


def test_build_replaces_an_existing_file_and_leaves_nothing_behind(rebuilt: Path) -> None:
    assert sorted(p.name for p in rebuilt.parent.iterdir()) == [rebuilt.name]  # no temp file, no stale log
    with duckdb.connect(str(rebuilt), read_only=True) as built:
        assert db.is_demo(built)


def test_populate_returns_the_rows_it_wrote(other_seed: tuple) -> None:
    other, counts = other_seed
    assert counts == {name: len(other.table(name).df()) for name in counts}
    assert counts["event"] > 10_000 and counts["observation"] > 5_000


def test_database_says_it_holds_demo_data(con: duckdb.DuckDBPyConnection) -> None:
    assert db.info(con) == {
        "demo": "true",
        "demo_seed": str(demo.DEFAULT_SEED),
        "generated_for": "Exempeldata – påhittade siffror",
    }


def test_one_demo_load_owns_every_generated_row(
    con: duckdb.DuckDBPyConnection, observations: pd.DataFrame
) -> None:
    log = con.table("import_log").df()
    assert len(log) == 1
    load = log.iloc[0]
    assert (load["kind"], load["file_name"], load["user_name"]) == (LoadKind.DEMO, "demo", "demo")
    assert load["checksum"] == demo.seed_checksum(demo.DEFAULT_SEED) != demo.seed_checksum(OTHER_SEED)
    events = con.table("event").df()
    assert set(observations["load_id"]) == set(events["load_id"]) == {load["id"]}
    assert load["rows_added"] == len(observations) + len(events)


# --- coverage -------------------------------------------------------------------------------------------


def test_every_goal_has_values_in_a_district(con: duckdb.DuckDBPyConnection) -> None:
    values = con.table("indicator_value").df()
    districts = con.table("district").df()
    areas = districts.loc[districts["kind"] == "stadsdelsomrade", "code"]
    in_districts = values.loc[values["district"].isin(areas)]
    links = con.table("goal_indicator").df()
    covered = set(links.loc[links["indicator"].isin(in_districts["indicator"]), "goal"])
    assert covered == set(con.table("goal").df()["code"])


def test_every_indicator_has_values_for_hasselby_vallingby(con: duckdb.DuckDBPyConnection) -> None:
    values = con.table("indicator_value").df()
    indicators = con.table("indicator").df()
    city_level = indicators["level"] == Level.CITY
    assert city_level.any()  # kolada-valdsbrott: measured for the whole city only
    assert set(values.loc[values["district"] == HV, "indicator"]) == set(indicators.loc[~city_level, "code"])
    # a city-level indicator has values for the city (the pseudo district), and for no district area
    city = set(values.loc[values["district"] == CITY_DISTRICT, "indicator"])
    assert set(indicators.loc[city_level, "code"]) <= city
    assert not set(indicators.loc[city_level, "code"]) & set(values.loc[values["district"] != CITY_DISTRICT, "indicator"])


def test_every_year_up_to_demo_today_and_nothing_after(
    con: duckdb.DuckDBPyConnection, observations: pd.DataFrame
) -> None:
    events = con.table("event").df()
    years = set(range(demo.DATA_START.year, demo.DEMO_TODAY.year + 1))
    assert set(observations["period_start"].dt.year) == years
    assert set(events["occurred_at"].dt.year) == years
    assert events["occurred_at"].min() >= pd.Timestamp(demo.DATA_START)
    assert events["occurred_at"].max() < pd.Timestamp(demo.DEMO_TODAY)
    assert observations["period_start"].max() <= pd.Timestamp(demo.DEMO_TODAY)


def test_est_reports_at_every_place_with_a_summer_peak(con: duckdb.DuckDBPyConnection) -> None:
    events = con.table("event").df()
    assert set(events["place"]) == set(con.table("place").df()["code"])
    assert set(events["source"]) == {"est"} and events["source_id"].is_unique
    per_place = events.groupby("place").size()
    assert set(per_place.nlargest(2).index) == {"hasselby-torg", "maltesholmstorget"}
    per_month = events.groupby(events["occurred_at"].dt.month).size()
    assert per_month.loc[[5, 6, 7, 8]].mean() > 1.3 * per_month.loc[[1, 2, 11, 12]].mean()
    assert events["reporter"].nunique() >= 6 and events["description"].notna().all()


def test_areas_of_their_time(observations: pd.DataFrame) -> None:
    reform = pd.Timestamp("2023-07-01")
    by_district = observations.groupby("district")["period_start"]
    for old in ("rinkeby-kista", "spanga-tensta", "norrmalm", "ostermalm"):
        assert by_district.max()[old] < reform
    for new in ("jarva", "norra-innerstaden"):
        assert by_district.min()[new] >= reform
    assert by_district.min()["hagersten-alvsjo"] >= pd.Timestamp("2020-01-01")  # formed 2020-01-01
    assert by_district.min()["stockholm"] == pd.Timestamp(demo.DATA_START)


def test_successor_area_continues_its_predecessors(observations: pd.DataFrame) -> None:
    crimes = observations.loc[(observations["indicator"] == "anmalda-brott-omrade")]
    monthly = crimes.pivot_table(index="period_start", columns="district", values="value")
    before = monthly.loc["2023-01-01":"2023-06-01", ["rinkeby-kista", "spanga-tensta"]].sum(axis=1).mean()
    after = monthly.loc["2023-07-01":"2023-12-01", "jarva"].mean()
    assert 0.8 < after / before < 1.25


def test_city_value_is_the_sum_of_its_areas_in_2024(observations: pd.DataFrame) -> None:
    crimes = observations.loc[(observations["indicator"] == "anmalda-brott-omrade")
                              & (observations["period_start"] == pd.Timestamp("2024-03-01"))]
    city = crimes.loc[crimes["district"] == "stockholm", "value"].item()
    assert city == crimes.loc[crimes["district"] != "stockholm", "value"].sum()


# --- believable values ----------------------------------------------------------------------------------


def test_shares_are_percentages_with_respondents(observations: pd.DataFrame) -> None:
    shares = observations.loc[observations["unit"] == Unit.SHARE]
    assert not shares.empty and shares["value"].between(0, 100).all()
    assert (shares["denominator"] > 0).all() and shares["numerator"].notna().all()
    assert ((100 * shares["numerator"] / shares["denominator"] - shares["value"]).abs() <= 0.05).all()


def test_counts_are_whole_and_not_negative(observations: pd.DataFrame) -> None:
    counts = observations.loc[observations["unit"] == Unit.COUNT, "value"]
    assert (counts >= 0).all() and (counts == counts.round()).all()


def test_rates_per_1000_are_city_values_near_their_level(observations: pd.DataFrame) -> None:
    rates = observations.loc[observations["unit"] == Unit.PER_1000]
    assert set(rates["indicator"]) == {"kolada-valdsbrott"} and set(rates["district"]) == {CITY_DISTRICT}
    # about 1 200 violent crimes per 100 000 inhabitants a year, as Kolada N07403 has it for Stockholm
    assert rates["value"].between(9, 15).all() and set(rates["grain"]) == {"year"}
    assert ((rates["value"] * 100).round(6) == (rates["value"] * 100).round()).all()  # whole per 100 000
    assert rates["numerator"].isna().all() and rates["denominator"].isna().all()  # as Kolada delivers them


def test_assaults_are_a_part_of_crimes_against_the_person(observations: pd.DataFrame) -> None:
    keys = ["district", "period_start"]
    by_indicator = observations.set_index("indicator")
    person = by_indicator.loc["bra-brott-mot-person"].set_index(keys)["value"].sort_index()
    assault = by_indicator.loc["bra-misshandel"].set_index(keys)["value"].sort_index()
    assert person.index.equals(assault.index) and (assault <= person).all()
    bromma = person.xs("bromma", level="district")
    assert 100 < bromma.loc["2023-01-01":"2023-12-01"].mean() < 220  # Brå 2023: about 150 a month


def test_sensitive_counts_include_small_ones_to_hide(observations: pd.DataFrame, catalogue: pd.DataFrame) -> None:
    sensitive = observations.loc[observations["indicator"].map(catalogue["sensitive"])]
    small = sensitive["value"].between(1, 4)
    assert small.sum() >= 10 and (~small).sum() >= 10


def test_surveys_only_in_survey_years(observations: pd.DataFrame, catalogue: pd.DataFrame) -> None:
    for code in catalogue.loc[catalogue["frequency"] == Frequency.SURVEY, "code"]:
        years = set(observations.loc[observations["indicator"] == code, "period_start"].dt.year)
        assert years == set(demo.SURVEY_YEARS[catalogue.loc[code, "source"]]), code


def test_one_series_break_and_preliminary_only_in_the_latest_periods(observations: pd.DataFrame) -> None:
    breaks = observations.loc[observations["series_break"]]
    series = breaks[["indicator", "district", "place"]].drop_duplicates().values.tolist()
    assert series == [["anmalda-brott-plats", HV, "maltesholmstorget"]]
    preliminary = observations.loc[observations["preliminary"]]
    assert not preliminary.empty
    assert (preliminary["period_start"] >= pd.Timestamp("2025-01-01")).all()


def test_gaps_exist(observations: pd.DataFrame) -> None:
    welfare = observations.loc[
        (observations["indicator"] == "valfardsbrott-anmalningar") & (observations["district"] == HV)
    ]
    starts = set(welfare["period_start"].dt.date)
    assert date(2024, 5, 1) not in starts and date(2024, 1, 1) in starts and date(2025, 5, 1) in starts


# --- targets, action plan, comments ---------------------------------------------------------------------


def test_targets_numeric_and_directional(con: duckdb.DuckDBPyConnection) -> None:
    targets = con.table("target").df()
    numeric = targets["target_value"].notna()
    assert numeric.sum() >= 4 and (~numeric).sum() >= 3
    assert (targets["baseline_value"] >= 0).all()


def test_action_plan_has_30_plus_activities_of_every_kind(con: duckdb.DuckDBPyConnection) -> None:
    activities = con.table("activity").df()
    assert len(activities) >= 30
    assert set(activities["status"]) == set(ActivityStatus)
    assert set(activities["prevention_type"]) == set(PreventionType)
    assert set(activities["level"]) == set(PreventionLevel)
    seed_places = {"hasselby-torg", "maltesholmstorget", "fruangen", "alvsjo-solberga", "vastberga"}
    assert seed_places <= set(activities["place"])
    links = con.table("activity_goal").df()
    assert set(links["activity"]) == set(activities["id"])


def test_activity_dates_agree_with_their_status(con: duckdb.DuckDBPyConnection) -> None:
    today = pd.Timestamp(demo.DEMO_TODAY)
    for row in con.table("activity").df().itertuples():
        if row.status == ActivityStatus.PLANNED:
            assert row.start_date > today, row.title
        elif row.status == ActivityStatus.DONE:
            assert row.end_date < today, row.title
        elif row.status == ActivityStatus.ONGOING:
            assert row.start_date <= today and (pd.isna(row.end_date) or row.end_date >= today), row.title


def test_comments_with_revisions_and_locks(con: duckdb.DuckDBPyConnection) -> None:
    comments = con.table("comment").df()
    assert len(comments) >= 10
    assert comments["supersedes"].notna().sum() >= 2 and comments["locked"].sum() >= 2
    revised = comments.set_index("id").loc[comments["supersedes"].dropna().astype(int)]
    assert (revised["created_at"].values < comments.dropna(subset=["supersedes"])["created_at"].values).all()


# --- every status the product shows occurs in Hässelby-Vällingby ----------------------------------------


@pytest.fixture(scope="module")
def assessments(con: duckdb.DuckDBPyConnection) -> dict[tuple, Assessment]:
    """The status of every indicator (indicator, district, place or None) in the scenarios' districts and places."""
    districts = con.table("district").df().set_index("code")["name"]
    places = con.table("place").df()
    result = {}
    for district in sorted({s.district for s in demo.SCENARIOS}):
        own = places.loc[places["district"] == district]
        for place, name in [(None, districts[district]), *zip(own["code"], own["name"], strict=True)]:
            scope = {"district": district, "place": place or ""}
            found = series.assess_scope(
                queries.run(con, "scope_indicators", **scope),
                queries.run(con, "scope_values", **scope, **{"from": demo.DATA_START}),
                queries.run(con, "scope_targets", **scope),
                scope_name=name, as_of=demo.DEMO_TODAY,
            )
            result.update({(code, district, place): assessment for code, assessment in found.items()})
    return result


def test_every_trend_occurs_in_hasselby_vallingby(assessments: dict) -> None:
    assert {a.trend for (_, district, _), a in assessments.items() if district == HV} == set(Trend)


def test_every_target_status_occurs_in_hasselby_vallingby(assessments: dict) -> None:
    statuses = {a.target_status for (_, district, _), a in assessments.items() if district == HV}
    assert statuses - {None} == set(TargetStatus)


@pytest.mark.parametrize(
    "scenario", [s for s in demo.SCENARIOS if s.intent], ids=lambda s: f"{s.indicator}-{s.place or s.district}"
)
def test_scenario_shows_its_intended_trend(assessments: dict, scenario: demo.Scenario) -> None:
    assessment = assessments[(scenario.indicator, scenario.district, scenario.place)]
    assert assessment.trend == scenario.intent, assessment.explanation


@pytest.mark.parametrize(
    "spec", [t for t in demo.TARGETS if t.intent], ids=lambda t: f"{t.indicator}-{t.place or t.district}"
)
def test_target_shows_its_intended_status(assessments: dict, spec: demo.TargetSpec) -> None:
    assessment = assessments[(spec.indicator, spec.district, spec.place)]
    assert assessment.target_status == spec.intent, assessment.target_explanation


def test_series_break_scenario_is_not_compared_across_the_break(assessments: dict) -> None:
    assessment = assessments[("anmalda-brott-plats", HV, "maltesholmstorget")]
    assert assessment.trend is Trend.NO_DATA and "serien bryts" in assessment.explanation
