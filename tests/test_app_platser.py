"""The Platser page in AppTest: lägesbild (map, rankings), one place's profile, places side by side.

The demo database (followup/demo.py SCENARIOS) makes crimes at Hässelby torg fall by more than chance and
puts a series break at Maltesholmstorget in January 2025; the assertions lean on those stories, not on
the drawn counts.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from conftest import insert
from followup import est_summary
from tests.app_support import shown

APP = "../dashboard.py"  # AppTest.from_file resolves paths relative to this file
PAGE = "views/platser.py"
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
HV_PLACES = ["Hässelby torg", "Maltesholmstorget", "Råcksta", "Vällingby centrum"]


pytestmark = pytest.mark.usefixtures("fresh_caches")


def open_page(**params: str | list[str]) -> AppTest:
    """Run the app with the URL's query parameters and switch to the Platser page."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(PAGE).run()


def markdown(at: AppTest) -> str:
    """All Markdown of the page as shown, one element per line."""
    return "\n".join(shown(m.value) for m in at.markdown)


def captions(at: AppTest) -> str:
    """All captions as shown."""
    return "\n".join(shown(c.value) for c in at.caption)


def notices(at: AppTest) -> list[str]:
    """The info boxes as shown."""
    return [shown(i.value) for i in at.info]


def figures(at: AppTest) -> dict[str, dict[str, Any]]:
    """The page's Plotly figures by title, as the browser gets them."""
    result = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        result[spec["layout"]["title"]["text"]] = spec
    return result


def figure(at: AppTest, starts: str) -> dict[str, Any]:
    """The one figure whose title starts with `starts`."""
    found = [spec for title, spec in figures(at).items() if title.startswith(starts)]
    assert len(found) == 1, (starts, list(figures(at)))
    return found[0]


def texts(spec: dict[str, Any]) -> str:
    """Every text label and annotation of a figure, as one string."""
    parts = [str(t) for trace in spec["data"] for t in (trace.get("text") or []) if t]
    parts += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
    return "\n".join(parts).replace("\u00a0", " ")


