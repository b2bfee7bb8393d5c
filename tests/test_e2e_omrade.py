"""End to end: the Prioriterat område page in headless Chromium at 1920×1080 (see tests/e2e_support.py).

Each area page renders one Plotly chart per indicator with values and no error element. Screenshots
for review go to test-output/e2e/omrade-*.png: the top of the page (area and goal statuses) and a
chart scrolled into view.
"""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest

from e2e_support import ERROR_ELEMENTS, open_page, screenshot
from followup import queries

CHART_TIMEOUT_MS = 60_000  # a ceiling for Plotly to draw every chart on a slow machine, not an assertion


def indicator_count(db_path: Path, district: str, area_number: int) -> int:
    """How many (goal, indicator) charts the page should draw: every indicator of the area has values."""
    with closing(duckdb.connect(str(db_path), read_only=True)) as con:
        rows = queries.run(con, "scope_indicators", district=district, place="")
    rows = rows[rows["priority_area_number"] == area_number]
    return len(rows[["goal_code", "code"]].drop_duplicates())


@pytest.mark.parametrize(
    ("area", "heading", "chart_title", "shot"),
    [
        ("2. Otrygga och brottsutsatta platser", "EST: störande samling", "EST: störande samling per månad",
         "omrade-2"),
        ("4. Särskilt utsatta och sårbara brottsoffer", "Anmälda bedrägerier mot äldre",
         "Anmälda bedrägerier mot äldre per tertial", "omrade-4"),
    ],
    ids=["omrade-2", "omrade-4"],
)
def test_area_page_renders_its_charts(
    browser: Any, dashboard_url: str, demo_db_path: Path, area: str, heading: str, chart_title: str, shot: str
) -> None:
    from playwright.sync_api import expect

    expected = indicator_count(demo_db_path, "hasselby-vallingby", int(area.split(".")[0]))
    assert expected > 0
    page = open_page(browser, f"{dashboard_url}/omrade?prio={quote(area)}&omrade={quote('Hässelby-Vällingby')}")
    expect(page.get_by_role("heading", name=f"{area} – Hässelby-Vällingby")).to_be_visible()
    expect(page.get_by_text("Områdets status").first).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(expected, timeout=CHART_TIMEOUT_MS)
    assert page.locator(ERROR_ELEMENTS).count() == 0
    assert re.search(r"[?&]prio=", page.url)
    screenshot(page, shot)

    # the indicator's heading at the top of the screen, as a presenter would scroll to it
    page.get_by_role("heading", name=heading, exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")
    chart = page.locator(".js-plotly-plot").filter(has_text=chart_title)
    expect(chart).to_have_count(1)
    expect(chart).to_be_in_viewport()
    page.wait_for_timeout(300)  # let the scrolled chart settle before the picture
    screenshot(page, f"{shot}-diagram")
    page.close()
