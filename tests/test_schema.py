"""data/schema.sql: every constraint rejects an impossible row and accepts the good row next to it."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import duckdb
import pytest

from followup import est_summary, imports, reference
from followup.model import VOCABULARIES

from conftest import insert

Row = Mapping[str, Any]
InsertRow = Callable[[str, Row], None]

HV = "hasselby-vallingby"
TORG = "hasselby-torg"

DISTRICT = {"code": "bromma", "name": "Bromma", "kind": "stadsdelsomrade", "city_part": "Västerort"}
SUCCESSOR = {"district": HV, "successor": "stockholm", "from_date": date(2023, 7, 1)}
NEIGHBOURHOOD = {"code": "hasselby-gard", "name": "Hässelby gård"}
POPULATION = {"district": HV, "year": 2024, "value": 74_000, "source": "Stockholms stad"}
PLACE = {"code": "maltesholmstorget", "name": "Maltesholmstorget", "district": HV, "kind": "torg",
         "lat": 59.3625, "lon": 17.8575}
AREA = {"code": "unga-i-riskzon", "number": 1, "name": "Unga i riskzon"}
CITY_GOAL = {"code": "pa2-2", "priority_area": "otrygga-platser", "number": 2, "text": "Öka tryggheten.",
             "scope": "city", "district": None}
LOCAL_GOAL = {"code": "hv-1", "priority_area": "otrygga-platser", "number": 1,
              "text": "Färre nedskräpade platser i Hässelby.", "scope": "local", "district": HV}
CATEGORY = {"code": "nedskrapning", "name": "Nedskräpning"}
INDICATOR = {"code": "orosanmalningar", "name": "Orosanmälningar 13–17 år", "unit": "antal",
             "direction": "higher_is_better", "source": "Socialtjänsten", "frequency": "tertial",
             "aggregation": "sum", "level": "district", "sensitive": True}
EVENT_INDICATOR = {**INDICATOR, "code": "klotter-est-2", "name": "Klotter EST 2", "direction": "lower_is_better",
                   "frequency": "week", "level": "place", "sensitive": False, "event_category": "klotter"}
IMPORT = {"kind": "observations", "file_name": "brott.csv", "checksum": "abc123", "user_name": "test"}
TARGET = {"indicator": "anmalda-brott", "district": HV, "place": TORG, "baseline_start": date(2023, 1, 1),
          "baseline_grain": "year", "baseline_value": 120.0, "target_start": date(2026, 1, 1),
          "target_grain": "year", "target_value": 90.0, "tolerance": 5.0}
DIRECTIONAL_TARGET = {**TARGET, "target_start": None, "target_grain": None, "target_value": None}
COUNT = {"indicator": "anmalda-brott", "unit": "antal", "district": HV, "place": TORG,
         "period_start": date(2025, 3, 1), "grain": "month", "value": 12.0}
SHARE = {"indicator": "otrygghet", "unit": "andel", "district": HV, "place": None,
         "period_start": date(2024, 1, 1), "grain": "year", "value": 31.5, "numerator": 120.0,
         "denominator": 380.0}
EVENT = {"source": "est", "source_id": "est-1", "occurred_at": datetime(2025, 3, 4, 22, 15), "district": HV,
         "place": TORG, "category": "klotter", "reporter": "Stadsdelsförvaltningen"}
ACTIVITY = {"title": "Trygghetsvandring", "district": HV, "place": TORG, "lead_org": "Stadsdelsförvaltningen",
            "prevention_type": "situational", "level": "universal", "status": "ongoing",
            "start_date": date(2025, 3, 1), "end_date": date(2025, 6, 30), "created_by": "test"}
COMMENT = {"district": HV, "goal": "pa2-1", "indicator": None, "period_start": date(2025, 1, 1),
           "grain": "tertial", "body": "Klottret minskar efter insatsen.", "author": "test"}


def check(table: str, fragment: str) -> str:
    """Pattern for DuckDB's message when a CHECK constraint on table fails on an expression with fragment."""
    return rf"CHECK constraint failed on table {table} with expression .*{fragment}"


def foreign_key(key: str) -> str:
    """Pattern for DuckDB's message when a foreign key value does not exist."""
    return rf'foreign key constraint because key "{key}" does not exist'


def not_null(table: str, column: str) -> str:
    """Pattern for DuckDB's message when a NOT NULL column is null."""
    return rf"NOT NULL constraint failed: {table}\.{column}"


