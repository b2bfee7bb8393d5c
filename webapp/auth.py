"""Sign-in at the Streamlit edge: who the visitor is, the sign-in gate, the identity line, the public screen.

With an [auth] section in .streamlit/secrets.toml the dashboard signs users in through Streamlit's OIDC
support (st.login / st.user) and maps their token's app roles and the access file to a
followup.access.Principal. Without it, local mode: the local account with the admin role and a banner that
says so. The core checks every write again (followup.access.require_write); what this module hides is
only what the user may not do anyway.
"""

from __future__ import annotations

import functools
import getpass
import time
from collections.abc import Callable
from typing import NoReturn
from pathlib import Path

import streamlit as st

from followup import access
from followup.access import Principal, Role
from webapp import state
from webapp.components import district_name, plain

LOCAL_BANNER = ("**Lokalt läge – ingen inloggning.** Alla som når den här datorn kan läsa och ändra. Konfigurera "
                "inloggning ([auth] i .streamlit/secrets.toml) innan dashboarden delas.")
READ_ONLY_TEXT = "Du kan läsa men inte ändra {what}{where}: "
SESSION_HOURS = 12
"""A sign-in older than this is asked for again (Streamlit's own cookie lasts 30 days)."""
PUBLIC_PARAM = "skarm"
"""Query parameter of the public-screen mode (?skarm=offentlig)."""
PUBLIC_VALUE = "offentlig"
PUBLIC_KEY = state.PUBLIC_KEY
PAGE_KEYS = frozenset({"oversikt", "omrade", "platser", "trender", "handlingsplan", "styrgrupp", "mote", "data",
                       "status_help"})
"""The url paths of the dashboard's pages (st.Page derives them from the file names in views/)."""
DEFAULT_PAGE_KEY = "oversikt"
"""The default page's key: its url path is empty."""


def sign_in_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section: sign-in is required."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


@st.cache_data(show_spinner=False, max_entries=4)
def _policy(path: str, modified: float) -> access.Policy:
    """The access file as of its modification time (a changed file is read again without a restart)."""
    file = Path(path)
    return access.load_policy(file, districts_known=access.reference_districts(), pages_known=PAGE_KEYS)


def policy() -> access.Policy:
    """The access file in use ($FOLLOWUP_ACCESS or data/access.toml); AccessFileError when it is wrong."""
    file = access.access_path()
    return _policy(str(file), file.stat().st_mtime if file.exists() else 0.0)


def _claims(value: object) -> list[str]:
    """The token's roles claim as a list (a single role may come as a string)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def current_principal() -> Principal:
    """The visitor: the local admin in local mode, a signed-in user's principal, or a principal with no role."""
    if not sign_in_configured():
        return access.local(getpass.getuser())
    if not signed_in():
        return Principal("", None)
    email = str(st.user.get("email") or st.user.get("preferred_username") or st.user.get("sub") or "")
    return access.principal_for(email, _claims(st.user.get("roles")), policy())


def gate() -> Principal:
    """Stop the run with the sign-in page or the no-access page unless the visitor may read; else the principal."""
    try:
        policy()  # a broken access file stops the app here, in local mode too, with the reason
        principal = current_principal()
    except access.AccessFileError as error:
        _only(functools.partial(_access_file_error, str(error)), "Behörighetsfilen", ":material/error:")
    if sign_in_configured() and not signed_in():
        _only(_sign_in_page, "Logga in", ":material/login:")
    if not principal.can_read():
        _only(_no_access_page, "Ingen behörighet", ":material/block:")
    return principal


def _only(show: Callable[[], None], title: str, icon: str) -> NoReturn:
    """Run SHOW whatever page the address names (so no 'page not found' dialog), then stop the run."""
    pages = [st.Page(show, title=title, icon=icon, default=True)]
    pages += [st.Page(show, title=title, icon=icon, url_path=key) for key in sorted(PAGE_KEYS)]
    st.navigation(pages, position="hidden").run()
    st.stop()
    raise AssertionError("st.stop() returned")  # for the type checker: st.stop ends the run


def signed_in() -> bool:
    """True when a user is signed in with a token issued less than SESSION_HOURS ago.

    Streamlit keeps the token's claims (and so the roles) in its cookie for 30 days; asking for a new
    sign-in after a working day means a role removed in Entra ID stops working by the next day. The token's
    issue time (iat) counts, not auth_time: with single sign-on a new token keeps the first auth_time."""
    if not st.user.is_logged_in:
        return False
    signed_at = st.user.get("iat") or st.user.get("auth_time")
    return signed_at is None or time.time() - float(signed_at) < SESSION_HOURS * 3600


