"""followup.access: the access file, roles from token claims and the file, and the core's write checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from followup import access
from followup.access import AccessDenied, AccessFileError, Grant, Policy, Principal, Role

FILE = Path("/etc/followup/access.toml")
KNOWN = frozenset({"bromma", "farsta", "hasselby-vallingby", "stockholm"})
PAGES = frozenset({"oversikt", "omrade", "mote", "handlingsplan"})

GOOD = """
[users."Anna.Andersson@Stockholm.se"]
role = "editor"
districts = ["hasselby-vallingby", "bromma"]

[users."vera@stockholm.se"]
role = "Viewer"

[users."adam@stockholm.se"]
role = "admin"

[public_screen]
pages = ["oversikt", "mote"]
"""


def policy(text: str) -> Policy:
    return access.parse_policy(text, FILE, KNOWN, PAGES)


# --- the access file ---------------------------------------------------------------------------------------


def test_a_good_file_maps_lower_case_emails_to_grants_and_names_the_public_pages() -> None:
    parsed = policy(GOOD)
    assert parsed.users == {
        "anna.andersson@stockholm.se": Grant(Role.EDITOR, frozenset({"hasselby-vallingby", "bromma"})),
        "vera@stockholm.se": Grant(Role.VIEWER),
        "adam@stockholm.se": Grant(Role.ADMIN),
    }
    assert parsed.public_pages == {"oversikt", "mote"}


def test_without_a_public_screen_table_the_default_pages_are_public() -> None:
    assert access.parse_policy('[users."a@x.se"]\nrole = "viewer"\n', FILE).public_pages == access.DEFAULT_PUBLIC_PAGES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[users."a@x.se"\nrole = "admin"', "access.toml går inte att läsa som TOML: "),
        ('[users."a@x.se"]\nrole = "boss"', "access.toml, [users.\"a@x.se\"]: okänd roll 'boss'. Skriv role = "
                                            "\"viewer\", \"editor\" eller \"admin\"."),
        ('[users."a@x.se"]\ndistricts = ["bromma"]', "access.toml, [users.\"a@x.se\"]: role saknas."),
        ('[users."a@x.se"]\nrole = "editor"', "access.toml, [users.\"a@x.se\"]: en redaktör behöver minst ett "
                                              "stadsdelsområde i districts."),
        ('[users."a@x.se"]\nrole = "editor"\ndistricts = []', "en redaktör behöver minst ett stadsdelsområde"),
        ('[users."a@x.se"]\nrole = "editor"\ndistricts = ["bromma", "atlantis"]',
         "access.toml, [users.\"a@x.se\"]: okänd stadsdelsområdeskod atlantis. Giltiga koder: bromma, farsta, "
         "hasselby-vallingby, stockholm."),
        ('[users."a@x.se"]\nrole = "editor"\ndistricts = "bromma"', "districts ska vara en lista med koder"),
        ('[users]\n"a@x.se" = "admin"', "access.toml, [users.\"a@x.se\"]: ska vara en tabell med role"),
        ("users = 3", "access.toml: [users] ska vara tabeller per e-postadress"),
        ("[public_screen]\npages = [\"oversikt\", \"data\"]", "access.toml: [public_screen] okänd sida data. Giltiga "
                                                              "sidor: handlingsplan, mote, omrade, oversikt."),
        ("[public_screen]\npages = \"oversikt\"", "access.toml: [public_screen] pages ska vara en lista med sidnamn"),
        ("public_screen = 1", "[public_screen] pages ska vara en lista med sidnamn"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_the_entry_and_the_fix(text: str, message: str) -> None:
    with pytest.raises(AccessFileError, match=re.escape(message)):
        policy(text)


def test_load_policy_reads_the_file_and_a_missing_file_is_an_empty_policy(tmp_path: Path) -> None:
    missing = access.load_policy(tmp_path / "saknas.toml")
    assert (dict(missing.users), missing.public_pages) == ({}, access.DEFAULT_PUBLIC_PAGES)
    file = tmp_path / "access.toml"
    file.write_text(GOOD, encoding="utf-8")
    assert access.load_policy(file, KNOWN, PAGES) == policy(GOOD)
    file.write_text('[users."a@x.se"]\nrole = "editor"\ndistricts = ["atlantis"]', encoding="utf-8")
    with pytest.raises(AccessFileError, match="okänd stadsdelsområdeskod atlantis"):
        access.load_policy(file, KNOWN)


def test_the_access_file_is_the_environment_variable_else_data_access_toml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(access.ACCESS_ENV, raising=False)
    assert access.access_path() == access.DEFAULT_ACCESS_FILE
    monkeypatch.setenv(access.ACCESS_ENV, f" {tmp_path / 'roller.toml'} ")
    assert access.access_path() == tmp_path / "roller.toml"
    monkeypatch.setenv(access.ACCESS_ENV, "  ")
    assert access.access_path() == access.DEFAULT_ACCESS_FILE


# --- roles from the token's claims and the file -----------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "grant"),
    [
        ("Followup.Admin", Grant(Role.ADMIN)),
        ("followup.viewer", Grant(Role.VIEWER)),
        (" FOLLOWUP.VIEWER ", Grant(Role.VIEWER)),
        ("Followup.Editor.bromma", Grant(Role.EDITOR, frozenset({"bromma"}))),
        ("Followup.Editor.Hasselby-Vallingby", Grant(Role.EDITOR, frozenset({"hasselby-vallingby"}))),
        ("Followup.Editor", None),  # an editor without a district is no grant
        ("Followup.Editor.", None),
        ("Followup.Boss", None),
        ("Followup", None),
        ("Other.Admin", None),
        ("Admin", None),
        ("", None),
    ],
)
def test_grant_from_claim(claim: str, grant: Grant | None) -> None:
    assert access.grant_from_claim(claim) == grant


def test_principal_for_combines_claims_and_file() -> None:
    file = policy(GOOD)
    # the file alone
    assert access.principal_for("ANNA.andersson@stockholm.se", [], file) == Principal(
        "ANNA.andersson@stockholm.se", Role.EDITOR, frozenset({"hasselby-vallingby", "bromma"}))
    # claims alone; unknown claims are ignored
    assert access.principal_for("x@stockholm.se", ["Followup.Viewer", "Other.Admin"], file) == Principal(
        "x@stockholm.se", Role.VIEWER)
    # an editor's districts are the union of the claims' and the file's
    assert access.principal_for("anna.andersson@stockholm.se", ["Followup.Editor.farsta"], file) == Principal(
        "anna.andersson@stockholm.se", Role.EDITOR, frozenset({"hasselby-vallingby", "bromma", "farsta"}))
    # the highest role wins: an editor in the token, a viewer in the file
    assert access.principal_for("vera@stockholm.se", ["Followup.Editor.farsta"], file) == Principal(
        "vera@stockholm.se", Role.EDITOR, frozenset({"farsta"}))
    # an admin anywhere is an admin, with no district list
    assert access.principal_for("anna.andersson@stockholm.se", ["Followup.Admin"], file) == Principal(
        "anna.andersson@stockholm.se", Role.ADMIN)
    assert access.principal_for("adam@stockholm.se", ["Followup.Viewer", "Followup.Editor.bromma"], file) == (
        Principal("adam@stockholm.se", Role.ADMIN))


def test_a_user_in_neither_the_token_nor_the_file_has_no_role() -> None:
    nobody = access.principal_for("okand@stockholm.se", ["Other.Admin"], policy(GOOD))
    assert nobody == Principal("okand@stockholm.se", None)
    assert not nobody.can_read() and not nobody.can_write("bromma") and not nobody.is_admin()


def test_what_each_role_may_do() -> None:
    viewer = Principal("v", Role.VIEWER)
    editor = Principal("e", Role.EDITOR, frozenset({"bromma"}))
    admin = Principal("a", Role.ADMIN)
    assert (viewer.can_read(), viewer.can_write("bromma"), viewer.is_admin()) == (True, False, False)
    assert (editor.can_read(), editor.can_write("bromma"), editor.can_write("farsta"), editor.is_admin()) == (
        True, True, False, False)
    assert (admin.can_read(), admin.can_write("farsta"), admin.can_write("stockholm"), admin.is_admin()) == (
        True, True, True, True)


def test_local_is_the_account_with_the_admin_role(monkeypatch: pytest.MonkeyPatch) -> None:
    assert access.local("anna") == Principal("lokal:anna", Role.ADMIN)
    monkeypatch.setattr(access.getpass, "getuser", lambda: "kim")
    assert access.local() == Principal("lokal:kim", Role.ADMIN)
    assert access.local("") == Principal("lokal:kim", Role.ADMIN)


# --- the core's checks --------------------------------------------------------------------------------------


def test_require_write_lets_an_admin_and_an_editor_of_every_district_through() -> None:
    access.require_write(access.local("anna"), ["bromma", "stockholm"], "läsa in data")
    access.require_write(Principal("e", Role.EDITOR, frozenset({"bromma", "farsta"})), ["farsta", "bromma"],
                         "läsa in data")


@pytest.mark.parametrize(
    ("principal", "districts", "message"),
    [
        (Principal("vera@x.se", Role.VIEWER), ["bromma"],
         "vera@x.se (läsare) får inte lägga till insatser: det kräver rollen redaktör för stadsdelsområdet eller "
         "administratör. Be en administratör om behörighet."),
        (Principal("nils@x.se", None), ["bromma"], "nils@x.se (utan roll) får inte lägga till insatser: det kräver "
                                                    "rollen redaktör"),
        (Principal("vera@x.se", Role.VIEWER), [], "vera@x.se (läsare) får inte lägga till insatser"),
        (Principal("e@x.se", Role.EDITOR, frozenset({"bromma", "farsta"})), ["stockholm", "bromma", "jarva"],
         "e@x.se (redaktör) får inte lägga till insatser för jarva, stockholm: du är redaktör för bromma, farsta. "
         "Be en administratör om behörighet för fler stadsdelsområden."),
    ],
)
def test_require_write_refuses_in_swedish_naming_who_what_and_where(
    principal: Principal, districts: list[str], message: str
) -> None:
    with pytest.raises(AccessDenied, match=re.escape(message)):
        access.require_write(principal, districts, "lägga till insatser")


def test_require_admin() -> None:
    access.require_admin(access.local("anna"), "ändra nyckeltal")
    for principal, role in [(Principal("e@x.se", Role.EDITOR, frozenset({"bromma"})), "redaktör"),
                            (Principal("v@x.se", Role.VIEWER), "läsare")]:
        with pytest.raises(AccessDenied, match=re.escape(f"({role}) får inte ändra nyckeltal: det kräver rollen "
                                                         "administratör. Be en administratör om hjälp.")):
            access.require_admin(principal, "ändra nyckeltal")


def test_a_refusal_is_a_permission_error_and_text_is_no_principal() -> None:
    assert issubclass(AccessDenied, PermissionError)
    with pytest.raises(TypeError, match="Principal, not str"):
        access.require_write("anna", ["bromma"], "läsa in data")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Principal, not str"):
        access.require_admin("anna", "ändra nyckeltal")  # type: ignore[arg-type]