# (table, good row, changes that make it bad, pattern the error must match)
REJECTED = [
    pytest.param("schema_version", {"version": 7}, {"version": 0}, check("schema_version", "version"),
                 id="schema-version-below-1"),
    pytest.param("database_info", {"key": "demo", "value": "true"}, {"value": None},
                 not_null("database_info", "value"), id="database-info-null-value"),
    pytest.param("district", DISTRICT, {"code": "Bromma"}, check("district", "regexp_full_match"),
                 id="district-code-uppercase"),
    pytest.param("district", DISTRICT, {"code": "bromma område"}, check("district", "regexp_full_match"),
                 id="district-code-space"),
    pytest.param("district", DISTRICT, {"code": "brommå"}, check("district", "regexp_full_match"),
                 id="district-code-non-ascii"),
    pytest.param("district", DISTRICT, {"name": None}, not_null("district", "name"), id="district-no-name"),
    pytest.param("district", DISTRICT, {"kind": "kommun"}, check("district", "kind"), id="district-kind"),
    pytest.param("district", DISTRICT, {"city_part": "Norrort"}, check("district", "city_part"),
                 id="district-city-part"),
    pytest.param("district", {**DISTRICT, "valid_from": date(2020, 1, 1), "valid_to": date(2023, 7, 1)},
                 {"valid_to": date(2020, 1, 1)}, check("district", "valid_to"), id="district-valid-to-not-after-from"),
    pytest.param("district_successor", SUCCESSOR, {"successor": HV}, check("district_successor", "successor"),
                 id="district-successor-itself"),
    pytest.param("district_successor", SUCCESSOR, {"successor": "ostermalm"}, foreign_key("code: ostermalm"),
                 id="district-successor-unknown"),
    pytest.param("neighbourhood", NEIGHBOURHOOD, {"code": "hässelby-gård"}, check("neighbourhood", "regexp"),
                 id="neighbourhood-code-slug"),
    pytest.param("neighbourhood_district",
                 {"neighbourhood": "hasselby-gard", "district": HV, "valid_from": date(2020, 1, 1)},
                 {"valid_to": date(2019, 1, 1)}, check("neighbourhood_district", "valid_to"),
                 id="neighbourhood-district-valid-range"),
    pytest.param("population", POPULATION, {"value": -1}, check("population", "value"), id="population-negative"),
    pytest.param("population", POPULATION, {"year": 1850}, check("population", "year"), id="population-year"),
    pytest.param("population", POPULATION, {"district": "atlantis"}, foreign_key("code: atlantis"),
                 id="population-unknown-district"),
    pytest.param("place", PLACE, {"lat": 57.7}, check("place", "lat"), id="place-lat-outside-stockholm"),
    pytest.param("place", PLACE, {"lon": 11.97}, check("place", "lon"), id="place-lon-outside-stockholm"),
    pytest.param("place", PLACE, {"code": "Maltesholmstorget"}, check("place", "regexp_full_match"),
                 id="place-code-slug"),
    pytest.param("place", PLACE, {"district": "atlantis"}, foreign_key("code: atlantis"),
                 id="place-unknown-district"),
    pytest.param("place", PLACE, {"kind": "galleria"}, foreign_key("code: galleria"), id="place-kind"),
    pytest.param("place", PLACE, {"lat": None}, not_null("place", "lat"), id="place-no-coordinates"),
    pytest.param("priority_area", AREA, {"number": 0}, check("priority_area", "number"),
                 id="priority-area-number"),
    pytest.param("priority_area", AREA, {"code": "unga_i_riskzon"}, check("priority_area", "regexp_full_match"),
                 id="priority-area-code-slug"),
    pytest.param("goal", LOCAL_GOAL, {"district": None}, check("goal", "scope"), id="local-goal-without-district"),
    pytest.param("goal", CITY_GOAL, {"district": HV}, check("goal", "scope"), id="city-goal-with-district"),
    pytest.param("goal", CITY_GOAL, {"scope": "region"}, check("goal", "scope"), id="goal-scope"),
    pytest.param("goal", CITY_GOAL, {"text": "   "}, check("goal", "regexp_matches"), id="goal-empty-text"),
    pytest.param("goal", CITY_GOAL, {"number": 0}, check("goal", "number"), id="goal-number"),
    pytest.param("goal", CITY_GOAL, {"priority_area": "okand"}, foreign_key("code: okand"),
                 id="goal-unknown-priority-area"),
    pytest.param("goal", LOCAL_GOAL, {"district": "atlantis"}, foreign_key("code: atlantis"),
                 id="local-goal-unknown-district"),
    pytest.param("event_category", CATEGORY, {"code": "Nedskräpning"}, check("event_category", "regexp"),
                 id="event-category-code-slug"),
    pytest.param("indicator", INDICATOR, {"direction": "up"}, check("indicator", "direction"),
                 id="indicator-unknown-direction"),
    pytest.param("indicator", INDICATOR, {"unit": "procent"}, check("indicator", "unit"), id="indicator-unit"),
    pytest.param("indicator", INDICATOR, {"frequency": "daily"}, check("indicator", "frequency"),
                 id="indicator-frequency"),
    pytest.param("indicator", INDICATOR, {"aggregation": "median"}, check("indicator", "aggregation"),
                 id="indicator-aggregation"),
    pytest.param("indicator", INDICATOR, {"level": "region"}, check("indicator", "level"), id="indicator-level"),
    pytest.param("indicator", INDICATOR, {"code": "oros anmalningar"}, check("indicator", "regexp_full_match"),
                 id="indicator-code-slug"),
    pytest.param("indicator", EVENT_INDICATOR, {"unit": "andel", "aggregation": "mean"},
                 check("indicator", "event_category"), id="event-indicator-share"),
    pytest.param("indicator", EVENT_INDICATOR, {"aggregation": "mean"}, check("indicator", "event_category"),
                 id="event-indicator-not-sum"),
    pytest.param("indicator", EVENT_INDICATOR, {"event_category": "brand"}, foreign_key("code: brand"),
                 id="event-indicator-unknown-category"),
    pytest.param("goal_indicator", {"goal": "pa2-1", "indicator": "otrygghet"}, {"indicator": "okand"},
                 foreign_key("code: okand"), id="goal-indicator-unknown-indicator"),
    pytest.param("import_log", IMPORT, {"kind": "excel"}, foreign_key("code: excel"), id="import-log-kind"),
    pytest.param("import_log", IMPORT, {"rows_added": -1}, check("import_log", "rows_added"),
                 id="import-log-negative-rows"),
    pytest.param("target", TARGET, {"target_start": None, "target_grain": None},
                 check("target", "target_value"), id="target-value-without-period"),
    pytest.param("target", DIRECTIONAL_TARGET, {"target_start": date(2026, 1, 1), "target_grain": "year"},
                 check("target", "target_value"), id="target-period-without-value"),
    pytest.param("target", TARGET, {"target_grain": None}, check("target", "target_grain"),
                 id="target-start-without-grain"),
    pytest.param("target", TARGET, {"target_start": date(2022, 1, 1)}, check("target", "baseline_start"),
                 id="target-before-baseline"),
    pytest.param("target", TARGET, {"tolerance": -1.0}, check("target", "tolerance"), id="target-negative-tolerance"),
    pytest.param("target", TARGET, {"baseline_grain": "survey"}, check("target", "baseline_grain"),
                 id="target-baseline-grain"),
    pytest.param("target", TARGET, {"place": "okand-plats"}, foreign_key("code: okand-plats, district: hasselby-vallingby"),
                 id="target-unknown-place"),
    pytest.param("observation", COUNT, {"place": "okand-plats"}, foreign_key("code: okand-plats, district: hasselby-vallingby"),
                 id="observation-unknown-place"),
    pytest.param("observation", COUNT, {"district": "atlantis"}, foreign_key("code: atlantis"),
                 id="observation-unknown-district"),
    pytest.param("observation", COUNT, {"indicator": "okand"}, foreign_key("code: okand, unit: antal"),
                 id="observation-unknown-indicator"),
    pytest.param("observation", SHARE, {"unit": "antal", "numerator": None, "denominator": None},
                 foreign_key("code: otrygghet, unit: antal"), id="observation-unit-differs-from-indicator"),
    pytest.param("observation", SHARE, {"value": 100.5}, check("observation", "andel"), id="share-above-100"),
    pytest.param("observation", SHARE, {"value": -0.5}, check("observation", "andel"), id="share-below-0"),
    pytest.param("observation", COUNT, {"value": -1.0}, check("observation", "antal"), id="negative-count"),
    pytest.param("observation", {**COUNT, "indicator": "brott-per-1000", "unit": "per_1000", "place": None,
                                 "period_start": date(2024, 1, 1), "grain": "year"},
                 {"value": -0.1}, check("observation", "per_1000"), id="negative-rate"),
    pytest.param("observation", {**COUNT, "indicator": "felaktiga-utbetalningar", "unit": "kronor", "place": None,
                                 "period_start": date(2024, 1, 1), "grain": "year"},
                 {"value": -500.0}, check("observation", "kronor"), id="negative-kronor"),
    pytest.param("observation", COUNT, {"value": math.nan}, check("observation", "isfinite"), id="value-nan"),
    pytest.param("observation", COUNT, {"value": math.inf}, check("observation", "isfinite"), id="value-infinite"),
    pytest.param("observation", SHARE, {"numerator": 381.0}, check("observation", "numerator <= denominator"),
                 id="numerator-above-denominator"),
    pytest.param("observation", SHARE, {"denominator": 0.0}, check("observation", "denominator"),
                 id="denominator-zero"),
    pytest.param("observation", SHARE, {"numerator": -1.0}, check("observation", "numerator"),
                 id="numerator-negative"),
    pytest.param("observation", COUNT, {"grain": "day"}, check("observation", "grain"), id="observation-grain"),
    pytest.param("observation", COUNT, {"period_start": date(2025, 3, 2)}, check("observation", "dayofmonth"),
                 id="month-not-on-day-1"),
    pytest.param("observation", {**COUNT, "grain": "week", "period_start": date(2025, 3, 3)},
                 {"period_start": date(2025, 3, 4)}, check("observation", "isodow"), id="week-not-monday"),
    pytest.param("observation", {**COUNT, "grain": "week", "period_start": date(2025, 3, 3)},
                 {"period_start": date(2025, 3, 9)}, check("observation", "isodow"), id="week-on-sunday"),
    pytest.param("observation", {**COUNT, "grain": "quarter", "period_start": date(2025, 4, 1)},
                 {"period_start": date(2025, 2, 1)}, check("observation", "isodow"), id="quarter-start-month"),
    pytest.param("observation", {**COUNT, "grain": "tertial", "period_start": date(2025, 5, 1)},
                 {"period_start": date(2025, 4, 1)}, check("observation", "isodow"), id="tertial-start-month"),
    pytest.param("observation", {**COUNT, "grain": "tertial", "period_start": date(2025, 9, 1)},
                 {"period_start": date(2025, 9, 2)}, check("observation", "isodow"), id="tertial-not-on-day-1"),
    pytest.param("observation", {**COUNT, "grain": "year", "period_start": date(2025, 1, 1)},
                 {"period_start": date(2025, 7, 1)}, check("observation", "isodow"), id="year-not-january"),
    pytest.param("observation", COUNT, {"load_id": 999}, foreign_key("id: 999"), id="observation-unknown-load"),
    pytest.param("event", EVENT, {"district": None}, check("event", "place IS NULL"),
                 id="event-place-without-district"),
    pytest.param("event", EVENT, {"source": "twitter"}, foreign_key("code: twitter"), id="event-source"),
    pytest.param("event", EVENT, {"category": "brand"}, foreign_key("code: brand"), id="event-unknown-category"),
    pytest.param("event", EVENT, {"place": "okand-plats"}, foreign_key("code: okand-plats, district: hasselby-vallingby"),
                 id="event-unknown-place"),
    pytest.param("event", EVENT, {"occurred_at": None}, not_null("event", "occurred_at"), id="event-no-time"),
    pytest.param("activity", ACTIVITY, {"end_date": date(2025, 2, 28)}, check("activity", "end_date"),
                 id="activity-ends-before-start"),
    pytest.param("activity", ACTIVITY, {"status": "paused"}, check("activity", "status"),
                 id="activity-unknown-status"),
    pytest.param("activity", ACTIVITY, {"level": "targeted"}, check("activity", "level"),
                 id="activity-unknown-level"),
    pytest.param("activity", ACTIVITY, {"prevention_type": "technical"}, check("activity", "prevention_type"),
                 id="activity-unknown-prevention-type"),
    pytest.param("activity", ACTIVITY, {"title": " "}, check("activity", "title"), id="activity-empty-title"),
    pytest.param("activity", ACTIVITY, {"lead_org": ""}, check("activity", "lead_org"),
                 id="activity-empty-lead-org"),
    pytest.param("activity", ACTIVITY, {"district": "atlantis"}, foreign_key("code: atlantis"),
                 id="activity-unknown-district"),
    pytest.param("comment", COMMENT, {"goal": None}, check("comment", "goal IS NOT NULL"),
                 id="comment-without-goal-or-indicator"),
    pytest.param("comment", COMMENT, {"body": "  "}, check("comment", "body"), id="comment-empty-body"),
    pytest.param("comment", COMMENT, {"grain": "survey"}, check("comment", "grain"), id="comment-grain"),
    pytest.param("comment", COMMENT, {"supersedes": 999}, foreign_key("id: 999"),
                 id="comment-supersedes-unknown"),
    pytest.param("comment", {**COMMENT, "goal": None, "indicator": "otrygghet"}, {"indicator": "okand"},
                 foreign_key("code: okand"), id="comment-unknown-indicator"),
    pytest.param("comment", COMMENT, {"district": "atlantis"}, foreign_key("code: atlantis"),
                 id="comment-unknown-district"),
    pytest.param("goal", CITY_GOAL, {"code": "PA2-2"}, check("goal", "regexp_full_match"), id="goal-code-slug"),
    pytest.param("goal_indicator", {"goal": "pa2-1", "indicator": "otrygghet"}, {"goal": "pa9-9"},
                 foreign_key("code: pa9-9"), id="goal-indicator-unknown-goal"),
    pytest.param("event", EVENT, {"district": "atlantis", "place": None}, foreign_key("code: atlantis"),
                 id="event-unknown-district"),
    pytest.param("event", EVENT, {"load_id": 999}, foreign_key("id: 999"), id="event-unknown-load"),
    pytest.param("activity", ACTIVITY, {"place": "okand-plats"}, foreign_key("code: okand-plats, district: hasselby-vallingby"),
                 id="activity-unknown-place"),
    pytest.param("target", TARGET, {"district": "atlantis"}, foreign_key("code: atlantis"),
                 id="target-unknown-district"),
    pytest.param("target", TARGET, {"indicator": "okand"}, foreign_key("code: okand"),
                 id="target-unknown-indicator"),
    pytest.param("target", TARGET, {"target_grain": "survey"}, check("target", "target_grain IN"),
                 id="target-grain"),
    pytest.param("import_log", IMPORT, {"rows_changed": -1}, check("import_log", "rows_changed"),
                 id="import-log-negative-changed"),
    pytest.param("import_log", IMPORT, {"rows_skipped": -1}, check("import_log", "rows_skipped"),
                 id="import-log-negative-skipped"),
    pytest.param("import_log", IMPORT, {"file_name": None}, not_null("import_log", "file_name"),
                 id="import-log-no-file-name"),
    pytest.param("neighbourhood_district",
                 {"neighbourhood": "hasselby-gard", "district": HV, "valid_from": date(2020, 1, 1)},
                 {"district": "atlantis"}, foreign_key("code: atlantis"), id="neighbourhood-district-unknown-district"),
    pytest.param("indicator", INDICATOR, {"source": None}, not_null("indicator", "source"), id="indicator-no-source"),
    # a place must lie in the row's district (composite key place (code, district))
    pytest.param("observation", COUNT, {"district": "stockholm"}, foreign_key("code: hasselby-torg, district: stockholm"),
                 id="observation-place-in-other-district"),
    pytest.param("event", EVENT, {"district": "stockholm"}, foreign_key("code: hasselby-torg, district: stockholm"),
                 id="event-place-in-other-district"),
    pytest.param("activity", ACTIVITY, {"district": "stockholm"},
                 foreign_key("code: hasselby-torg, district: stockholm"), id="activity-place-in-other-district"),
    pytest.param("target", TARGET, {"district": "stockholm"}, foreign_key("code: hasselby-torg, district: stockholm"),
                 id="target-place-in-other-district"),
]


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Number of rows in a table."""
    (count,) = con.table(table).count("*").fetchone()
    return count


@pytest.mark.parametrize(("table", "good", "bad_changes", "error"), REJECTED)
def test_bad_row_rejected_good_row_accepted(
    parent_con: duckdb.DuckDBPyConnection, insert_row: InsertRow, table: str, good: Row, bad_changes: Row, error: str
) -> None:
    """The bad row fails on the intended constraint; the good row it was made from goes in."""
    if table == "neighbourhood_district":
        insert_row("neighbourhood", NEIGHBOURHOOD)
    before = count_rows(parent_con, table)
    with pytest.raises(duckdb.ConstraintException, match=error):
        insert_row(table, {**good, **bad_changes})
    assert count_rows(parent_con, table) == before
    insert_row(table, good)
    assert count_rows(parent_con, table) == before + 1


# (table, first row, a row clashing with it, a row next to it that differs in the key)
DUPLICATES = [
    pytest.param("district", DISTRICT, {**DISTRICT, "code": "bromma-2"}, {**DISTRICT, "code": "bromma-2",
                 "name": "Bromma 2"}, id="district-name-unique"),
    pytest.param("district", DISTRICT, {**DISTRICT, "name": "Bromma 2"}, {**DISTRICT, "code": "bromma-2",
                 "name": "Bromma 2"}, id="district-code-key"),
    pytest.param("place", PLACE, {**PLACE, "code": "maltesholms-torg"},
                 {**PLACE, "code": "maltesholms-torg", "name": "Maltesholms torg"}, id="place-name-unique"),
    pytest.param("priority_area", AREA, {**AREA, "code": "unga", "name": "Unga"},
                 {**AREA, "code": "unga", "name": "Unga", "number": 3}, id="priority-area-number-unique"),
    pytest.param("indicator", INDICATOR, {**INDICATOR, "code": "oros-2"},
                 {**INDICATOR, "code": "oros-2", "name": "Oros 2"}, id="indicator-name-unique"),
    pytest.param("population", POPULATION, {**POPULATION, "value": 75_000}, {**POPULATION, "year": 2025},
                 id="population-one-per-year"),
    pytest.param("goal_indicator", {"goal": "pa2-1", "indicator": "otrygghet"},
                 {"goal": "pa2-1", "indicator": "otrygghet"}, {"goal": "pa2-1", "indicator": "anmalda-brott"},
                 id="goal-indicator-key"),
    pytest.param("event", EVENT, {**EVENT, "occurred_at": datetime(2025, 3, 5, 8, 0)},
                 {**EVENT, "source": "polisen"}, id="event-source-id-unique-per-source"),
    pytest.param("database_info", {"key": "demo", "value": "true"}, {"key": "demo", "value": "false"},
                 {"key": "demo_seed", "value": "1"}, id="database-info-key"),
    pytest.param("priority_area", AREA, {**AREA, "code": "unga", "number": 3}, {**AREA, "code": "unga",
                 "number": 3, "name": "Unga 2"}, id="priority-area-name-unique"),
    pytest.param("event_category", CATEGORY, {**CATEGORY, "code": "skrap"}, {"code": "skrap", "name": "Skräp"},
                 id="event-category-name-unique"),
    pytest.param("neighbourhood", NEIGHBOURHOOD, {**NEIGHBOURHOOD, "code": "hasselby-gard-2"},
                 {"code": "hasselby-gard-2", "name": "Hässelby gård 2"}, id="neighbourhood-name-unique"),
    pytest.param("district_successor", SUCCESSOR, {**SUCCESSOR, "from_date": date(2024, 1, 1)},
                 {**SUCCESSOR, "district": "stockholm", "successor": HV}, id="district-successor-key"),
    pytest.param("goal", CITY_GOAL, {**CITY_GOAL, "text": "Annan text."}, {**CITY_GOAL, "code": "pa2-3"},
                 id="goal-code-key"),
    pytest.param("schema_version", {"version": 7}, {"version": 7}, {"version": 8}, id="schema-version-key"),
    pytest.param("observation", COUNT, {**COUNT, "value": 13.0}, {**COUNT, "period_start": date(2025, 4, 1)},
                 id="observation-one-value-per-place-and-period"),
    pytest.param("observation", {**COUNT, "place": None}, {**COUNT, "place": None, "value": 13.0}, COUNT,
                 id="observation-one-value-per-whole-district-and-period"),
]


@pytest.mark.parametrize(("table", "first", "clash", "other"), DUPLICATES)
def test_duplicate_rejected_distinct_accepted(
    parent_con: duckdb.DuckDBPyConnection, insert_row: InsertRow, table: str, first: Row, clash: Row, other: Row
) -> None:
    """A row repeating a unique key is refused; a row differing in that key is not."""
    insert_row(table, first)
    with pytest.raises(duckdb.ConstraintException, match="(?i)duplicate key"):
        insert_row(table, clash)
    insert_row(table, other)


@pytest.mark.parametrize(
    ("table", "row", "column"),
    [("goal", CITY_GOAL, "text"), ("activity", ACTIVITY, "title"), ("comment", COMMENT, "body")],
)
def test_whitespace_only_text_rejected(insert_row: InsertRow, table: str, row: Row, column: str) -> None:
    """A text of only line breaks and tabs is as empty as one of spaces."""
    try:
        insert_row(table, {**row, column: "\n\t "})
    except duckdb.ConstraintException:
        return
    raise AssertionError(f"{table}.{column} accepted a text of only whitespace")


def test_events_without_source_id_may_repeat(insert_row: InsertRow, parent_con: duckdb.DuckDBPyConnection) -> None:
    """The (source, source_id) key only binds when the source gave an id."""
    insert_row("event", {**EVENT, "source_id": None})
    insert_row("event", {**EVENT, "source_id": None})
    assert count_rows(parent_con, "event") == 2


def test_index_may_be_negative(insert_row: InsertRow, parent_con: duckdb.DuckDBPyConnection) -> None:
    """Only counts, rates and kronor must be >= 0; an index can go below zero."""
    insert_row("observation", {**COUNT, "indicator": "trygghetsindex", "unit": "index", "place": None,
                               "period_start": date(2024, 1, 1), "grain": "year", "value": -0.4})
    assert count_rows(parent_con, "observation") == 1


@pytest.mark.parametrize("value", [0.0, 100.0])
def test_share_bounds_are_inclusive(insert_row: InsertRow, value: float) -> None:
    """A share of exactly 0 or 100 % is possible."""
    insert_row("observation", {**SHARE, "value": value})


def test_activity_goal_needs_existing_activity_and_goal(
    insert_row: InsertRow, parent_con: duckdb.DuckDBPyConnection
) -> None:
    """activity_goal links only existing goals; the activity is checked by followup.actionplan (schema v2:
    DuckDB cannot update an activity that a foreign key points at)."""
    insert_row("activity", ACTIVITY)
    (activity_id,) = parent_con.execute("select max(id) from activity").fetchone()
    with pytest.raises(duckdb.ConstraintException, match=foreign_key("code: pa9-9")):
        insert_row("activity_goal", {"activity": activity_id, "goal": "pa9-9"})
    insert_row("activity_goal", {"activity": activity_id, "goal": "pa2-1"})


def test_comment_may_supersede_an_existing_comment(
    insert_row: InsertRow, parent_con: duckdb.DuckDBPyConnection
) -> None:
    """A new version of a comment points at the comment it replaces."""
    insert_row("comment", COMMENT)
    (first,) = parent_con.execute("select max(id) from comment").fetchone()
    insert_row("comment", {**COMMENT, "body": "Ny version.", "supersedes": first})
    insert_row("comment", {**COMMENT, "goal": None, "indicator": "klotter-est"})
    assert count_rows(parent_con, "comment") == 3


# indicator_value: observations pass through; events become weekly counts per place and per district


def indicator_values(con: duckdb.DuckDBPyConnection, indicator: str) -> dict[tuple[str | None, date], float]:
    """{(place, week start): value} for one indicator's weekly rows in the view (after the summary is counted)."""
    est_summary.refresh(con)  # every write of events does this (followup.est_summary)
    rows = con.execute(
        "select place, period_start, value from indicator_value where indicator = $i and grain = 'week'",
        {"i": indicator},
    ).fetchall()
    assert len(rows) == len({(place, start) for place, start, _ in rows}), "duplicate rows in indicator_value"
    return {(place, start): value for place, start, value in rows}


