"""The Prioriterat område page (views/omrade.py, webapp/omrade.py) in AppTest, and its pure helpers.

Scopes: Hässelby-Vällingby's areas in the demo data (charts, statuses, explanations, comments), a
database without values (no charts, 'Ingen bedömning' with its reason), a series break made in a copy
of the demo, bad URL parameters, and a comment that tries to be HTML.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import backends
from followup import queries
from followup.charts.series import CI_NAME
from webapp import omrade
from tests import app_support
from tests.app_support import shown

PAGE = "views/omrade.py"
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
HV = "hasselby-vallingby"
AREA_2 = "2. Otrygga och brottsutsatta platser"
AREA_4 = "4. Särskilt utsatta och sårbara brottsoffer"


pytestmark = pytest.mark.usefixtures("fresh_caches")


def open_page(**params: str) -> AppTest:
    """Run the app on the page with the URL's query parameters."""
    return app_support.open_page(PAGE, timeout=RUN_TIMEOUT, **params)


def page_text(at: AppTest) -> str:
    """Every title, header, subheader, markdown, caption and notice on the page, as read."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info") for e in at.get(kind)]
    return shown("\n".join(parts))


def figures(at: AppTest) -> list[dict[str, Any]]:
    """The Plotly figures on the page as sent to the browser."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def figure_titled(at: AppTest, title: str) -> dict[str, Any]:
    """The one figure with this title."""
    found = [fig for fig in figures(at) if fig["layout"]["title"]["text"] == title]
    assert len(found) == 1, [fig["layout"]["title"]["text"] for fig in figures(at)]
    return found[0]


def trace(fig: dict[str, Any], name: str) -> dict[str, Any]:
    """The first trace with this legend name."""
    return next(t for t in fig["data"] if t.get("name") == name)


def area_indicators(db_path: Path, district: str, area_number: int) -> set[tuple[str, str]]:
    """(goal, indicator) pairs of one priority area in a district's scope, from the query the page uses, read from
    a database file (for a page on the shared backend: the demo file its lake was copied from)."""
    with closing(duckdb.connect(str(db_path), read_only=True)) as con:
        rows = queries.run(con, "scope_indicators", district=district, place="")
    rows = rows[rows["priority_area_number"] == area_number]
    return set(zip(rows["goal_code"], rows["code"], strict=True))


# --- Hässelby-Vällingby in the demo data --------------------------------------------------------------


def test_area_2_shows_a_chart_per_indicator_with_statuses_and_explanations(app_db_file: Path,
                                                                            demo_db_path: Path) -> None:
    expected = area_indicators(demo_db_path, HV, 2)  # the demo file the app's database was copied from
    # 2.1: 2, 2.2: 8 (anmalda-brott-plats has only place values here), 2.3: 3
    assert len(expected) == 13
    assert {("pa2-2", "bra-brott-mot-person"), ("pa2-2", "bra-misshandel"), ("pa2-2", "kolada-valdsbrott")} <= expected
    at = open_page(prio=AREA_2, omrade="Hässelby-Vällingby")
    assert shown(at.title[0].value) == f"{AREA_2} – Hässelby-Vällingby"
    assert at.sidebar.selectbox(key="prio").value == "otrygga-platser"
    assert len(at.get("plotly_chart")) == len(expected)
    text = page_text(at)
    # the area's and the goals' rolled-up statuses with their rules
    assert "**Områdets status** :blue-background[**▲ Förbättras**]" in text
    assert "1 förbättras, 2 oförändrade av 3 mål: förbättras, eftersom fler förbättras än försämras." in text
    # goal 2.2: EST drug reports improve; the Brå counts (Sep 2025 against Sep 2024: 154 against 150 and 45
    # against 53) are within chance, the city's Kolada rate (2024 against 2023: 11,59 against 11,47, +1 %)
    # within the 10 % threshold
    assert "1 förbättras, 7 oförändrade av 8 nyckeltal" in text
    assert "Anmälda brott mot person, Hässelby-Vällingby: 154 i september 2025 mot 150 i september 2024" in text
    assert "Anmälda misshandelsbrott, Hässelby-Vällingby: 45 i september 2025 mot 53 i september 2024" in text
    # a city-level indicator is named for the city, not for the district whose page shows it
    assert "Anmälda våldsbrott per 1 000 invånare i staden, Stockholms stad: 11,6 år 2024 mot 11,5 år 2023" in text
    assert "i staden, Hässelby-Vällingby" not in text
    for goal in ("2.1 Minska antalet öppna drogscener", "2.2 Minska brottsligheten", "2.3 Öka tryggheten"):
        assert goal in text, goal
    # indicator statuses: each word next to its explanation sentence
    assert "**Utveckling** :red-background[**▼ Försämras**]" in text
    assert "EST: störande samling, Hässelby-Vällingby: 604 v. 44 2024–v. 43 2025 mot 448" in text
    assert "större än slumpvariationen" in text and "inom slumpvariationen" in text
    assert "**Mot mål** :orange-background[**! Risk**]" in text
    assert "Öppna drogscener, Hässelby-Vällingby: 2 år 2025 mot planerade 1,0 (målet 0 år 2027)" in text
    assert "**Mot mål** :blue-background[**✓ I fas**]" in text
    # the comparison each status uses, and the link to how status is counted
    assert "Senaste tolv månaderna mot tolv månader före" in text
    assert any(link.proto.label == "Hur räknas status?" for link in at.get("page_link"))