def _sign_in_page() -> None:
    """The only page an unsigned visitor sees: what the dashboard is and the sign-in button; no data."""
    st.title("Logga in")
    if st.user.is_logged_in:
        st.info(f"Inloggningen har gått ut: den gäller i {SESSION_HOURS} timmar. Logga in igen.",
                icon=":material/schedule:")
    st.markdown("Uppföljningen av samverkan mellan staden och polisen innehåller uppgifter som inte är "
                "offentliga. Logga in med ditt konto i staden för att se den. Efter inloggningen kommer du "
                "till startsidan; öppna en länk du fått igen därifrån.")
    if st.button("Logga in", type="primary", icon=":material/login:"):
        st.login()


def _no_access_page() -> None:
    """A signed-in user without a role: who they are, why they see nothing and whom to ask."""
    st.title("Ingen behörighet")
    st.markdown(f"Du är inloggad som **{plain(str(st.user.get('email') or ''))}** men har ingen roll i "
                "uppföljningen. Be en administratör att ge dig rollen läsare, redaktör eller administratör "
                "(approllen i Entra ID eller en rad i behörighetsfilen).")
    if st.button("Logga ut", icon=":material/logout:"):
        st.logout()


def _access_file_error(error: str) -> None:
    """The access file cannot be read: say where and how to fix it; nothing else is shown."""
    st.title("Behörighetsfilen går inte att använda")
    st.error(plain(error), icon=":material/error:")


def identity(principal: Principal) -> None:
    """The sidebar's line on who is signed in (with a sign-out button), or the local-mode banner."""
    if not sign_in_configured():
        st.sidebar.warning(LOCAL_BANNER, icon=":material/lock_open:")
        return
    st.sidebar.caption(f"Inloggad som {plain(principal.name)} · {plain(role_text(principal))}")
    if st.sidebar.button("Logga ut", icon=":material/logout:"):
        st.logout()


def may_edit(principal: Principal) -> bool:
    """True when PRINCIPAL may write anything at all (an editor of some district, or an admin)."""
    return principal.role in (Role.EDITOR, Role.ADMIN)


def read_only_notice(principal: Principal, district_name: str, what: str) -> None:
    """Say that the user may read but not change WHAT (for the district, when named), and whom to ask."""
    where = f" för {district_name}" if district_name else ""
    st.info(plain(READ_ONLY_TEXT.format(what=what, where=where) + f"du är {role_text(principal)}. Be en "
                  "administratör om behörighet."), icon=":material/visibility:")


def role_text(principal: Principal) -> str:
    """The role in words, with an editor's districts by name: 'redaktör för Bromma och Farsta'."""
    role = access.ROLE_WORD[principal.role] if principal.role else "utan roll"
    if principal.role is not Role.EDITOR:
        return role
    names = sorted(district_name(code) for code in principal.districts)
    return f"{role} för {' och '.join([', '.join(names[:-1]), names[-1]] if len(names) > 1 else names)}"


def public_pages(pages: list[st.Page]) -> list[st.Page]:
    """The PAGES the access file allows on a public screen (the default page stays first)."""
    allowed = policy().public_pages
    return [page for page in pages if (page.url_path or DEFAULT_PAGE_KEY) in allowed]


def public_screen() -> bool:
    """True when the dashboard is shown on a public screen (?skarm=offentlig or the sidebar switch)."""
    if PUBLIC_KEY not in st.session_state:
        st.session_state[PUBLIC_KEY] = st.query_params.get(PUBLIC_PARAM) == PUBLIC_VALUE
    return bool(st.session_state[PUBLIC_KEY])


def public_screen_switch() -> None:
    """The sidebar switch for the public screen; the address says it too, so a link opens the same mode."""
    public_screen()
    on = st.sidebar.toggle("Offentlig skärm", key=PUBLIC_KEY,
                           help="Visar bara sidor som får visas för allmänheten och döljer interna texter "
                                "(kommentarer, insatser, åtaganden).")
    if on:
        st.query_params[PUBLIC_PARAM] = PUBLIC_VALUE
    elif st.query_params.get(PUBLIC_PARAM) is not None:
        del st.query_params[PUBLIC_PARAM]