def test_indicator_value_counts_events_per_place_and_district(
    insert_row: InsertRow, parent_con: duckdb.DuckDBPyConnection
) -> None:
    """Events give place rows and whole-district rows; the district row = its places + events without place."""
    insert_row("place", PLACE)
    insert_row("event_category", CATEGORY)
    week1, week2 = date(2025, 3, 3), date(2025, 3, 10)  # Mondays
    events = [
        (TORG, datetime(2025, 3, 3, 0, 0)),  # Monday midnight: week 1
        (TORG, datetime(2025, 3, 9, 23, 59)),  # Sunday night: still week 1
        (TORG, datetime(2025, 3, 10, 0, 0)),  # next Monday: week 2
        ("maltesholmstorget", datetime(2025, 3, 5, 14, 0)),
        (None, datetime(2025, 3, 6, 12, 0)),  # district known, place not
    ]
    for number, (place, occurred) in enumerate(events):
        insert_row("event", {**EVENT, "source_id": f"e{number}", "place": place, "occurred_at": occurred})
    # not counted: no district, or a category no indicator is computed from
    insert_row("event", {**EVENT, "source_id": "city", "district": None, "place": None})
    insert_row("event", {**EVENT, "source_id": "litter", "category": "nedskrapning"})

    values = indicator_values(parent_con, "klotter-est")

    assert values == {
        (TORG, week1): 2.0,
        (TORG, week2): 1.0,
        ("maltesholmstorget", week1): 1.0,
        (None, week1): 4.0,
        (None, week2): 1.0,
    }
    for week in (week1, week2):
        places = sum(v for (place, start), v in values.items() if place is not None and start == week)
        without_place = sum(1 for place, occurred in events if place is None and occurred.date() >= week
                            and (occurred.date() - week).days < 7)
        assert values[(None, week)] == places + without_place
    districts = parent_con.execute(
        "select distinct district from indicator_value where indicator = 'klotter-est'"
    ).fetchall()
    assert districts == [(HV,)]


