"""Who may do what: the roles, the principal behind every write, the access file and the core's checks.

Roles (issue 7): a viewer reads; an editor also loads data and writes activities, comments and commitments
for the districts named for them (and the place names that point into them); an admin does everything,
including what is the whole city's (a load that adds EST categories) and the roles themselves. A signed-in user with no role sees nothing.

Roles come from two sources and are added up: the identity token's `roles` claim (Entra ID app roles,
values such as `Followup.Admin`, `Followup.Viewer`, `Followup.Editor.bromma`) and the access file, a
small TOML file ($FOLLOWUP_ACCESS, else data/access.toml) that maps e-mail to role and districts and names
the pages that may be shown on a public screen:

    [users."anna.andersson@stockholm.se"]
    role = "editor"
    districts = ["hasselby-vallingby"]

    [public_screen]
    pages = ["oversikt", "omrade", "platser", "trender", "mote", "status_help"]

The core checks a write where it is made (require_write, require_admin), so hiding a button is never the
only protection. Without sign-in (no [auth] in .streamlit/secrets.toml) the dashboard runs in local mode
as the local account with the admin role; the command line always does (it needs the file itself).
"""

from __future__ import annotations

import csv
import getpass
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from followup import config, errors

ACCESS_ENV = "FOLLOWUP_ACCESS"
DEFAULT_ACCESS_FILE = config.DATA_DIR / "access.toml"
CLAIM_PREFIX = "followup."
"""App-role values in the token start with this (case-insensitive); the rest is the role, e.g. editor.bromma."""


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}
ROLE_WORD = {Role.VIEWER: "läsare", Role.EDITOR: "redaktör", Role.ADMIN: "administratör"}


class AccessDenied(errors.NotAllowed, PermissionError):
    """A write (or a view) refused for want of a role; the message says why and whom to ask, in Swedish."""


class AccessFileError(errors.BadInput, ValueError):
    """The access file cannot be used; the message names the file, the entry and the fix, in Swedish."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: a name for the audit log (e-mail, or lokal:<account>), a role and an editor's districts."""

    name: str
    role: Role | None
    districts: frozenset[str] = field(default_factory=frozenset)

    def can_read(self) -> bool:
        """True when the principal may see the dashboard's data."""
        return self.role is not None

    def can_write(self, district: str) -> bool:
        """True when the principal may write DISTRICT's data (an admin writes every district)."""
        return self.role is Role.ADMIN or (self.role is Role.EDITOR and district in self.districts)

    def is_admin(self) -> bool:
        """True for the admin role."""
        return self.role is Role.ADMIN


def local(account: str | None = None) -> Principal:
    """The principal of local mode and of the command line: the local account, with the admin role."""
    return Principal(f"lokal:{account or getpass.getuser()}", Role.ADMIN)


def _who(principal: Principal) -> str:
    """The principal as named in a refusal."""
    role = ROLE_WORD[principal.role] if principal.role else "utan roll"
    return f"{principal.name} ({role})"


def require_write(principal: Principal, districts: Iterable[str], what: str) -> None:
    """Refuse WHAT unless PRINCIPAL may write every one of DISTRICTS."""
    if not isinstance(principal, Principal):
        raise TypeError(f"a write needs a followup.access.Principal, not {type(principal).__name__}")
    denied = sorted({d for d in districts if not principal.can_write(d)})
    if principal.role is None or principal.role is Role.VIEWER:
        raise AccessDenied(f"{_who(principal)} får inte {what}: det kräver rollen redaktör för stadsdelsområdet "
                           "eller administratör. Be en administratör om behörighet.")
    if denied:
        raise AccessDenied(f"{_who(principal)} får inte {what} för {', '.join(denied)}: du är redaktör för "
                           f"{', '.join(sorted(principal.districts)) or 'inga stadsdelsområden'}. Be en "
                           "administratör om behörighet för fler stadsdelsområden.")


def require_admin(principal: Principal, what: str) -> None:
    """Refuse WHAT unless PRINCIPAL has the admin role."""
    if not isinstance(principal, Principal):
        raise TypeError(f"a write needs a followup.access.Principal, not {type(principal).__name__}")
    if not principal.is_admin():
        raise AccessDenied(f"{_who(principal)} får inte {what}: det kräver rollen administratör. Be en "
                           "administratör om hjälp.")


@dataclass(frozen=True)
class Grant:
    """A role and, for an editor, districts: what one source says about a user."""

    role: Role
    districts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    """The access file: grants by lower-case e-mail, and the pages allowed on a public screen."""

    users: Mapping[str, Grant] = field(default_factory=dict)
    public_pages: frozenset[str] = frozenset()


DEFAULT_PUBLIC_PAGES = frozenset({"oversikt", "omrade", "platser", "trender", "mote", "status_help"})
"""Without a [public_screen] table: the pages without internal free text (not Handlingsplan, Styrgruppen, Data)."""


