"""End to end: the Trender page in Chromium at 1920×1080 draws its chart with no error element.

Screenshots for review: test-output/e2e/trender.png (several districts and places, last year's line) and
trender-per-1000.png (rates per 1 000 inhabitants with a rolling average).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from e2e_support import ERROR_ELEMENTS, open_page, plotly_chart_count, screenshot


def trender_url(base: str, params: dict[str, str | list[str]]) -> str:
    """The Trender page's address with query parameters."""
    return f"{base}/trender?{urlencode(params, doseq=True)}"


def wait_for_chart(page: Any) -> None:
    """Wait until Plotly has drawn (its bundle loads after the script has run), then show the whole chart."""
    page.wait_for_selector(".js-plotly-plot .main-svg")
    page.locator("[data-testid=stPlotlyChart]").first.scroll_into_view_if_needed()


def test_trender_draws_several_scopes(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    params = {
        "indikator": "2.2 EST: klotter",
        "omraden": "Hässelby-Vällingby",
        "platser": ["Hässelby torg (Hässelby-Vällingby)", "Maltesholmstorget (Hässelby-Vällingby)"],
        "fran": "januari 2024",
        "fjol": "true",
    }
    page = open_page(browser, trender_url(dashboard_url, params))
    expect(page.get_by_role("heading", name="Trender")).to_be_visible()
    wait_for_chart(page)
    assert plotly_chart_count(page) == 1
    assert page.locator(ERROR_ELEMENTS).count() == 0
    expect(page.locator(".js-plotly-plot .legendtext", has_text="Maltesholmstorget")).to_be_visible()
    expect(page.locator(".js-plotly-plot .gtitle")).to_contain_text("EST: klotter")
    expect(page.locator(".js-plotly-plot .gtitle-subtitle")).to_contain_text("Per månad")
    assert "fjol=true" in page.url and "platser=" in page.url  # the view stays in the address
    screenshot(page, "trender")


def test_trender_rates_with_rolling_average(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    params = {
        "indikator": "2.2 Anmälda brott i stadsdelsområdet",
        "omraden": ["Hässelby-Vällingby", "Bromma", "Järva", "Stockholms stad"],
        "fran": "januari 2021",
        "invanare": "true",
        "glidande": "12 perioder",
    }
    page = open_page(browser, trender_url(dashboard_url, params))
    wait_for_chart(page)
    assert plotly_chart_count(page) == 1
    assert page.locator(ERROR_ELEMENTS).count() == 0
    expect(page.locator(".js-plotly-plot .gtitle-subtitle")).to_contain_text("befolkning 2024")
    expect(page.locator(".js-plotly-plot .legendtext", has_text="Järva")).to_be_visible()
    screenshot(page, "trender-per-1000")
