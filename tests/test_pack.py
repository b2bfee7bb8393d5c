"""followup/pack.py: the meeting pack and the year-end compilation built from the demo and a reference database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import db, fmt, queries, series
from followup.model import Grain
from followup.pack import (
    CHART_COLUMNS,
    MAX_CHARTS,
    Pack,
    SlideKind,
    build_pack,
    build_year_end,
    known_by,
    period_text,
    year_end_tables,
)
from followup.periods import Period, parse_period
from followup.status import DISPLAY, Trend

DISTRICT, NAME = "hasselby-vallingby", "Hässelby-Vällingby"
PERIOD = parse_period("2025-T2")
AS_OF = date(2025, 8, 31)


@pytest.fixture(scope="module")
def demo_con(demo_db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The session's demo database, read-only."""
    with closing(db.open_database(demo_db_path, read_only=True)) as con:
        yield con


@pytest.fixture(scope="module")
def pack(demo_con: duckdb.DuckDBPyConnection) -> Pack:
    """The demo's pack for Hässelby-Vällingby, T2 2025."""
    return build_pack(demo_con, DISTRICT, PERIOD)


def ended_by(values: pd.DataFrame, day: date) -> pd.DataFrame:
    """The rows whose period's last day is on or before `day` (the test's own filter)."""
    keep = [Period(pd.Timestamp(s).date(), Grain(g)).last_day <= day
            for s, g in zip(values["period_start"], values["grain"], strict=True)]
    return values.loc[keep]


def expected_statuses(con: duckdb.DuckDBPyConnection) -> tuple[dict, dict]:
    """Goal and area roll-ups of the district from the named queries and followup.series, as of AS_OF."""
    params = {"district": DISTRICT, "place": ""}
    indicators = queries.run(con, "scope_indicators", **params)
    values = ended_by(queries.run(con, "scope_values", **params, **{"from": date(2015, 1, 1)}), AS_OF)
    targets = queries.run(con, "scope_targets", **params)
    assessments = series.assess_scope(indicators, values, targets, scope_name=NAME, as_of=AS_OF)
    goals = series.goal_statuses(assessments, indicators)
    return goals, series.area_statuses(goals, indicators)


def test_slides_follow_the_agenda(pack: Pack, demo_con: duckdb.DuckDBPyConnection) -> None:
    places = queries.run(demo_con, "district_places", district=DISTRICT)
    with_data = places.loc[places["last_day"].notna(), "name"].tolist()
    assert len(with_data) == 4
    kinds = [slide.kind for slide in pack.slides]
    assert kinds == ([SlideKind.TITLE, SlideKind.OVERVIEW] + [SlideKind.AREA] * 5 + [SlideKind.PLACE] * len(with_data)
                     + [SlideKind.ACTION_PLAN, SlideKind.COMMITMENTS])
    assert [s.title for s in pack.slides if s.kind is SlideKind.PLACE] == with_data
    assert pack.slides[0].title == NAME
    assert "T2 2025" in pack.slides[0].subtitle and "maj–augusti 2025" in pack.slides[0].subtitle
    assert pack.data_date == AS_OF and pack.district_name == NAME and pack.demo


def test_one_slide_alone_equals_the_packs(pack: Pack, demo_con: duckdb.DuckDBPyConnection) -> None:
    """Mötesläge builds only the slide shown: the agenda lists the pack's slides, and each slide built alone
    (a place's without the district's meeting) is the pack's slide."""
    from followup.pack import build_agenda, build_slide, needs_meeting

    agenda = build_agenda(demo_con, DISTRICT, PERIOD)
    assert [(i.kind, i.title) for i in agenda.items] == [(s.kind, s.title) for s in pack.slides]
    assert {needs_meeting(i) for i in agenda.items} == {True, False}  # the demo has place slides
    for number in range(1, len(agenda.items) + 1):
        assert repr(build_slide(demo_con, agenda, number)) == repr(pack.slides[number - 1]), number


def test_overview_and_areas_match_the_status_rules(pack: Pack, demo_con: duckdb.DuckDBPyConnection) -> None:
    goals, areas = expected_statuses(demo_con)
    overview = next(s for s in pack.slides if s.kind is SlideKind.OVERVIEW)
    assert overview.status is None and len(overview.lines) >= 14
    assert [line.trend for line in overview.lines] == list(
        goals[code][0] for code in queries.run(demo_con, "goal_overview", district=DISTRICT)["goal_code"])
    assert overview.lines[4].label.startswith("2.2 Minska brottsligheten")
    assert {line.trend for line in overview.lines} >= {Trend.IMPROVING, Trend.WORSENING, Trend.UNCHANGED}
    area_slides = [s for s in pack.slides if s.kind is SlideKind.AREA]
    assert [(s.status, s.status_text) for s in area_slides] == list(areas.values())
    assert area_slides[1].title == "2. Otrygga och brottsutsatta platser"
    assert [line.label[:3] for line in area_slides[1].lines] == ["2.1", "2.2", "2.3"]