def access_path() -> Path:
    """The access file: $FOLLOWUP_ACCESS, else data/access.toml (which may be missing)."""
    env = os.environ.get(ACCESS_ENV, "").strip()
    return Path(env) if env else DEFAULT_ACCESS_FILE


def _grant(file: Path, email: str, entry: Any, districts_known: frozenset[str] | None) -> Grant:
    """One [users."e-mail"] table as a Grant, or AccessFileError naming the entry."""
    where = f'{file.name}, [users."{email}"]'
    if not isinstance(entry, Mapping):
        raise AccessFileError(f"{where}: ska vara en tabell med role = \"viewer\"|\"editor\"|\"admin\".")
    if "role" not in entry:
        raise AccessFileError(f"{where}: role saknas. Skriv role = \"viewer\", \"editor\" eller \"admin\".")
    try:
        role = Role(str(entry["role"]).strip().lower())
    except ValueError:
        raise AccessFileError(f"{where}: okänd roll {entry.get('role')!r}. Skriv role = \"viewer\", \"editor\" "
                              "eller \"admin\".") from None
    districts = entry.get("districts", [])
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
        raise AccessFileError(f"{where}: districts ska vara en lista med koder, t.ex. districts = [\"bromma\"].")
    codes = frozenset(d.strip() for d in districts)
    if role is Role.EDITOR and not codes:
        raise AccessFileError(f"{where}: en redaktör behöver minst ett stadsdelsområde i districts.")
    unknown = sorted(codes - districts_known) if districts_known is not None else []
    if unknown:
        raise AccessFileError(f"{where}: okänd stadsdelsområdeskod {', '.join(unknown)}. Giltiga koder: "
                              f"{', '.join(sorted(districts_known or []))}.")
    return Grant(role, codes)


def parse_policy(text: str, file: Path, districts_known: frozenset[str] | None = None,
                 pages_known: frozenset[str] | None = None) -> Policy:
    """The access file's TEXT as a Policy; AccessFileError names the file, the entry and the fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessFileError(f"{file.name} går inte att läsa som TOML: {exc}. Rätta filen och starta om.") from None
    users = data.get("users", {})
    if not isinstance(users, Mapping):
        raise AccessFileError(f"{file.name}: [users] ska vara tabeller per e-postadress, t.ex. "
                              "[users.\"anna@stockholm.se\"].")
    grants = {email.strip().lower(): _grant(file, email, entry, districts_known) for email, entry in users.items()}
    screen = data.get("public_screen", {})
    pages = screen.get("pages", sorted(DEFAULT_PUBLIC_PAGES)) if isinstance(screen, Mapping) else None
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        raise AccessFileError(f"{file.name}: [public_screen] pages ska vara en lista med sidnamn, t.ex. "
                              "pages = [\"oversikt\", \"mote\"].")
    unknown = sorted(set(pages) - pages_known) if pages_known is not None else []
    if unknown:
        raise AccessFileError(f"{file.name}: [public_screen] okänd sida {', '.join(unknown)}. Giltiga sidor: "
                              f"{', '.join(sorted(pages_known or []))}.")
    return Policy(grants, frozenset(pages))


def reference_districts() -> frozenset[str]:
    """The district codes of data/reference/district.csv (the access file may name only these)."""
    with (config.REFERENCE_DIR / "district.csv").open(encoding="utf-8", newline="") as file:
        return frozenset(row["code"] for row in csv.DictReader(file))


def load_policy(path: Path | None = None, districts_known: frozenset[str] | None = None,
                pages_known: frozenset[str] | None = None) -> Policy:
    """The access file at PATH (default access_path()); a missing file is an empty policy."""
    file = path or access_path()
    if not file.exists():
        return Policy(public_pages=DEFAULT_PUBLIC_PAGES)
    return parse_policy(file.read_text(encoding="utf-8"), file, districts_known, pages_known)


def grant_from_claim(value: str) -> Grant | None:
    """An app-role value from the token (Followup.Admin, Followup.Editor.bromma, …) as a Grant, else None."""
    text = value.strip().lower()
    if not text.startswith(CLAIM_PREFIX):
        return None
    role_text, _, district = text[len(CLAIM_PREFIX):].partition(".")
    try:
        role = Role(role_text)
    except ValueError:
        return None
    if role is Role.EDITOR:
        return Grant(role, frozenset({district})) if district else None
    return Grant(role)


def principal_for(email: str, claims: Iterable[str], policy: Policy) -> Principal:
    """A signed-in user's principal: the highest role of the token's app roles and the access file."""
    grants = [g for g in (grant_from_claim(c) for c in claims) if g is not None]
    if (listed := policy.users.get(email.strip().lower())) is not None:
        grants.append(listed)
    if not grants:
        return Principal(email, None)
    role = max((g.role for g in grants), key=RANK.__getitem__)
    districts = frozenset().union(*(g.districts for g in grants if g.role is Role.EDITOR))
    return Principal(email, role, districts if role is Role.EDITOR else frozenset())