def test_area_2_charts_carry_target_last_year_limits_band_and_activities(app_db_file: Path) -> None:
    at = open_page(prio=AREA_2)
    gatherings = figure_titled(at, "EST: störande samling per månad")
    names = {t.get("name") for t in gatherings["data"]}
    assert {"Hässelby-Vällingby", "Samma period förra året", "Styrgränser (normal variation)", "Medelvärde",
            "Insatser i handlingsplanen"} <= names
    # weekly EST reports are shown per calendar month, from the default January 2023 to the last whole month
    xs = [x for x in trace(gatherings, "Hässelby-Vällingby")["x"] if x]
    assert (min(xs), max(xs)) == ("2023-01-01", "2025-09-01")
    assert "Räknat som antal EST-rapporter per kalendermånad (bara hela månader)." in page_text(at)
    scenes = figure_titled(at, "Öppna drogscener per år")
    assert trace(scenes, "Målbana")["y"] == [2.0, 0.0]
    survey = figure_titled(at, "Otrygga utomhus sent en kväll per mätning")
    assert CI_NAME in {t.get("name") for t in survey["data"]}
    # a survey every third year: the chart reaches back to 2020 so that it shows the comparison
    assert trace(survey, "Hässelby-Vällingby")["x"] == ["2020-01-01", "2023-01-01"]
    assert "Diagrammet börjar 2020, före vald period, så att det visar minst två värden." in page_text(at)


def test_cancelled_activities_are_listed_but_not_marked(demo_db_copy: Path) -> None:
    at = open_page(prio=AREA_2)
    table = next(df.value for df in at.dataframe if "Kameror i Vällingby centrum" in set(df.value["Insats"]))
    assert table.loc[table["Insats"] == "Kameror i Vällingby centrum", "Status"].item() == "inställd"
    hovers = " ".join(
        " ".join(trace(fig, "Insatser i handlingsplanen")["hovertext"])
        for fig in figures(at)
        if any(t.get("name") == "Insatser i handlingsplanen" for t in fig["data"])
    )
    assert "Platssamverkan Hässelby torg" in hovers
    assert "Kameror i Vällingby centrum" not in hovers


def test_latest_comment_replaces_the_version_it_revises(demo_db_copy: Path) -> None:
    at = open_page(prio=AREA_2)
    text = page_text(at)
    assert "**Styrgruppens kommentar** · Lokala styrgruppen Hässelby-Vällingby · 25 september 2025 · avser T2 2025" in text
    assert "platsaktiveringen där prioriteras hösten 2025" in text
    assert "Anmälda brott vid Hässelby torg fortsätter att minska. Störande samlingar har ökat" not in text
    assert "Platssamverkan vid Hässelby torg har kommit igång" not in text  # an older period