def test_charts_have_the_columns_and_hide_small_sensitive_counts(pack: Pack) -> None:
    charts = [chart for slide in pack.slides for chart in slide.charts]
    assert all(len(slide.charts) <= MAX_CHARTS for slide in pack.slides)
    assert all(tuple(chart.frame.columns) == CHART_COLUMNS for chart in charts)
    sensitive = [chart for chart in charts if chart.sensitive]
    assert {"unga-misstankta-vald", "avhoppare"} <= {chart.indicator for chart in sensitive}
    hidden_somewhere = False
    for chart in sensitive:
        for column in ("value", "last_year", "target"):
            assert not any(fmt.must_hide(v, True) for v in chart.frame[column] if v is not None and pd.notna(v))
        assert not chart.shown["value"].between(1, 4, inclusive="both").any()  # the plan's rows are protected
        small = (chart.shown["hidden"] == fmt.SUPPRESSED).to_numpy()
        hidden_somewhere |= bool(small.any())
        assert chart.frame.loc[small, "value"].isna().all()
        assert (chart.frame.loc[small, "hidden"] == fmt.SUPPRESSED).all()
    assert hidden_somewhere, "the demo should have a sensitive count of 1–4 in a chart"
    assert all(chart.frame["period_start"].max() <= AS_OF for chart in charts)
    crimes = next(c for c in charts if c.key == "hasselby-torg--anmalda-brott-plats")
    assert crimes.frame["target"].notna().any()  # the place's numeric target path


def test_footers_name_district_sources_and_date(pack: Pack) -> None:
    for slide in pack.slides:
        assert NAME in slide.footer and "källa: " in slide.footer
        assert "data t.o.m. 31 augusti 2025" in slide.footer and "Exempeldata" in slide.footer
    area = next(s for s in pack.slides if s.kind is SlideKind.AREA and s.title.startswith("2."))
    assert "EST-rapportering" in area.footer


def test_area_comment_is_the_latest_on_its_goals(pack: Pack) -> None:
    area = next(s for s in pack.slides if s.title.startswith("2."))
    assert area.comment.startswith("Anmälda brott vid Hässelby torg har nästan halverats")



def test_comments_written_about_later_periods_are_left_out(demo_con: duckdb.DuckDBPyConnection) -> None:
    earlier = build_pack(demo_con, DISTRICT, parse_period("2025-T1"), places=[])
    area = next(s for s in earlier.slides if s.title.startswith("2."))
    assert area.comment.startswith("Anmälda brott vid Hässelby torg har minskat kraftigt")  # T1's, not T2's
    assert earlier.data_date == date(2025, 4, 30)


def test_action_plan_and_commitments(pack: Pack) -> None:
    plan = next(s for s in pack.slides if s.kind is SlideKind.ACTION_PLAN).table
    assert list(plan.columns) == ["Insats", "Plats", "Mål", "Ansvarig", "Status", "Start", "Slut"]
    titles = set(plan["Insats"])
    assert {"Sommarlovsprogram 2025", "Platsaktivering Maltesholmstorget"} <= titles  # done in T2; ongoing
    assert "Belysning i Maltesholmsparken" not in titles  # done in 2024
    assert set(plan["Status"]) <= {"Pågår", "Planerad", "Genomförd", "Inställd"}
    due = next(s for s in pack.slides if s.kind is SlideKind.COMMITMENTS).table
    assert list(due.columns) == ["Vad", "Vem", "Klart senast", "Status"]
    assert due["Vad"].str.startswith("Följ upp om anmälda brott flyttar").any()
    assert set(due.loc[due["Vad"].str.startswith("Ta fram en plan"), "Status"]) == {"Klart"}


