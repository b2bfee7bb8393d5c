"""Shared machinery for the end-to-end tests: Debian's Chromium through Playwright, `streamlit run`.

tests/conftest.py turns these into session fixtures (`browser`, `dashboard_url`) so all browser tests
share one Chromium and one dashboard server on a copy of the demo database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from followup import config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1920, "height": 1080}
SCREENSHOTS = config.ROOT / "test-output" / "e2e"
START_TIMEOUT = 90.0  # seconds to wait for the server (a ceiling for a slow machine, not an assertion)
PAGE_TIMEOUT_MS = 90_000  # the first start builds the demo database before the page appears
EXPECT_TIMEOUT_MS = 30_000
"""How long an `expect(...)` waits for its state (Playwright's default is 5 s): parallel workers share two cores,
so a state can take longer to arrive; a test that passes still returns as soon as it arrives."""

AREAS = [
    "Unga i riskzon för destruktivt beteende",
    "Otrygga och brottsutsatta platser",
    "Systemhotande brottslighet",
    "Särskilt utsatta och sårbara brottsoffer",
    "Kriminella miljöer och livsstilar",
]
ERROR_ELEMENTS = "[data-testid=stException], [data-testid=stAlertContentError]"


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} saknas (installera Debians chromium: make test gör det)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python-paketet playwright saknas (pip install -r requirements-dev.txt)"
    return None


@contextmanager
def launched_browser() -> Iterator[Any]:
    """A headless Chromium; skipped locally and failed under CI (CI=true) when unavailable."""
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"End-to-end-testerna kan inte köras: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    """Whether Streamlit's health endpoint answers ok."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def streamlit_process(db_path: Path, log_path: Path, *, port: int | None = None, host: str = "127.0.0.1",
                      args: Sequence[str] = (), env: Mapping[str, str] | None = None,
                      ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run the dashboard on a free port (or PORT) against db_path, with more command-line ARGS and ENV; yield
    its URL (http://HOST:port) and process, and always stop it."""
    port = port or _free_port()
    env = {**os.environ, config.DB_ENV: str(db_path), "PYTHONPATH": str(config.ROOT), **(env or {})}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args]
    url = f"http://{host}:{port}"
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(command, cwd=config.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _healthy(url):
                if server.poll() is not None:
                    pytest.fail(f"streamlit stoppade (kod {server.returncode}):\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit svarade inte på {url}/_stcore/health:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield url, server
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def streamlit_server(db_path: Path, log_path: Path) -> Iterator[str]:
    """Run the dashboard on a free port against db_path; yield its URL and always stop it."""
    with streamlit_process(db_path, log_path) as (url, _):
        yield url


def open_page(browser: Any, url: str) -> Any:
    """A 1920×1080 page at url, waited until Streamlit is connected and the script has finished."""
    page = browser.new_page(viewport=VIEWPORT, locale="sv-SE")
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]")
    page.wait_for_selector("[data-test-script-state=notRunning]")
    return page


def assert_overview(page: Any) -> None:
    """The five priority areas are visible as headings and no error element is on the page."""
    from playwright.sync_api import expect

    for number, name in enumerate(AREAS, start=1):
        expect(page.get_by_role("heading", name=f"{number}. {name}")).to_be_visible()
    assert page.locator(ERROR_ELEMENTS).count() == 0




def screenshot(page: Any, name: str) -> Path:
    """Save a full-viewport screenshot under test-output/e2e/ for review; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def plotly_chart_count(page: Any, *, settle_ms: int = 1_000, ceiling_ms: int = 30_000) -> int:
    """How many Plotly charts have rendered, once the count has stayed the same for settle_ms."""
    step, waited, stable_for = 200, 0, 0
    count = page.locator(".js-plotly-plot").count()
    while waited < ceiling_ms and (count == 0 or stable_for < settle_ms):
        page.wait_for_timeout(step)
        waited += step
        now = page.locator(".js-plotly-plot").count()
        stable_for = stable_for + step if now == count else 0
        count = now
    return count


def choose_file(page: Any, folder: Path, name: str, text: str) -> None:
    """Put a file into the page's uploader as a user would pick it."""
    file = folder / name
    file.write_text(text, encoding="utf-8-sig")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(file))


QUIET_MS = 300
"""A page has settled when no script runs and its DOM has not changed for this long after a run was seen..."""
QUIET_WITHOUT_RUN_MS = 1_500
"""...or for this long when no run was seen (the action's run may have been quicker than a poll, or not started)."""
SETTLE_CEILING_MS = 60_000

_SETTLE_JS = """([quietMs, quietWithoutRunMs, ceilingMs]) => new Promise(resolve => {
  const start = performance.now();
  let last = start;
  let sawRun = false;
  const observer = new MutationObserver(() => { last = performance.now(); });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const tick = () => {
    const now = performance.now();
    sawRun = sawRun || document.querySelector('[data-test-script-state=running], [data-test-script-state=rerunRequested]') !== null;
    const idle = document.querySelector('[data-test-script-state=notRunning]') !== null;
    const quiet = now - last >= (sawRun ? quietMs : quietWithoutRunMs);
    if ((idle && quiet) || now - start >= ceilingMs) {
      observer.disconnect();
      resolve(idle && quiet);
    } else {
      setTimeout(tick, 50);
    }
  };
  setTimeout(tick, 50);
})"""


def open_options(page: Any, combobox: Any, *, attempts: int = 5) -> None:
    """Open a selectbox's list of options and wait until it is shown. A click that lands while a rerun redraws the
    widget leaves the list closed, so it is clicked again (a state to reach, not a pause to hope for)."""
    from playwright.sync_api import expect

    listbox = page.get_by_role("listbox")
    for _ in range(attempts - 1):
        combobox.click()
        try:
            expect(listbox).to_be_visible(timeout=3_000)
            return
        except AssertionError:
            page.keyboard.press("Escape")
            settled(page)
    combobox.click()
    expect(listbox).to_be_visible()


def charts_drawn(page: Any) -> None:
    """Wait until every Plotly chart on the page has drawn its SVG, then until the page has settled."""
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
        .every(chart => chart.querySelector('.main-svg') !== null)""")
    settled(page)


def settled(page: Any) -> None:
    """Wait until the script run the last action started has finished and its output has been drawn: no script
    runs and the page's DOM has been still for QUIET_MS (QUIET_WITHOUT_RUN_MS when no run was seen). A state, not
    a fixed pause: under load a rerun can start later than any pause, and the old notRunning would let the test
    go on too early."""
    assert page.evaluate(_SETTLE_JS, [QUIET_MS, QUIET_WITHOUT_RUN_MS, SETTLE_CEILING_MS]), (
        f"the page did not settle within {SETTLE_CEILING_MS} ms")