def test_indicator_value_passes_observations_through(
    insert_row: InsertRow, parent_con: duckdb.DuckDBPyConnection
) -> None:
    """Observation rows appear unchanged, with their grain, n and flags."""
    insert_row("observation", {**SHARE, "series_break": True})
    insert_row("observation", COUNT)
    rows = parent_con.execute(
        "select indicator, district, place, period_start, grain, value, numerator, denominator, series_break "
        "from indicator_value order by indicator"
    ).fetchall()
    assert rows == [
        ("anmalda-brott", HV, TORG, date(2025, 3, 1), "month", 12.0, None, None, False),
        ("otrygghet", HV, None, date(2024, 1, 1), "year", 31.5, 120.0, 380.0, True),
    ]


def test_parents_fixture_is_what_the_tests_assume(parent_con: duckdb.DuckDBPyConnection) -> None:
    """Guard: the parent rows exist, so a failing insert above fails for its own reason."""
    assert count_rows(parent_con, "district") == 2
    assert count_rows(parent_con, "place") == 1
    assert count_rows(parent_con, "indicator") == 6


def test_insert_helper_binds_values(parent_con: duckdb.DuckDBPyConnection) -> None:
    """The helper binds values: a quote in a value is data, not SQL."""
    insert(parent_con, "event_category", {"code": "brand", "name": "Brand'; drop table place; --"})
    assert parent_con.execute("select name from event_category where code = 'brand'").fetchone() == (
        "Brand'; drop table place; --",
    )
    assert count_rows(parent_con, "place") == 1