def test_a_public_pack_has_no_internal_text(pack: Pack, demo_con: duckdb.DuckDBPyConnection) -> None:
    public = build_pack(demo_con, DISTRICT, PERIOD, public=True)
    kinds = [s.kind for s in public.slides]
    assert SlideKind.ACTION_PLAN not in kinds and SlideKind.COMMITMENTS not in kinds
    assert [s.title for s in public.slides] == [s.title for s in pack.slides
                                                if s.kind not in (SlideKind.ACTION_PLAN, SlideKind.COMMITMENTS)]
    assert any(s.comment for s in pack.slides) and not any(s.comment for s in public.slides)
    marked = [c for s in pack.slides for c in s.charts if c.activities is not None and len(c.activities)]
    assert marked, "the internal pack marks activities on some chart"
    assert not [c for s in public.slides for c in s.charts if c.activities is not None and len(c.activities)]
    charts = {(s.title, c.title): c.frame for s in pack.slides for c in s.charts}
    for slide in public.slides:  # the numbers are the same
        for chart in slide.charts:
            pd.testing.assert_frame_equal(chart.frame, charts[(slide.title, chart.title)])


def test_places_can_be_chosen(demo_con: duckdb.DuckDBPyConnection) -> None:
    chosen = build_pack(demo_con, DISTRICT, PERIOD, places=["racksta"])
    assert [s.title for s in chosen.slides if s.kind is SlideKind.PLACE] == ["Råcksta"]
    with pytest.raises(ValueError, match="Okänd plats"):
        build_pack(demo_con, DISTRICT, PERIOD, places=["Atlantis"])


def test_reference_database_gives_the_same_agenda_without_data(reference_db_path: Path) -> None:
    with closing(db.open_database(reference_db_path, read_only=True)) as con:
        empty = build_pack(con, DISTRICT, PERIOD)
    kinds = [slide.kind for slide in empty.slides]
    assert kinds == [SlideKind.TITLE, SlideKind.OVERVIEW] + [SlideKind.AREA] * 5 + [SlideKind.ACTION_PLAN,
                                                                                    SlideKind.COMMITMENTS]
    assert empty.data_date is None and not empty.demo
    assert all("ingen data" in slide.footer and "Exempeldata" not in slide.footer for slide in empty.slides)
    areas = [s for s in empty.slides if s.kind is SlideKind.AREA]
    assert all(s.status is Trend.NO_DATA and not s.charts and s.note for s in areas)
    assert all(line.trend is Trend.NO_DATA for s in areas for line in s.lines)
    assert all(s.table is not None and s.table.empty for s in empty.slides[-2:])


def test_year_end_lists_activities_and_that_years_comments(demo_con: duckdb.DuckDBPyConnection) -> None:
    year = build_year_end(demo_con, DISTRICT, 2024)
    assert year.slides[0].title == "Årssammanställning 2024 – Hässelby-Vällingby"
    areas = [s for s in year.slides if s.kind is SlideKind.AREA]
    assert len(areas) == 5 and year.data_date == date(2024, 12, 31)
    places = next(s for s in areas if s.title.startswith("2."))
    assert list(places.table.columns) == ["Insats", "Status", "Mål"]
    statuses = dict(zip(places.table["Insats"], places.table["Status"], strict=True))
    assert statuses["Belysning i Maltesholmsparken"] == "Genomförd"
    assert statuses["Kameror i Vällingby centrum"] == "Inställd"
    assert statuses["Platssamverkan Maltesholmstorget"] == "Pågår"
    assert "Platsaktivering Maltesholmstorget" not in statuses  # starts in 2025
    assert places.comment.startswith("T3 2024: Platssamverkan vid Hässelby torg har kommit igång")
    assert "2025" not in places.comment.split(":")[0]
    assert all(chart.frame["period_start"].max() <= date(2024, 12, 31) for s in areas for chart in s.charts)
    tables = year_end_tables(year)
    assert set(tables) == {"Målens status", "Insatser", "Styrgruppens analys"}
    assert len(tables["Målens status"]) == sum(len(s.lines) for s in areas)
    assert set(tables["Målens status"]["Status"]) <= {f"{d.icon} {d.word}" for d in DISPLAY.values()}


def test_known_by_keeps_periods_ended_by_the_day() -> None:
    values = pd.DataFrame({
        "period_start": [date(2025, 8, 25), date(2025, 9, 1), date(2025, 5, 1), date(2025, 1, 1), date(2025, 8, 1)],
        "grain": ["week", "week", "tertial", "year", "month"],
        "value": [1.0, 2.0, 3.0, 4.0, 5.0],
    })
    assert known_by(values, AS_OF)["value"].tolist() == [1.0, 3.0, 5.0]


def test_period_text() -> None:
    assert period_text(PERIOD) == "maj–augusti 2025"
    assert period_text(parse_period("2025-03")) == "mars 2025"
    assert period_text(parse_period("2024")) == "2024"
