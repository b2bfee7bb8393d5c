"""The Kolada importer: Stockholm's yearly KPI totals as city-level context series."""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup.imports import kolada
from followup.imports.base import OBSERVATION_COLUMNS, Catalogue
from followup.imports.catalogue import catalogue
from followup.model import CITY_DISTRICT, LoadKind

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TODAY = date(2026, 9, 1)


@pytest.fixture(scope="module")
def cat(reference_db_path: Path) -> Catalogue:
    """The reference catalogue with the project's Kolada source codes, today = 2026-09-01."""
    with closing(duckdb.connect(str(reference_db_path), read_only=True)) as con:
        return catalogue(con, TODAY)


def parse(name: str, cat: Catalogue):
    return kolada.parse((FIXTURES / name).read_bytes(), name, cat)


def values(batch) -> dict[tuple[str, int], float]:
    frame = batch.observations
    return {(i, d.year): v for i, d, v in zip(frame["indicator"], frame["period_start"], frame["value"])}


def test_v2_keeps_stockholms_totals_as_city_level_years(cat: Catalogue) -> None:
    batch = parse("kolada_v2.json", cat)
    assert batch.ok, [p.text() for p in batch.problems]
    assert batch.kind is LoadKind.KOLADA
    assert list(batch.observations.columns) == list(OBSERVATION_COLUMNS)
    assert set(batch.observations["district"]) == {CITY_DISTRICT}
    assert batch.observations["place"].isna().all() and set(batch.observations["grain"]) == {"year"}
    # per 100 000 inhabitants in Kolada -> per 1 000 in the indicator
    assert values(batch) == {("kolada-valdsbrott", 2022): pytest.approx(12.345), ("kolada-valdsbrott", 2021): 13.0}


def test_v2_skips_women_men_other_municipalities_missing_values_and_repeats(cat: Catalogue) -> None:
    batch = parse("kolada_v2.json", cat)
    assert batch.skipped == 2 + 1 + 1  # K and M, municipality 0127, a repeated equal record
    notes = " ".join(batch.notes)
    assert "2 värden för kvinnor (K) eller män (M)" in notes and "1 poster för andra kommuner" in notes
    assert "1 värden saknas i Kolada" in notes  # status 'missing', value null: no row, not zero
    assert ("kolada-valdsbrott", 2023) not in values(batch)


def test_v3_with_municipality_id_and_period_in_the_value_items(cat: Catalogue) -> None:
    batch = parse("kolada_v3.json", cat)
    assert batch.ok
    assert values(batch) == {("kolada-valdsbrott", 2024): 11.0, ("kolada-valdsbrott", 2023): 12.5}


def test_a_bare_list_of_records_and_a_numeric_municipality_are_read(cat: Catalogue) -> None:
    data = json.dumps([{"kpi": "n07403", "municipality": 180, "period": "2021",
                        "values": [{"gender": "T", "value": 1500}]}]).encode()  # fmt: skip
    batch = kolada.parse(data, "lista.json", cat)
    assert batch.ok and values(batch) == {("kolada-valdsbrott", 2021): 15.0}


def test_bad_records_are_problems_naming_the_record_and_field(cat: Catalogue) -> None:
    batch = parse("kolada_bad.json", cat)
    where = [(p.row, p.column) for p in batch.problems]
    assert where == [(1, "kpi"), (2, "value"), (3, "period"), (4, "kpi"), (6, "value"), (7, "period")]
    unknown = batch.problems[0].message
    assert "'N07540'" in unknown and "Kända nyckeltal: N07403." in unknown  # N07540 is no longer mapped
    assert "samma nyckeltal och år finns redan i post 5" in batch.problems[4].message
    assert "2030" in batch.problems[5].message


def test_a_per_1000_indicator_fed_by_a_kpi_of_unknown_scale_is_a_problem(cat: Catalogue) -> None:
    extra = pd.DataFrame({"source": ["kolada"], "code": ["N07540"], "indicator": ["kolada-valdsbrott"]})
    mapped = replace(cat, source_codes=pd.concat([cat.source_codes, extra], ignore_index=True))
    data = json.dumps([{"kpi": "N07540", "municipality": "0180", "period": 2023,
                        "values": [{"gender": "T", "value": 13000}]}]).encode()  # fmt: skip
    batch = kolada.parse(data, "x.json", mapped)
    assert [(p.row, p.column) for p in batch.problems] == [(1, "kpi")]
    assert "PER_100_000" in batch.problems[0].message and batch.observations.empty


@pytest.mark.parametrize("name", ["kolada_malformed.json", "kolada_wrong_shape.json"])
def test_malformed_or_wrongly_shaped_json_is_one_whole_file_problem(cat: Catalogue, name: str) -> None:
    batch = parse(name, cat)
    assert [(p.row, p.column) for p in batch.problems] == [(None, None)]
    assert batch.observations.empty


def test_a_negative_rate_is_a_problem(cat: Catalogue) -> None:
    data = json.dumps({"values": [{"kpi": "N07403", "municipality": "0180", "period": 2022,
                                   "values": [{"gender": "T", "value": -5}]}]}).encode()  # fmt: skip
    assert [(p.row, p.column) for p in kolada.parse(data, "x.json", cat).problems] == [(1, "value")]


def test_every_kolada_kpi_maps_to_a_city_level_indicator_in_a_goal(cat: Catalogue) -> None:
    codes = cat.source_codes[cat.source_codes["source"] == "kolada"]
    indicators = cat.indicators.set_index("code")
    assert set(codes["code"]) == set(kolada.PER_100_000)
    assert set(indicators.loc[codes["indicator"], "level"]) == {"city"}
    assert set(indicators.loc[codes["indicator"], "unit"]) == {"per_1000"}
