"""followup/places.py: a place's counts against the same days a year earlier, signal or noise, in Swedish."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from followup import fmt, places
from followup.places import Measure
from followup.status import Trend


def row(**changes: Any) -> dict[str, Any]:
    """A place_ranking row: crimes at Hässelby torg jan–aug 2025 against jan–aug 2024, complete, no break."""
    base = {
        "place": "hasselby-torg", "name": "Hässelby torg", "measure": "crimes", "direction": "lower_is_better",
        "current": 41.0, "previous": 78.0,
        "current_from": date(2025, 1, 1), "current_to": date(2025, 8, 31),
        "previous_from": date(2024, 1, 1), "previous_to": date(2024, 8, 31),
        "current_missing": 0, "previous_missing": 0, "series_break": None,
    }
    return base | changes


def compare(**changes: Any) -> places.Change:
    """compare_row on row(**changes) as crimes at Hässelby torg."""
    measure = Measure(changes.get("measure", "crimes"))
    return places.compare_row(row(**changes), subject="Anmälda brott på Hässelby torg", measure=measure,
                              period_label="jan–aug 2025")


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (date(2025, 1, 1), date(2025, 8, 31), "jan–aug 2025"),
        (date(2025, 1, 1), date(2025, 12, 31), "2025"),
        (date(2025, 3, 1), date(2025, 3, 31), "mars 2025"),
        (date(2024, 11, 1), date(2025, 2, 28), "nov 2024–feb 2025"),
        (date(2025, 1, 1), date(2025, 10, 26), "1 jan–26 okt 2025"),
        (date(2025, 9, 1), date(2025, 9, 28), "1–28 sep 2025"),
        (date(2024, 12, 15), date(2025, 1, 3), "15 dec 2024–3 jan 2025"),
        (date(2025, 10, 26), date(2025, 10, 26), "26 okt 2025"),
        (date(2024, 2, 1), date(2024, 2, 29), "februari 2024"),  # a leap day ends a whole month
        (date(2023, 2, 1), date(2023, 2, 28), "februari 2023"),
    ],
)
def test_days_label(first: date, last: date, label: str) -> None:
    assert places.days_label(first, last) == label


@pytest.mark.parametrize(
    ("changes", "trend", "change_text", "sentence"),
    [
        ({}, Trend.IMPROVING, "−47 %",
         "Anmälda brott på Hässelby torg: 41 jan–aug 2025 mot 78 samma period 2024 (−47 %), större än "
         "slumpvariationen."),
        ({"previous": 58.0}, Trend.UNCHANGED, "−29 %",  # z = −2,4, p ≈ 0,11: the example of noise
         "Anmälda brott på Hässelby torg: 41 jan–aug 2025 mot 58 samma period 2024 (−29 %), inom "
         "slumpvariationen."),
        ({"current": 78.0, "previous": 41.0}, Trend.WORSENING, "+90 %",
         "Anmälda brott på Hässelby torg: 78 jan–aug 2025 mot 41 samma period 2024 (+90 %), större än "
         "slumpvariationen."),
        ({"direction": "higher_is_better"}, Trend.WORSENING, "−47 %", None),
        ({"current": 0.0, "previous": 0.0}, Trend.UNCHANGED, fmt.MISSING,
         "Anmälda brott på Hässelby torg: 0 jan–aug 2025 mot 0 samma period 2024, inom slumpvariationen."),
        ({"current": 10.0, "previous": 0.0}, Trend.WORSENING, fmt.MISSING,  # from nothing: no percentage
         "Anmälda brott på Hässelby torg: 10 jan–aug 2025 mot 0 samma period 2024, större än slumpvariationen."),
        ({"current": 5.0, "previous": 0.0}, Trend.UNCHANGED, fmt.MISSING, None),  # exact test: p = 0,06
        ({"current": 30.0, "previous": 30.0}, Trend.UNCHANGED, "0 %", None),
        ({"current_from": date(2025, 3, 1), "current_to": date(2025, 3, 31), "previous_from": date(2024, 3, 1),
          "previous_to": date(2024, 3, 31)}, Trend.IMPROVING, "−47 %",
         "Anmälda brott på Hässelby torg: 41 i mars 2025 mot 78 samma period 2024 (−47 %), större än "
         "slumpvariationen."),
        ({"current_from": date(2025, 1, 1), "current_to": date(2025, 10, 26), "previous_from": date(2024, 1, 1),
          "previous_to": date(2024, 10, 26)}, Trend.IMPROVING, "−47 %",
         "Anmälda brott på Hässelby torg: 41 under 1 jan–26 okt 2025 mot 78 samma period 2024 (−47 %), större "
         "än slumpvariationen."),
        ({"current_from": date(2024, 11, 1), "current_to": date(2025, 2, 28), "previous_from": date(2023, 11, 1),
          "previous_to": date(2024, 2, 29)}, Trend.IMPROVING, "−47 %",  # the year turns inside the window
         "Anmälda brott på Hässelby torg: 41 nov 2024–feb 2025 mot 78 samma period ett år tidigare "
         "(nov 2023–feb 2024) (−47 %), större än slumpvariationen."),
    ],
)
def test_compare_row_judges_signal_and_noise(changes: dict[str, Any], trend: Trend, change_text: str,
                                             sentence: str | None) -> None:
    change = compare(**changes)
    assert change.trend is trend
    assert change.change_text == change_text.replace(" ", "\u00a0")
    assert change.comparable and change.reason is None
    assert change.previous == row(**changes)["previous"]
    if sentence is not None:
        assert change.explanation.replace("\u00a0", " ") == sentence


@pytest.mark.parametrize(
    ("changes", "reason", "shows_current"),
    [
        ({"current": None, "previous": None, "current_to": None, "previous_to": None},
         "det finns inga värden för jan–aug 2025", False),
        ({"current_to": None}, "det finns inga värden för jan–aug 2025", False),  # the period lies after the data
        ({"current_missing": 3}, "värde saknas för 3 av 8 månader jan–aug 2025", True),
        ({"previous_missing": 1}, "värde saknas för 1 av 8 månader jan–aug 2024", True),
        ({"previous": None, "previous_missing": 8}, "värde saknas för 8 av 8 månader jan–aug 2024", True),
        ({"series_break": pd.Timestamp("2025-01-01")},
         "serien bryts januari 2025 (ny definition eller källa) och perioder före och efter brottet får inte "
         "jämföras", True),
        ({"measure": "incidents", "previous_missing": 40},
         "stadsdelsområdet inte rapporterade till EST under hela jan–aug 2024", True),
        ({"measure": "incidents", "current_missing": 5},
         "stadsdelsområdet inte rapporterade till EST under hela jan–aug 2025", True),
    ],
)
def test_compare_row_says_why_it_cannot_compare(changes: dict[str, Any], reason: str, shows_current: bool) -> None:
    change = compare(**changes)
    assert change.trend is Trend.NO_DATA
    assert not change.comparable
    assert change.reason == reason
    assert change.previous is None and change.change_text == fmt.MISSING
    assert reason in change.explanation
    assert change.explanation.startswith("Anmälda brott på Hässelby torg: ")
    assert (change.current == row(**changes)["current"]) if shows_current else change.current is None
    assert ("41 jan–aug 2025, men ingen" in change.explanation) == shows_current


def test_missing_cells_as_pandas_gives_them() -> None:
    """NaN counts and NaT dates from a query result are missing, not zero."""
    change = compare(current=float("nan"), current_to=pd.NaT, series_break=pd.NaT)
    assert change.trend is Trend.NO_DATA and change.current is None


RANKING = pd.DataFrame([
    row(place="maltesholmstorget", name="Maltesholmstorget", measure="incidents", current=847.0, previous=742.0),
    row(place="hasselby-torg", name="Hässelby torg", measure="incidents", current=768.0, previous=873.0),
    row(place="racksta", name="Råcksta", measure="incidents", current=220.0, previous=236.0),
    row(place="hasselby-torg", name="Hässelby torg", measure="crimes", current=173.0, previous=522.0),
    row(place="maltesholmstorget", name="Maltesholmstorget", measure="crimes", current=373.0, previous=275.0,
        series_break=date(2025, 1, 1)),
])


def test_measure_changes_takes_one_measure_in_query_order() -> None:
    incidents = places.measure_changes(RANKING, Measure.INCIDENTS, period_label="jan–aug 2025")
    assert [(c.name, c.trend) for c in incidents] == [
        ("Maltesholmstorget", Trend.WORSENING), ("Hässelby torg", Trend.IMPROVING), ("Råcksta", Trend.UNCHANGED)]
    assert incidents[0].explanation.startswith("EST-rapporter på Maltesholmstorget: 847 jan–aug 2025 mot 742")
    crimes = places.measure_changes(RANKING, Measure.CRIMES, period_label="jan–aug 2025")
    assert [c.trend for c in crimes] == [Trend.IMPROVING, Trend.NO_DATA]


def test_ranking_frame_leaves_out_what_may_not_be_compared() -> None:
    crimes = places.measure_changes(RANKING, Measure.CRIMES, period_label="jan–aug 2025")
    frame = places.ranking_frame(crimes)
    assert list(frame.columns) == ["place", "current", "previous", "trend", "change_text"]
    malte = frame.to_dict("records")[1]
    assert pd.isna(malte.pop("previous"))  # no tick for last year across the break
    assert malte == {"place": "Maltesholmstorget", "current": 373.0, "trend": "no_data", "change_text": fmt.MISSING}
    assert frame.iloc[0]["previous"] == 522.0 and frame.iloc[0]["trend"] == "improving"
    assert places.ranking_frame([]).empty


def test_category_changes_name_the_category_and_place() -> None:
    categories = pd.DataFrame([row(category="klotter", name="Klotter", current=113.0, previous=145.0)]).drop(
        columns=["place", "measure", "direction", "series_break"])
    [change] = places.category_changes(categories, "Hässelby torg", period_label="jan–aug 2025")
    assert change.code == "klotter"
    assert change.explanation.startswith("Klotter på Hässelby torg: 113 jan–aug 2025 mot 145 samma period 2024")


def test_short_text_and_worst_first() -> None:
    incidents = places.measure_changes(RANKING, Measure.INCIDENTS, period_label="jan–aug 2025")
    crimes = places.measure_changes(RANKING, Measure.CRIMES, period_label="jan–aug 2025")
    assert places.short_text(incidents[0], Measure.INCIDENTS).replace("\u00a0", " ") == \
        "EST-rapporter 847 mot 742 (+14 %)"
    assert places.short_text(crimes[1], Measure.CRIMES).startswith(
        "Anmälda brott 373, ingen jämförelse: serien bryts januari 2025")
    empty = compare(current=None, current_to=None)
    assert places.short_text(empty, Measure.CRIMES) == "Anmälda brott: inga värden"
    ordered = places.worst_first([*incidents, *crimes])
    assert [c.trend for c in ordered] == [Trend.WORSENING, Trend.IMPROVING, Trend.IMPROVING, Trend.UNCHANGED,
                                          Trend.NO_DATA]
    assert [c.name for c in ordered[1:3]] == ["Hässelby torg", "Hässelby torg"]
    assert ordered[1].current == 768.0  # the larger count first within a status
