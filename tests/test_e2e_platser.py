"""Platser in headless Chromium at 1920×1080: each tab draws its charts, the map needs no internet.

Screenshots for review: test-output/e2e/platser-*.png (the top of each tab, then its lower part).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from e2e_support import ERROR_ELEMENTS, PAGE_TIMEOUT_MS, VIEWPORT, open_page, screenshot

CHARTS = ".js-plotly-plot"
MAP_TRACE_TYPES = ("scattergeo", "choropleth", "scattermapbox", "choroplethmapbox", "densitymapbox", "scattermap",
                   "choroplethmap", "densitymap")
"""Plotly traces that fetch a base map or topojson from the internet."""
"""The favicon Streamlit fetches for a :material/ page icon (from dashboard.py, not this page)."""


def charts_drawn(page: Any, expected: int) -> int:
    """Wait until `expected` Plotly charts have been drawn, then count them (more would be a failure too)."""
    page.wait_for_function(f"document.querySelectorAll('{CHARTS}').length >= {expected}")
    page.wait_for_timeout(300)  # let a late chart arrive, so that too many are counted as well
    return page.locator(CHARTS).count()


def outside_requests(page: Any, base: str) -> list[str]:
    """A list that collects every request the page makes to anything but the dashboard itself."""
    seen: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(base) or request.url.startswith("data:")
            else seen.append(request.url))
    return seen


def scroll_to(page: Any, selector: str) -> None:
    """Scroll the page's main area so that the element is at the top, and let it settle."""
    page.locator(selector).first.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)


def test_situation_tab_draws_an_offline_map_and_two_rankings(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport=VIEWPORT, locale="sv-SE")
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    outside = outside_requests(page, dashboard_url)  # listening before the first request
    page.goto(f"{dashboard_url}/platser")
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]")
    page.wait_for_selector("[data-test-script-state=notRunning]")
    expect(page.get_by_role("heading", name="Platser – Hässelby-Vällingby")).to_be_visible()
    assert charts_drawn(page, 3) == 3  # the map and the rankings by EST reports and by crimes
    traces = page.locator(CHARTS).first.evaluate("element => element.data.map(trace => trace.type || 'scatter')")
    assert traces and not set(traces) & set(MAP_TRACE_TYPES), traces
    expect(page.get_by_role("heading", name="Var ökar problemen?")).to_be_visible()
    assert page.locator(ERROR_ELEMENTS).count() == 0
    # no tile server, no topojson from a CDN, no icon font: the page makes no request outside the dashboard
    assert outside == [], outside
    screenshot(page, "platser-lagesbild")
    scroll_to(page, f"{CHARTS} >> nth=1")
    screenshot(page, "platser-rangordning")


def test_place_tab_restores_the_place_from_the_url(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/platser?vy=Plats&plats=Maltesholmstorget")
    expect(page.get_by_role("heading", name="Maltesholmstorget")).to_be_visible()
    expect(page.get_by_text("serien bryts januari 2025", exact=False).first).to_be_visible()
    assert charts_drawn(page, 5) == 5  # four time series and the EST categories
    assert page.locator(ERROR_ELEMENTS).count() == 0
    screenshot(page, "platser-plats")
    scroll_to(page, CHARTS)
    screenshot(page, "platser-plats-diagram")
    page.get_by_role("button", name="Nästa plats").click()
    expect(page.get_by_role("heading", name="Råcksta")).to_be_visible()
    assert "plats=R%C3%A5cksta" in page.url


def test_compare_tab_draws_small_multiples(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/platser?vy={quote('Jämför platser')}")
    assert charts_drawn(page, 1) == 1
    expect(page.get_by_text("Hässelby torg", exact=True).first).to_be_visible()
    assert page.locator(ERROR_ELEMENTS).count() == 0
    screenshot(page, "platser-jamfor")
    page.get_by_role("tab", name="Lägesbild").click()
    page.wait_for_selector("[data-test-script-state=notRunning]")
    assert charts_drawn(page, 3) == 3
    assert "vy=" not in page.url  # the default tab drops out of the address