# --- open vocabularies (schema version 4) -------------------------------------------------------------------


@pytest.mark.parametrize(("table", "enum"), list(VOCABULARIES.items()))
def test_vocabulary_rows_are_exactly_the_enums_values(schema_con: duckdb.DuckDBPyConnection, table: str,
                                                      enum: type[StrEnum]) -> None:
    """Every enum value is a row (the code can write it) and every row an enum value (no kind without code)."""
    rows = {code for (code,) in schema_con.execute(f"select code from {table}").fetchall()}
    values = {member.value for member in enum}
    assert rows - values == set(), f"{table} has rows {enum.__name__} lacks: add them to followup/model.py"
    assert values - rows == set(), f"{enum.__name__} has values {table} lacks: add a migration inserting them"


def test_load_kind_names_are_the_importers_names(schema_con: duckdb.DuckDBPyConnection) -> None:
    names = dict(schema_con.execute("select code, name from load_kind").fetchall())
    assert {kind.value: name for kind, name in imports.KIND_NAMES.items()} == {
        kind.value: names[kind.value] for kind in imports.KIND_NAMES
    }


def test_reference_places_have_kinds_of_the_vocabulary(schema_con: duckdb.DuckDBPyConnection) -> None:
    kinds = {code for (code,) in schema_con.execute("select code from place_kind").fetchall()}
    used = {row["kind"] for row in csv.DictReader(reference.csv_path("place").open(encoding="utf-8"))}
    assert used <= kinds


