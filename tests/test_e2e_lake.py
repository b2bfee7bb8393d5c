"""End to end over the shared backend: three `streamlit run dashboard.py` replicas on one lake (DuckLake, catalogue
in the session's PostgreSQL) in headless Chromium. A file loaded through replica 1's Data page (upload, Läs in)
appears in the Laddningar tab of replicas 2 and 3 when their pages are reloaded, without restarting them.

How long the others took to show the load after replica 1 said it was loaded is printed (pytest -s), never
asserted. Screenshots for review: test-output/e2e/lake-*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from e2e_support import ERROR_ELEMENTS, PAGE_TIMEOUT_MS, VIEWPORT, choose_file, screenshot, settled, streamlit_process

FILE = "lake-replik-1.csv"
ROWS = ("indikator;område;plats;period;värde;n\n"
        "anmalda-brott-omrade;Bromma;;2025-11;412;\nanmalda-brott-omrade;Bromma;;2025-12;398;\n")
NOTHING_TO_UNDO = "Det finns ingen laddning att ångra."
REPLICAS = 3
WAIT_MS = PAGE_TIMEOUT_MS
"""How long expect() waits for what a replica's script run shows (Playwright's default is 5 s): a ceiling for a
busy machine, not a timed assertion."""


def ready(page: Any) -> None:
    """Wait until the page is connected to its server and the script run has finished."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]")
    settled(page)


@contextmanager
def opened(browser: Any, urls: list[str]) -> Iterator[list[Any]]:
    """A page at each URL, requested all at once (the replicas run their first script runs side by side), each
    waited until ready; all closed at the end."""
    pages = []
    try:
        for url in urls:
            page = browser.new_page(viewport=VIEWPORT, locale="sv-SE")
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            pages.append(page)
            page.goto(url)
        for page in pages:
            ready(page)
        yield pages
    finally:
        for page in pages:
            page.close()


def loads_tab(page: Any) -> Any:
    """The Data page's Laddningar tab panel."""
    return page.get_by_role("tabpanel", name="Laddningar")


def test_a_load_through_one_replica_is_seen_by_the_others_on_reload(
    browser: Any, demo_lake_copy: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    started = time.monotonic()
    with ExitStack() as stack:
        urls = [stack.enter_context(streamlit_process(demo_lake_copy, tmp_path / f"streamlit-{n}.log"))[0]  # type: ignore[arg-type]
                for n in range(1, REPLICAS + 1)]
        print(f"\n{REPLICAS} replicas started in {time.monotonic() - started:.1f} s")
        pages = stack.enter_context(opened(browser, [f"{urls[0]}/data"]
                                           + [f"{url}/data?flik=Laddningar" for url in urls[1:]]))
        print(f"their Data pages were ready after {time.monotonic() - started:.1f} s")
        first, others = pages[0], pages[1:]
        for page in others:  # the loads as they are: none that can be undone (the demo's cannot)
            expect(loads_tab(page).get_by_text(NOTHING_TO_UNDO)).to_be_visible(timeout=WAIT_MS)

        choose_file(first, tmp_path, FILE, ROWS)
        expect(first.get_by_text(f"Förhandsgranskning: {FILE}")).to_be_visible(timeout=WAIT_MS)
        settled(first)
        first.get_by_role("button", name="Läs in").click()
        success = first.locator("[data-testid=stAlertContentSuccess]")
        expect(success).to_contain_text("är inläst", timeout=WAIT_MS)
        loaded_at = time.monotonic()
        load_id = int(success.inner_text().split("Laddning ")[1].split(" ")[0])
        assert first.locator(ERROR_ELEMENTS).count() == 0

        for page in others:
            page.reload()
        shown_after = []
        for number, page in enumerate(others, start=2):
            ready(page)
            picker = loads_tab(page).get_by_role("combobox", name="Laddning")  # newest first: the new load is chosen
            expect(picker).to_have_value(re.compile(rf"^Laddning {load_id}: {re.escape(FILE)} \("), timeout=WAIT_MS)
            shown_after.append(time.monotonic() - loaded_at)
            assert page.locator(ERROR_ELEMENTS).count() == 0
            screenshot(page, f"lake-replica-{number}")
        print(f"load {load_id} through replica 1 shown by replicas 2 and 3 after "
              + ", ".join(f"{seconds:.2f} s" for seconds in shown_after) + " (reload included)")