def test_target_per_tertial_turns_a_monthly_chart_into_tertials(demo_db_copy: Path) -> None:
    at = open_page(prio=AREA_4)
    fraud = figure_titled(at, "Anmälda bedrägerier mot äldre per tertial")
    assert trace(fraud, "Målbana")["x"] == ["2023-05-01", "2026-05-01"]
    values = dict(zip(trace(fraud, "Hässelby-Vällingby")["x"], trace(fraud, "Hässelby-Vällingby")["y"], strict=True))
    assert values["2025-05-01"] == 154  # the sum of May–August, as the target explanation says
    text = page_text(at)
    assert "**Mot mål** :red-background[**✗ Efter plan**]" in text
    assert "Anmälda bedrägerier mot äldre, Hässelby-Vällingby: 154 T2 2025 mot planerade 58,7" in text
    assert "Räknat som summa per tertial av månadsvärdena, eftersom målet gäller per tertial." in text


def test_period_in_the_url_limits_the_time_axis(demo_db_copy: Path) -> None:
    at = open_page(prio=AREA_2, fran="januari 2025", till="juni 2025")
    assert at.sidebar.selectbox(key="fran").value == "2025-01"
    gatherings = figure_titled(at, "EST: störande samling per månad")
    xs = [x for x in trace(gatherings, "Hässelby-Vällingby")["x"] if x]
    assert (min(xs), max(xs)) == ("2025-01-01", "2025-06-01")
    assert "Diagrammen visar jan–juni 2025" in page_text(at)


def test_small_counts_of_a_sensitive_indicator_stay_hidden(app_db_file: Path) -> None:
    at = open_page(prio="5. Kriminella miljöer och livsstilar")
    text = page_text(at)
    assert "Ärenden om oro för radikalisering, Hässelby-Vällingby: 1–4 år 2024 mot 8 år 2023" in text
    assert "**Utveckling** :gray-background[**○ Ingen bedömning**]" in text
    fig = figure_titled(at, "Ärenden om oro för radikalisering per år")
    measured = trace(fig, "Hässelby-Vällingby")
    assert not [y for y in measured["y"] if y is not None and 1 <= y <= 4]
    assert trace(fig, "1–4 (visas inte)")["x"] == ["2024-01-01"]


def test_a_local_goal_of_the_district_joins_the_area(app_db_copy: Path | str) -> None:
    with backends.writing(app_db_copy) as con:
        con.execute("insert into goal (code, priority_area, number, text, scope, district) values "
                    "('hv-klotter', 'otrygga-platser', 4, 'Mindre klotter i Vällingby.', 'local', $district)",
                    {"district": HV})
        con.execute("insert into goal_indicator (goal, indicator) values ('hv-klotter', 'est-klotter')")
    at = open_page(prio=AREA_2)
    assert "2.4 Mindre klotter i Vällingby. (lokalt mål)" in [shown(h.value) for h in at.header]
    # est-klotter now serves two goals of the area: two charts, one under each goal (13 + 1)
    assert len(at.get("plotly_chart")) == 14
    assert len([fig for fig in figures(at) if fig["layout"]["title"]["text"] == "EST: klotter per månad"]) == 2


# --- other scopes ---------------------------------------------------------------------------------------


def test_without_values_every_indicator_says_why_instead_of_an_empty_chart(reference_db_copy: Path) -> None:
    at = open_page(prio=AREA_2)
    assert len(at.get("plotly_chart")) == 0
    text = page_text(at)
    assert "**Områdets status** :gray-background[**○ Ingen bedömning**]" in text
    assert "Inget diagram: det finns inga värden för Anmälda brott i stadsdelsområdet i Hässelby-Vällingby än." in text
    assert "Anmälda brott i stadsdelsområdet, Hässelby-Vällingby: ingen bedömning eftersom det finns inga värden." in text
    assert "Diagrammen visar" not in text  # no period picker without data
    assert at.sidebar.selectbox(key="prio").value == "otrygga-platser"