def test_vocabularies_are_foreign_keys_not_checks(schema_con: duckdb.DuckDBPyConnection) -> None:
    keys = set(schema_con.execute(
        "select table_name, constraint_column_names[1], referenced_table from duckdb_constraints() "
        "where constraint_type = 'FOREIGN KEY'").fetchall())
    assert {("import_log", "kind", "load_kind"), ("event", "source", "event_source"),
            ("place", "kind", "place_kind"), ("source_code", "source", "load_kind")} <= keys
    checks = [text for (text,) in schema_con.execute(
        "select constraint_text from duckdb_constraints() where constraint_type = 'CHECK' "
        "and table_name in ('import_log', 'event', 'place', 'source_code')").fetchall()]
    assert not [text for text in checks if "'polisen'" in text or "'kolada'" in text or "'torg'" in text]


@pytest.mark.parametrize(("vocabulary", "table", "row"), [
    ("load_kind", "import_log", {**IMPORT, "kind": "targets"}),
    ("event_source", "event", {"source": "trygghetsvandring", "occurred_at": datetime(2025, 3, 1, 12),
                               "district": HV, "category": "klotter"}),
    ("place_kind", "place", {**PLACE, "kind": "skola"}),
    ("load_kind", "source_code", {"source": "targets", "code": "x1", "indicator": "anmalda-brott"}),
])
def test_a_new_kind_is_one_insert(insert_row: InsertRow, parent_con: duckdb.DuckDBPyConnection, vocabulary: str,
                                  table: str, row: Row) -> None:
    """An unknown kind is refused; after an INSERT into its vocabulary it is accepted, with referencing rows stored."""
    insert_row("import_log", IMPORT)
    insert_row("event", {"source": "est", "occurred_at": datetime(2025, 3, 1, 12), "district": HV,
                         "place": TORG, "category": "klotter", "load_id": 1})
    with pytest.raises(duckdb.ConstraintException, match="foreign key"):
        insert_row(table, row)
    new = next(value for key, value in row.items() if key in ("kind", "source"))
    parent_con.execute(f"insert into {vocabulary} (code, name) values ($code, $code)", {"code": new})
    insert_row(table, row)
