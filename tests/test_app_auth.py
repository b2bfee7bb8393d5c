"""Sign-in, roles and the public screen in AppTest (dashboard.py, webapp/auth.py), one visitor per role.

With [auth] in the secrets the app signs users in; `at.user` plays the signed-in user (its `roles` are the
token's app roles) and FOLLOWUP_ACCESS names the access file. Without [auth] it runs in local mode.
The core's own refusals are tested in tests/test_access.py and the write modules' tests; the real sign-in
round trip through an OpenID provider is tests/test_e2e_auth.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from followup import access, queries
from tests import app_support
from webapp import auth, mote

pytestmark = pytest.mark.usefixtures("fresh_caches")

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "ett-hemligt-varde-for-testet",
    "client_id": "followup",
    "client_secret": "hemligt",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
EDITOR = "eva.editor@stockholm.se"
VIEWER = "vera.viewer@stockholm.se"
ADMIN = "adam.admin@stockholm.se"
ACCESS_FILE = f"""
[users."{EDITOR}"]
role = "editor"
districts = ["hasselby-vallingby"]

[users."{VIEWER}"]
role = "viewer"

[users."{ADMIN}"]
role = "admin"
"""


@pytest.fixture
def access_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An access file with an editor of Hässelby-Vällingby, a viewer and an admin ($FOLLOWUP_ACCESS)."""
    file = tmp_path / "access.toml"
    file.write_text(ACCESS_FILE, encoding="utf-8")
    monkeypatch.setenv(access.ACCESS_ENV, str(file))
    return file


