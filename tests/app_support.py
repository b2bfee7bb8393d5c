"""Shared AppTest helpers: open a page of the app as a link to it does, and read Markdown as shown."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from followup import config

APP = str(config.ROOT / "dashboard.py")
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)


def open_page(page: str, *, timeout: float = RUN_TIMEOUT, **params: str) -> AppTest:
    """Run the app on PAGE (e.g. 'views/omrade.py') with the URL's query parameters; it must not raise."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(text: str) -> str:
    """Markdown as the reader sees it: escapes removed, no-break spaces as spaces."""
    return text.replace("\\", "").replace("\u00a0", " ")