def test_series_break_is_marked_and_stops_the_comparison(app_db_copy: Path | str) -> None:
    with backends.writing(app_db_copy) as con:
        (changed,) = con.execute(  # the count of rows updated (the shared backend has no RETURNING)
            "update observation set series_break = true where indicator = 'anmalda-brott-omrade' "
            "and district = $district and place is null and period_start = date '2025-01-01'",
            {"district": HV},
        ).fetchone()
    assert changed == 1
    at = open_page(prio=AREA_2)
    text = page_text(at)
    assert ("Anmälda brott i stadsdelsområdet, Hässelby-Vällingby: 738 i september 2025, men ingen jämförelse "
            "eftersom serien bryts januari 2025") in text
    fig = figure_titled(at, "Anmälda brott i stadsdelsområdet per månad")
    assert any(a.get("text") == "Seriebrott" for a in fig["layout"]["annotations"])
    # control limits are drawn from the break on only
    limits = trace(fig, "Styrgränser (normal variation)")
    assert limits["x"][0] == "2025-01-01"


def test_unknown_area_in_the_url_falls_back_with_a_notice(demo_db_copy: Path) -> None:
    at = open_page(prio="garbage", fran="igår")
    assert shown(at.title[0].value).startswith("1. Unga i riskzon för destruktivt beteende")
    notices = shown(" ".join(info.value for info in at.info))
    assert "prioriterat område ` garbage `" in notices and "Visar 1. Unga i riskzon" in notices
    assert "från ` igår `" in notices
    assert len(at.get("plotly_chart")) > 0


def test_area_and_district_in_the_url_restore_the_view(demo_db_copy: Path) -> None:
    expected = area_indicators(demo_db_copy, "bromma", 4)  # before the app holds the file
    at = open_page(prio=AREA_4, omrade="Bromma")
    assert shown(at.title[0].value) == f"{AREA_4} – Bromma"
    assert at.sidebar.selectbox(key="omrade").value == "bromma"
    assert len(at.get("plotly_chart")) == len(expected) > 0
    at.sidebar.selectbox(key="prio").set_value("kriminella-miljoer").run()
    assert shown(at.title[0].value) == "5. Kriminella miljöer och livsstilar – Bromma"


def test_a_comment_is_shown_as_text_never_as_html(app_db_copy: Path | str) -> None:
    body = "<script>alert('x')</script> **inte fet** <img src=x onerror=alert(1)>"
    with backends.writing(app_db_copy) as con:
        con.execute(
            "insert into comment (district, goal, period_start, grain, body, author, created_at) values "
            "($district, 'pa2-1', date '2025-09-01', 'month', $body, '<b>Någon</b>', timestamp '2025-10-30 10:00')",
            {"district": HV, "body": body},
        )
    at = open_page(prio=AREA_2)
    boxes = [m for m in at.markdown if "script" in m.value]
    assert len(boxes) == 1
    assert shown(boxes[0].value) == body  # exactly as written once the escapes are read
    assert "\\<script\\>" in boxes[0].value and "\\*\\*inte fet\\*\\*" in boxes[0].value
    assert not boxes[0].proto.allow_html
    header = next(m.value for m in at.markdown if "Styrgruppens kommentar" in m.value and "Någon" in m.value)
    assert header == (":material/forum: **Styrgruppens kommentar** · \\<b\\>Någon\\</b\\> · 30 oktober 2025 · "
                      "avser september 2025")


# --- pure helpers ---------------------------------------------------------------------------------------


def test_area_labels_are_number_dot_name_in_number_order() -> None:
    overview = pd.DataFrame({
        "priority_area_code": ["b", "a", "b"],
        "priority_area_number": [2, 1, 2],
        "priority_area": ["Otrygga och brottsutsatta platser", "Unga i riskzon", "Otrygga och brottsutsatta platser"],
    })
    assert omrade.area_options(overview) == {"a": "1. Unga i riskzon", "b": AREA_2}