def open_as(page: str, user: dict | None, **params: str) -> AppTest:
    """Run the app with sign-in configured on PAGE as USER (None: nobody signed in)."""
    at = AppTest.from_file(app_support.APP, default_timeout=app_support.RUN_TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def signed_in(email: str, *roles: str) -> dict:
    """The st.user of a signed-in user with the token's app ROLES."""
    return {"email": email, "name": email.split("@")[0], "roles": list(roles)}


def infos(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info)


def buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


@pytest.mark.parametrize("page", ["views/oversikt.py", "views/omrade.py", "views/handlingsplan.py", "views/data.py",
                                  "views/mote.py"])
def test_an_unsigned_visitor_sees_only_the_sign_in_page_and_no_query_runs(
        page: str, demo_db_copy: Path, access_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    real = queries.run
    monkeypatch.setattr(queries, "run", lambda con, name, **params: ran.append(name) or real(con, name, **params))
    at = open_as(page, None, omrade="Bromma")
    assert [t.value for t in at.title] == ["Logga in"]
    assert "Logga in" in buttons(at)
    assert not at.dataframe and not at.get("plotly_chart") and not at.metric and not at.sidebar.selectbox
    assert ran == []  # not even the data version: nothing is read before sign-in


def test_a_signed_in_user_without_a_role_sees_no_data(demo_db_copy: Path, access_file: Path) -> None:
    at = open_as("views/oversikt.py", signed_in("okand@stockholm.se"))
    assert [t.value for t in at.title] == ["Ingen behörighet"]
    assert "okand@stockholm\\.se" in at.markdown[0].value
    assert "Logga ut" in buttons(at)
    assert not at.dataframe and not at.get("plotly_chart") and not at.sidebar.selectbox


def test_a_viewer_reads_every_page_but_is_offered_no_write(demo_db_copy: Path, access_file: Path) -> None:
    at = open_as("views/oversikt.py", signed_in(VIEWER))
    assert at.title[0].value.startswith("Översikt")
    assert any("Inloggad som" in c.value and "läsare" in c.value for c in at.sidebar.caption)
    assert not [w for w in at.sidebar.warning if "Lokalt läge" in w.value]
    plan = open_as("views/handlingsplan.py", signed_in(VIEWER))
    assert plan.dataframe, "the viewer still sees the action plan"
    assert "Du kan läsa men inte ändra handlingsplanen" in infos(plan)
    assert "Lägg till insatsen" not in buttons(plan) and not plan.tabs
    group = open_as("views/styrgrupp.py", signed_in(VIEWER))
    assert "Du kan läsa men inte ändra besluten och åtagandena" in infos(group)
    assert "Lägg till åtagandet" not in buttons(group)
    data = open_as("views/data.py", signed_in(VIEWER))
    assert "Du kan läsa men inte ändra data" in infos(data)
    assert not data.get("file_uploader") and "Lägg till namn" not in buttons(data)


def test_an_editor_writes_their_own_district_only(demo_db_copy: Path, access_file: Path) -> None:
    own = open_as("views/handlingsplan.py", signed_in(EDITOR))
    assert own.title[0].value == "Handlingsplan – Hässelby\\-Vällingby"
    assert "Lägg till insatsen" in buttons(own)
    assert any("redaktör för Hässelby\\-Vällingby" in c.value for c in own.sidebar.caption)
    own.text_input(key="ny-title").input("Trygghetsvandring i Vällingby")
    own.multiselect(key="ny-goals").select("pa2-3")
    own.text_input(key="ny-lead").input("Nattvandrarna")
    next(b for b in own.button if b.label == "Lägg till insatsen").click().run()
    assert [s.value for s in own.success] == ["Insatsen är tillagd\\."], [e.value for e in own.error]

    other = open_as("views/handlingsplan.py", signed_in(EDITOR), omrade="Bromma")
    assert other.title[0].value == "Handlingsplan – Bromma"
    assert "Du kan läsa men inte ändra handlingsplanen för Bromma" in infos(other)
    assert "Lägg till insatsen" not in buttons(other)
    group = open_as("views/styrgrupp.py", signed_in(EDITOR), omrade="Bromma")
    assert "Lägg till åtagandet" not in buttons(group)


def test_the_roles_claim_gives_the_role_without_the_access_file(demo_db_copy: Path, access_file: Path) -> None:
    at = open_as("views/handlingsplan.py", signed_in("claim@stockholm.se", "Followup.Editor.bromma"), omrade="Bromma")
    assert "Lägg till insatsen" in buttons(at)
    at = open_as("views/handlingsplan.py", signed_in("claim@stockholm.se", "Followup.Viewer"), omrade="Bromma")
    assert "Lägg till insatsen" not in buttons(at)


def test_an_admin_writes_every_district(demo_db_copy: Path, access_file: Path) -> None:
    at = open_as("views/handlingsplan.py", signed_in(ADMIN), omrade="Bromma")
    assert "Lägg till insatsen" in buttons(at)
    assert any("administratör" in c.value for c in at.sidebar.caption)


def test_a_broken_access_file_stops_the_app_with_the_reason(demo_db_copy: Path, access_file: Path) -> None:
    access_file.write_text('[users."x@y.se"]\nrole = "chef"\n', encoding="utf-8")
    at = open_as("views/oversikt.py", signed_in(ADMIN))
    assert at.title[0].value == "Behörighetsfilen går inte att använda"
    assert "access.toml, [users.\"x@y.se\"]: okänd roll 'chef'" in app_support.shown(at.error[0].value)
    assert not at.dataframe and not at.sidebar.selectbox


def test_local_mode_says_so_and_writes_as_the_local_account(demo_db_copy: Path) -> None:
    at = app_support.open_page("views/handlingsplan.py")
    banner = [w.value for w in at.sidebar.warning]
    assert banner and banner[0].startswith("**Lokalt läge – ingen inloggning.**")
    assert "Lägg till insatsen" in buttons(at)


def test_the_public_screen_lists_only_public_pages_and_hides_internal_text(demo_db_copy: Path) -> None:
    inside = app_support.open_page("views/omrade.py", prio="pa2")
    public = app_support.open_page("views/omrade.py", prio="pa2", skarm=auth.PUBLIC_VALUE)
    assert any("Styrgruppens kommentar" in m.value for m in inside.markdown), "the demo has a comment here"
    assert not any("Styrgruppens kommentar" in m.value for m in public.markdown)
    assert not any(e.label.startswith("Insatser i handlingsplanen") for e in public.expander)
    assert public.toggle(key=auth.PUBLIC_KEY).value is True
    assert len(public.get("plotly_chart")) == len(inside.get("plotly_chart"))

    meetings = {public: app_support.open_page("views/mote.py", **({"skarm": auth.PUBLIC_VALUE} if public else {}))
                for public in (False, True)}
    steps = {public: " | ".join(at.selectbox(key=mote.GOTO_STATE).options) for public, at in meetings.items()}
    assert "Handlingsplanen" in steps[False] and "Åtaganden från förra mötet" in steps[False]
    assert "Handlingsplanen" not in steps[True] and "Åtaganden från förra mötet" not in steps[True]


def test_the_public_screen_does_not_open_an_internal_page_by_its_address(demo_db_copy: Path) -> None:
    inside = app_support.open_page("views/handlingsplan.py")
    public = app_support.open_page("views/handlingsplan.py", skarm=auth.PUBLIC_VALUE)
    assert inside.title[0].value.startswith("Handlingsplan")
    assert not public.title[0].value.startswith("Handlingsplan")
    assert not public.dataframe


def test_a_sign_in_older_than_a_working_day_is_asked_for_again(demo_db_copy: Path, access_file: Path) -> None:
    now = time.time()
    fresh = open_as("views/oversikt.py", {**signed_in(ADMIN), "iat": int(now - 3600), "auth_time": int(now - 99999)})
    assert fresh.title[0].value.startswith("Översikt")
    stale = open_as("views/oversikt.py", {**signed_in(ADMIN), "iat": int(now - (auth.SESSION_HOURS + 1) * 3600)})
    assert [t.value for t in stale.title] == ["Logga in"]
    assert "Inloggningen har gått ut" in infos(stale)
    assert not stale.dataframe and not stale.sidebar.selectbox
