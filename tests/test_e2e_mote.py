"""End to end: Mötesläge in headless Chromium at 1920×1080 (see tests/e2e_support.py).

Opens the meeting for Hässelby-Vällingby and T2 2025, steps through every slide (Nästa by mouse, and
the right arrow key once), and on each slide checks that the title and every status word are visible,
that its charts are drawn and that no error element is on the page. A screenshot of each slide goes to
test-output/e2e/mote-NN.png for review.
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
from followup import pack
from followup.pack import Slide
from followup.periods import parse_period
from followup.status import DISPLAY

CHART_TIMEOUT_MS = 60_000  # a ceiling for Plotly to draw a slide's charts on a slow machine, not an assertion
HV = "Hässelby-Vällingby"


@pytest.fixture(scope="module")
def slides(demo_db_path: Path) -> tuple[Slide, ...]:
    """The agenda build_pack makes for Hässelby-Vällingby, T2 2025, on the demo database."""
    with closing(duckdb.connect(str(demo_db_path), read_only=True)) as con:
        return pack.build_pack(con, "hasselby-vallingby", parse_period("2025-T2")).slides


def assert_slide(page: Any, slide: Slide, number: int, count: int) -> None:
    """Slide `number` is on the screen: title in view, status words visible, charts drawn, no error."""
    from playwright.sync_api import expect

    page.wait_for_url(re.compile(rf"[?&]bild={number}(&|$)"))
    page.wait_for_selector("[data-test-script-state=notRunning]")
    title = page.get_by_role("heading", level=1).filter(has_text=slide.title)
    expect(title).to_have_count(1)
    expect(title).to_be_in_viewport()
    expect(page.get_by_text(f"{number} av {count}", exact=True)).to_be_visible()
    trends = ([slide.status] if slide.status is not None else []) + [line.trend for line in slide.lines]
    for trend in set(trends):
        word = page.get_by_text(f"{DISPLAY[trend].icon}\u00a0{DISPLAY[trend].word}", exact=True)
        expect(word.first).to_be_visible()
    if slide.status is not None:
        expect(title.get_by_text(DISPLAY[slide.status].word)).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(len(slide.charts), timeout=CHART_TIMEOUT_MS)
    assert page.locator(ERROR_ELEMENTS).count() == 0


def test_meeting_steps_through_every_slide(browser: Any, dashboard_url: str, slides: tuple[Slide, ...]) -> None:
    from playwright.sync_api import expect

    count = len(slides)
    assert count >= 9
    page = open_page(browser, f"{dashboard_url}/mote?omrade={quote(HV)}&period=2025-T2")
    # the sidebar is collapsed while presenting
    expect(page.locator("[data-testid=stSidebar]")).to_have_attribute("data-collapsed", "true")
    for number, slide in enumerate(slides, start=1):
        assert_slide(page, slide, number, count)
        page.mouse.move(1910, 1070)  # no button tooltip in the picture
        page.wait_for_timeout(300)  # let the charts settle before the picture
        screenshot(page, f"mote-{number:02d}")
        if number == 2:
            page.keyboard.press("ArrowRight")  # Nästa's shortcut
        elif number < count:
            page.get_by_role("button", name=re.compile("Nästa")).click()
    expect(page.get_by_role("button", name=re.compile("Nästa"))).to_be_disabled()
    page.get_by_role("button", name=re.compile("Föregående")).click()
    assert_slide(page, slides[-2], count - 1, count)
    page.close()


def test_a_link_opens_the_same_slide(browser: Any, dashboard_url: str, slides: tuple[Slide, ...]) -> None:
    page = open_page(browser, f"{dashboard_url}/mote?omrade={quote(HV)}&period=2025-T2&bild=3")
    assert_slide(page, slides[2], 3, len(slides))
    page.close()