def ok(at: AppTest) -> AppTest:
    """The run raised nothing and showed no error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


# --- lägesbild ------------------------------------------------------------------------------------------


def test_situation_ranks_the_places_with_status_and_change(app_db_file: Path) -> None:
    at = ok(open_page())
    assert shown(at.title[0].value) == "Platser – Hässelby-Vällingby"
    assert [t.label for t in at.tabs] == ["Lägesbild", "Plats", "Jämför platser"]
    # the default period is this year so far, cut at the latest data
    assert "Perioden jan–okt 2025 jämförs med samma dagar ett år tidigare." in captions(at)
    assert "EST-rapporter räknas t.o.m. 26 oktober 2025 (sista hela veckan)" in captions(at)
    crimes = figure(at, "Anmälda brott per plats, jan–sep 2025")
    labels = texts(crimes)
    assert re.search(r"\d+ +▲ Förbättras \(−\d+ %\)", labels), labels  # Hässelby torg: crimes halved
    assert "○ Ingen bedömning" in labels  # Maltesholmstorget: series break
    assert crimes["data"][0]["y"] and set(crimes["data"][0]["y"]) == set(HV_PLACES)
    est = figure(at, "EST-rapporter per plats, 1 jan–26 okt 2025")
    assert set(est["data"][0]["y"]) == set(HV_PLACES)
    assert re.search(r"(Förbättras|Försämras|Oförändrat) \([+−]\d+ %\)", texts(est))
    text = markdown(at)
    assert re.search(r"\*\*Hässelby torg\*\*: .*Anmälda brott \d+ mot \d+ \(−\d+ %\)", text), text
    assert re.search(r"\*\*Maltesholmstorget\*\*: Anmälda brott \d+, ingen jämförelse: serien bryts januari 2025",
                     text), text
    assert "Var ökar problemen?" in [shown(s.value) for s in at.header]


def test_map_is_offline_and_sized_by_reports(demo_db_copy: Path) -> None:
    at = ok(open_page())
    spec = figure(at, "Platser i Hässelby-Vällingby")
    kinds = {trace.get("type", "scatter") for trace in spec["data"]}
    assert kinds == {"scatter"}, kinds  # no geo, mapbox or map traces: nothing is fetched
    places = next(trace for trace in spec["data"] if trace.get("name") == "Platser")
    assert set(places["text"]) >= {"Maltesholmstorget", "Råcksta", "Vällingby centrum", "<b>Hässelby torg</b>"}
    sizes = dict(zip((t.replace("<b>", "").replace("</b>", "") for t in places["text"]), places["marker"]["size"],
                     strict=True))
    assert sizes["Hässelby torg"] > sizes["Råcksta"]  # far more EST reports on the square than at the station
    assert "Cirkelns yta visar EST-rapporter 1 jan–26 okt 2025." in texts(spec)


def test_chosen_period_sets_the_comparison(demo_db_copy: Path) -> None:
    at = ok(open_page(fran="januari 2024", till="april 2024"))
    assert "Perioden jan–apr 2024 jämförs med samma dagar ett år tidigare." in captions(at)
    assert "senare data finns inte än" not in captions(at)
    assert "Anmälda brott per plats, jan–apr 2024" in figures(at)
    # the series break of January 2025 lies outside jan–apr 2024 against jan–apr 2023
    assert "Ingen bedömning" not in texts(figure(at, "Anmälda brott per plats"))


def test_bromma(demo_db_copy: Path) -> None:
    at = ok(open_page(omrade="Bromma"))
    assert shown(at.title[0].value) == "Platser – Bromma"
    assert set(figure(at, "Anmälda brott per plats")["data"][0]["y"]) == {"Alvik", "Brommaplan", "Islandstorget"}
    assert at.sidebar.selectbox(key="plats").value in {"alvik", "brommaplan", "islandstorget"}
    assert "Islandstorget" in markdown(at)


def test_early_period_says_est_reporting_had_not_started(demo_db_copy: Path) -> None:
    at = ok(open_page(omrade="Bromma", fran="januari 2021", till="juni 2021"))
    assert "stadsdelsområdet inte rapporterade till EST under hela" in markdown(at)


def test_district_without_places_says_so(demo_db_copy: Path) -> None:
    at = ok(open_page(omrade="Farsta"))
    assert any("Inga platser är inlagda för Farsta" in text for text in notices(at))
    assert not at.tabs


# --- one place -------------------------------------------------------------------------------------------


def test_url_place_restores_the_profile_with_its_series_break(app_db_file: Path) -> None:
    at = ok(open_page(plats="Maltesholmstorget", vy="Plats"))
    assert at.sidebar.selectbox(key="plats").value == "maltesholmstorget"
    assert at.tabs[1].label == "Plats"
    assert [shown(h.value) for h in at.header] == ["Maltesholmstorget"]
    assert notices(at) == []
    # the tile of crimes at the place names the break instead of a judgement
    assert "serien bryts januari 2025 (ny definition eller källa)" in captions(at)
    assert "Anmälda brott på platsen, Maltesholmstorget: " in captions(at)
    assert "○ Ingen bedömning" in markdown(at) and "Samlad bild:" in markdown(at)
    series = figure(at, "Anmälda brott på platsen per månad – Maltesholmstorget")
    assert "Seriebrott" in texts(series)
    last_year = next(trace for trace in series["data"] if trace.get("name") == "Samma period förra året")
    # december 2024 opens the chart so that the break shows; no 2025 month is set against 2024 across it
    assert last_year["y"][0] is not None and all(v is None for v in last_year["y"][1:]), last_year["y"]
    assert figure(at, "EST-rapporter per kategori – Maltesholmstorget")
    # one tile per indicator measured at a place, each with a status word
    assert len(at.metric) == 8


def test_profile_lists_indicators_categories_and_activities(demo_db_copy: Path) -> None:
    at = ok(open_page(plats="Hässelby torg", vy="Plats", fran="januari 2024"))
    text = markdown(at)
    assert "**Anmälda brott på platsen**" in text
    assert "▲ Förbättras" in text and "✓ I fas" in text  # crimes fall; the tertial target is met
    assert "**Platssamverkan Hässelby torg** · Stadsdelsförvaltningen Hässelby-Vällingby · pågår · från 1 mars 2024" \
        in text
    assert "genomförd · 10 juni 2024–16 augusti 2024" in text
    category = figure(at, "EST-rapporter per kategori – Hässelby torg")
    assert "Misstänkt narkotikahantering" in category["data"][0]["y"]
    series = [title for title in figures(at) if "per månad – Hässelby torg" in title]
    assert series[0] == "Anmälda brott på platsen per månad – Hässelby torg" and len(series) == 4
    activity = next(t for t in figure(at, series[0])["data"] if t.get("name") == "Insatser i handlingsplanen")
    assert activity["x"]  # the activities at the square are marked on the time axis


@pytest.mark.parametrize("plats", ["garbage", "<b>Hässelby</b>", "Alvik"])
def test_unknown_place_falls_back_with_a_notice(demo_db_copy: Path, plats: str) -> None:
    at = ok(open_page(plats=plats, vy="Plats"))
    assert at.sidebar.selectbox(key="plats").value == "hasselby-torg"  # most EST reports in the district
    assert any(f"Adressen anger plats ` {plats} `" in text and "Visar Hässelby torg i stället" in text
               for text in notices(at)), notices(at)
    assert [shown(h.value) for h in at.header] == ["Hässelby torg"]


def test_garbage_view_and_period_do_not_crash(demo_db_copy: Path) -> None:
    at = ok(open_page(vy="Karta", fran="2025-13", till="nonsense", platser=["x", "y"], indikator="z"))
    assert len(figures(at)) == 3  # an unknown tab opens Lägesbild: the map and two rankings
    assert "från ` 2025-13 `" in " ".join(notices(at))
    at = ok(open_page(vy="Jämför platser", platser=["x", "y"], indikator="z"))
    text = " ".join(notices(at))
    assert "platser ` x, y `" in text and "nyckeltal ` z `" in text
    assert at.multiselect(key="platser").value == ["hasselby-torg", "maltesholmstorget"]  # the default


def test_next_and_previous_step_through_the_places(demo_db_copy: Path) -> None:
    at = ok(open_page(plats="Råcksta", vy="Plats"))
    at.button(key="plats-nasta").click().run()
    assert at.sidebar.selectbox(key="plats").value == "vallingby-centrum"
    assert at.query_params["plats"] == "Vällingby centrum"
    at.button(key="plats-nasta").click().run()
    assert at.sidebar.selectbox(key="plats").value == "hasselby-torg"  # wraps around
    at.button(key="plats-foregaende").click().run()
    assert ok(at).sidebar.selectbox(key="plats").value == "vallingby-centrum"


# --- places side by side -------------------------------------------------------------------------------


def test_compare_defaults_to_the_two_busiest_places_on_one_scale(app_db_file: Path) -> None:
    at = ok(open_page(vy="Jämför platser"))
    assert at.multiselect(key="platser").value == ["hasselby-torg", "maltesholmstorget"]
    assert at.selectbox(key="indikator").value == "anmalda-brott-plats"
    spec = figure(at, "Anmälda brott på platsen per månad, jan–okt 2025 – samma skala")
    assert [a["text"] for a in spec["layout"]["annotations"][:2]] == ["<b>Hässelby torg</b>", "<b>Maltesholmstorget</b>"]
    assert spec["layout"]["yaxis2"]["range"] == spec["layout"]["yaxis"]["range"]  # one scale
    text = markdown(at)
    assert "Anmälda brott på platsen, Hässelby torg: " in text and "Anmälda brott på platsen, Maltesholmstorget: " in text


def test_compare_restores_places_and_indicator_from_the_url(demo_db_copy: Path) -> None:
    at = ok(open_page(vy="Jämför platser", platser=["Råcksta", "Vällingby centrum", "Hässelby torg"],
                      indikator="EST: klotter"))
    assert at.multiselect(key="platser").value == ["racksta", "vallingby-centrum", "hasselby-torg"]
    spec = figure(at, "EST: klotter per månad, jan–okt 2025 – samma skala")
    titles = [a["text"] for a in spec["layout"]["annotations"][:3]]
    assert titles == ["<b>Råcksta</b>", "<b>Vällingby centrum</b>", "<b>Hässelby torg</b>"]


def test_compare_without_places_asks_for_one(demo_db_copy: Path) -> None:
    at = open_page(vy="Jämför platser")
    at.multiselect(key="platser").set_value([]).run()
    assert "Välj minst en plats att jämföra." in notices(ok(at))


# --- little or no data -------------------------------------------------------------------------------------


def test_reference_database_without_values_explains_and_shows_the_places(reference_db_copy: Path) -> None:
    at = ok(open_page())
    assert shown(at.title[0].value) == "Platser – Hässelby-Vällingby"
    assert any("Det finns inga EST-rapporter och inga värden per plats för Hässelby-Vällingby än" in text
               for text in notices(at)), notices(at)
    assert list(figures(at)) == ["Platser i Hässelby-Vällingby"]
    assert not at.tabs


def test_place_and_indicator_without_data_get_a_message(reference_db_copy: Path) -> None:
    con = duckdb.connect(str(reference_db_copy))
    for day in range(1, 29):
        insert(con, "event", {"source": "est", "source_id": f"t-{day}", "occurred_at": datetime(2025, 9, day, 12),
                              "district": "hasselby-vallingby", "place": "hasselby-torg", "category": "klotter"})
    est_summary.refresh(con)  # as every load of events does
    con.close()
    at = ok(open_page(plats="Råcksta", vy="Plats"))
    assert any("Det finns inga värden för Råcksta än" in text for text in notices(at)), notices(at)
    assert "Inga insatser i handlingsplanen är kopplade till Råcksta." in markdown(at)
    at = ok(open_page(plats="Hässelby torg", vy="Plats", fran="september 2025", till="september 2025"))
    assert "EST-rapporter per kategori – Hässelby torg, 1–28 sep 2025" in figures(at)  # cut at the last whole week
    assert "stadsdelsområdet inte rapporterade till EST under hela" in markdown(at)  # nothing in 2024
    at = ok(open_page(vy="Jämför platser", platser=["Hässelby torg"], indikator="Anmälda brott på platsen"))
    assert any("Inga värden för Anmälda brott på platsen på de valda platserna" in text for text in notices(at))
