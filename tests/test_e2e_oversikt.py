"""Översikt end to end: the real page in headless Chromium at 1920×1080 on the demo database.

Every goal tile with values that may be shown has one sparkline, nothing shows an error, and the
screenshots test-output/e2e/oversikt.png and oversikt-bromma.png are written for review.
"""

from __future__ import annotations

import re
from typing import Any

from e2e_support import ERROR_ELEMENTS, assert_overview, open_page, plotly_chart_count, screenshot, settled

TILE_LINK = "Visa området"
STATUS_WORDS = ("Förbättras", "Oförändrat", "Försämras", "Ingen bedömning")


def goal_tiles(page: Any) -> list[dict[str, Any]]:
    """Per goal tile (a column holding the tile's link to its area): key figure and sparkline count."""
    tiles = page.locator("[data-testid=stColumn]").filter(
        has=page.locator("[data-testid=stPageLink]", has_text=TILE_LINK)
    )
    result = []
    for index in range(tiles.count()):
        tile = tiles.nth(index)
        figure = tile.locator("h2")  # the key figure (the status above it is an h3)
        result.append({
            "text": tile.inner_text(),
            "figure": figure.inner_text().strip() if figure.count() else None,
            "charts": tile.locator(".js-plotly-plot").count(),
        })
    return result


ALL_CHARTS_DRAWN = """() => {
    const charts = document.querySelectorAll('[data-testid=stPlotlyChart]');
    return charts.length > 0 && [...charts].every(chart => chart.querySelector('.js-plotly-plot'));
}"""


def wait_for_tiles(page: Any) -> None:
    """Wait until the 14 goal tiles are there and Plotly has drawn every chart Streamlit sent."""
    from playwright.sync_api import expect

    expect(page.get_by_role("link", name=TILE_LINK)).to_have_count(14)
    page.wait_for_function(ALL_CHARTS_DRAWN)


def assert_tiles(page: Any) -> list[dict[str, Any]]:
    """14 goal tiles, each with a status word; a sparkline on every tile with data and nowhere else."""
    wait_for_tiles(page)
    tiles = goal_tiles(page)
    assert len(tiles) == 14
    for tile in tiles:
        assert any(word in tile["text"] for word in STATUS_WORDS), tile["text"]
    # a shown key figure always comes with its sparkline; a hidden one (1–4) has one when earlier values show
    shown = [tile for tile in tiles if tile["figure"] not in (None, "–", "1–4")]
    assert [tile["charts"] for tile in shown] == [1] * len(shown)
    assert all(tile["charts"] <= 1 and (tile["figure"] or not tile["charts"]) for tile in tiles)
    assert plotly_chart_count(page) == sum(tile["charts"] for tile in tiles)
    assert page.locator(ERROR_ELEMENTS).count() == 0
    return tiles


def test_overview_in_chromium(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, dashboard_url)
    assert_overview(page)
    expect(page.get_by_text("Exempeldata – påhittade siffror")).to_be_visible()
    expect(page.get_by_role("heading", name="Översikt – Hässelby-Vällingby")).to_be_visible()
    tiles = assert_tiles(page)
    assert all(tile["charts"] == 1 for tile in tiles)  # every goal of the demo district has data
    expect(page.get_by_role("link", name="Hur räknas status?").first).to_be_visible()
    screenshot(page, "oversikt")

    page = open_page(browser, f"{dashboard_url}/?omrade=Bromma")
    expect(page.get_by_role("heading", name="Översikt – Bromma")).to_be_visible()
    assert_overview(page)
    assert_tiles(page)
    assert re.search(r"[?&]omrade=Bromma\b", page.url)
    screenshot(page, "oversikt-bromma")


def test_a_tile_link_opens_the_area_page_for_the_area_and_district(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/?omrade=Bromma")
    settled(page)  # every tile drawn: under load they arrive one by one, and nth(4) must be goal 2.2's link
    page.get_by_role("link", name=TILE_LINK).nth(4).click()  # goal 2.2
    page.wait_for_url(re.compile(r"/omrade\?"))
    page.wait_for_selector("[data-test-script-state=notRunning]")
    expect(page.get_by_role("heading", name="2. Otrygga och brottsutsatta platser – Bromma")).to_be_visible()
    assert "prio=2.+Otrygga" in page.url or "prio=2.%20Otrygga" in page.url
    assert page.locator(ERROR_ELEMENTS).count() == 0
