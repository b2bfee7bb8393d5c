"""Sign-in machinery for the browser tests: a mock OpenID provider, a dashboard with [auth], sign-in and out.

The provider is oidc-provider-mock (`run_server_in_thread`) in the test process. Its users are registered
up front as `User(sub, claims)`: every claim that is not a standard OIDC claim (such as `roles`) goes into
the ID token as it is, so `roles` reaches `st.user["roles"]` as a list, as an Entra ID app role does. The
provider's authorization page lists the registered users as buttons named by their `sub` (here the e-mail);
clicking one signs that user in. Its end-session page asks for a click on "End session" and then returns to
the app's /oauth2callback, which Streamlit sends on to the start page.

The dashboard runs as `streamlit run dashboard.py --secrets.files <temporary secrets.toml>`, so the
repository's .streamlit/secrets.toml (if any) is not read, with FOLLOWUP_DB on a private copy of the demo
database and FOLLOWUP_ACCESS on a temporary access file. The browser visits it as http://localhost:<port>,
the origin of the redirect URI, so the sign-in cookie belongs to the address the test uses.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from e2e_support import PAGE_TIMEOUT_MS, VIEWPORT, _free_port, streamlit_process
from followup import access

CLIENT_ID = "followup-e2e"
CLIENT_SECRET = "e2e-hemlighet"
SIGN_IN = "Logga in"
SIGN_OUT = "Logga ut"
READY = "[data-testid=stApp][data-test-connection-state=CONNECTED]"
IDLE = "[data-test-script-state=notRunning]"


@dataclass(frozen=True)
class Account:
    """A user the mock provider knows: an e-mail (also the subject) and the token's app roles."""

    email: str
    roles: tuple[str, ...] = ()

    def claims(self) -> dict[str, object]:
        """The claims put into the ID token: email, name and, when there are any, the roles list."""
        claims: dict[str, object] = {"email": self.email, "name": self.email.split("@")[0]}
        if self.roles:
            claims["roles"] = list(self.roles)
        return claims


@dataclass
class SignInApp:
    """A running dashboard with sign-in: its address, the provider's, its process and its database file."""

    url: str
    provider_url: str
    process: subprocess.Popen[bytes]
    db_path: Path
    log_path: Path
    sign_ins: int = 0

    def database_open(self) -> bool:
        """Whether the dashboard process holds its database file open (it opens it on its first query)."""
        fd_dir = Path(f"/proc/{self.process.pid}/fd")
        targets = []
        for fd in fd_dir.iterdir():
            try:
                targets.append(os.readlink(fd))
            except OSError:  # closed between listing and reading
                continue
        return any(target.startswith(str(self.db_path)) for target in targets)


def _require_mock() -> Any:
    """The oidc_provider_mock module; skipped locally and failed under CI (CI=true) when it is missing."""
    try:
        import oidc_provider_mock
    except ImportError:
        reason = "Python-paketet oidc-provider-mock saknas (pip install -r requirements-dev.txt)"
        if os.environ.get("CI"):
            pytest.fail(f"Inloggningstesterna kan inte köras: {reason}")
        pytest.skip(reason)
    return oidc_provider_mock


@contextmanager
def mock_provider(accounts: Sequence[Account]) -> Iterator[str]:
    """Run the mock OpenID provider on a free port with ACCOUNTS registered; yield its base URL."""
    mock = _require_mock()
    users = [mock.User(sub=account.email, claims=account.claims()) for account in accounts]
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # one line per request otherwise
    try:
        with mock.run_server_in_thread(port=0, user_claims=users) as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        werkzeug_log.setLevel(level)


def secrets_text(app_port: int, provider_url: str) -> str:
    """The [auth] section of a secrets.toml for the dashboard on APP_PORT signing in at PROVIDER_URL."""
    return (
        "[auth]\n"
        f'redirect_uri = "http://localhost:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n'
    )


@contextmanager
def sign_in_dashboard(db_path: Path, access_file: Path, provider_url: str, folder: Path) -> Iterator[SignInApp]:
    """`streamlit run dashboard.py` with [auth] against the provider (secrets file in FOLLOWUP); always stopped."""
    port = _free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(secrets_text(port, provider_url), encoding="utf-8")
    log_path = folder / "streamlit.log"
    # localhost, the redirect URI's origin, so the sign-in cookie belongs to the address the browser uses
    with streamlit_process(db_path, log_path, port=port, host="localhost", args=["--secrets.files", str(secrets_file)],
                           env={access.ACCESS_ENV: str(access_file)}) as (url, server):
        yield SignInApp(url, provider_url, server, db_path, log_path)


def new_tab(browser: Any) -> Any:
    """A 1920×1080 page in a fresh browser context (its own cookies: no one is signed in)."""
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context.new_page()


def settle(page: Any) -> None:
    """Wait until Streamlit is connected and its script has finished."""
    page.wait_for_selector(READY)
    page.wait_for_selector(IDLE)


def visit(page: Any, url: str) -> None:
    """Go to URL in PAGE and wait until Streamlit is connected and its script has finished."""
    page.goto(url)
    settle(page)


def sign_in(browser: Any, app: SignInApp, account: Account) -> Any:
    """A new tab signed in as ACCOUNT: the app's "Logga in" button, then the user's button at the provider."""
    from playwright.sync_api import expect

    page = new_tab(browser)
    visit(page, app.url)
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{app.provider_url}/oauth2/authorize**")
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_role("button", name=account.email, exact=True).click()
    page.wait_for_url(f"{app.url}/**")
    settle(page)
    app.sign_ins += 1
    return page


def sign_out(page: Any, app: SignInApp) -> None:
    """Press "Logga ut" in the app, end the session at the provider and wait for the app again."""
    page.locator("[data-testid=stSidebar]").get_by_role("button", name=SIGN_OUT).click()
    page.wait_for_url(f"{app.provider_url}/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app.url}/**")
    settle(page)


def close_tab(page: Any) -> None:
    """Close a tab made by new_tab or sign_in, with its context."""
    context = page.context
    page.close()
    context.close()
