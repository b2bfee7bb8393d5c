"""Shared Streamlit pieces: the district picker bound to the URL, notices and the database error view."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from followup import errors, status
from webapp import state

DISTRICT_KEY = "omrade"
"""Session-state key and URL query parameter of the chosen district (?omrade=Bromma)."""

DEFAULT_DISTRICT = "hasselby-vallingby"
"""The district shown when the URL names none (or one that does not exist)."""

DEMO_NOTICE = "**Exempeldata – påhittade siffror.** Alla värden är genererade för att visa hur verktyget fungerar."

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:~$=^&])")  # & too: '&lt;' must not become '<'


def plain(text: str) -> str:
    """Escape Markdown (and Streamlit's :icon: and $math$ syntax) so user text shows as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def verbatim(text: str, limit: int = 200) -> str:
    """TEXT (cut to LIMIT characters) as a Markdown code span: shown as written and never made a link, which
    escaping alone does not prevent (Streamlit's GFM links 'https://…' and 'www.…' after escapes are resolved)."""
    text = text if len(text) <= limit else text[:limit] + "…"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"  # the spaces let a value start or end with a backtick


def nowrap(text: str) -> str:
    """Text with no-break spaces, so a short label such as 'v. 44 2025' never wraps inside."""
    return text.replace(" ", "\u00a0")


def district_name(code: str) -> str:
    """The name of a district area in force today (the code itself when unknown)."""
    districts = state.query("current_districts", on=dt.date.today())
    names = dict(zip(districts["code"], districts["name"], strict=True))
    return names.get(code, code)


def selected_district() -> str | None:
    """The district code chosen in the sidebar (set by district_picker in dashboard.py)."""
    return st.session_state.get(DISTRICT_KEY)


def demo_notice() -> None:
    """The clearly visible notice that the numbers are invented, shown on every page of a demo database."""
    st.warning(DEMO_NOTICE, icon=":material/science:")


def empty_database_notice() -> None:
    """Explain how to fill a database that has the schema but no priority areas or goals."""
    target = state.current_store()
    if target.shared:  # loads go through the Data page or `load`; only the operator can copy a database in
        st.info(
            "**Databasen är tom.** Den delade databasen har tabellerna men inga prioriterade områden eller mål "
            "att visa. Be den som driftar tjänsten att kopiera in en databas med `python -m followup copy`.",
            icon=":material/database:",
        )
        return
    st.info(
        "**Databasen är tom.** Den har tabellerna men inga prioriterade områden eller mål att visa.\n\n"
        "Fyll den med exempeldata: stoppa dashboarden (Ctrl+C; bara en process åt gången kan skriva till "
        f"filen), kör `python -m followup demo --db {target.describe()}` och starta dashboarden igen. "
        "Du kan också ta bort filen, så bygger dashboarden exempeldatabasen själv när den startar.",
        icon=":material/database:",
    )


def database_error(error: errors.Refused) -> None:
    """Show a database problem in Swedish with a retry button, and stop the page (no traceback)."""
    st.error(plain(str(error)), icon=":material/error:")
    # A click reruns the script; the failed connection was not cached, so it is tried again.
    st.button("Försök igen", type="primary", icon=":material/refresh:")
    st.stop()


@dataclass
class Refusal:
    """What refusals() caught: falsy until a refusal happened."""

    error: errors.Refused | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        """The refusal's Swedish message ('' when none)."""
        return "" if self.error is None else str(self.error)


@contextmanager
def refusals(*, show: bool = True, icon: str = ":material/block:", escape: bool = True) -> Iterator[Refusal]:
    """Where a user acts: catch any followup.errors.Refused, show its message there (unless SHOW is false:
    the caller keeps it for the next run) and let the page go on; test the yielded Refusal afterwards.

        with components.refusals() as refused:
            state.on_cursor(actionplan.save, ...)
        if refused:
            return
    """
    caught = Refusal()
    try:
        yield caught
    except errors.Refused as error:
        caught.error = error
        if show:
            # ESCAPE false only for the program's own text (a missing browser, a template's problem)
            st.error(plain(str(error)) if escape else str(error), icon=icon)


STATUS_HELP_PAGE = "views/status_help.py"


def status_help_link() -> None:
    """A link to 'Hur räknas status?', placed next to every status."""
    st.page_link(STATUS_HELP_PAGE, label="Hur räknas status?", icon=":material/help:")


def status_legend() -> None:
    """Every status with its icon, word and colour swatch (the word carries the meaning, not the colour)."""
    for shown in status.DISPLAY.values():
        st.markdown(f":material/square: {shown.icon} **{shown.word}**", help=f"Färg {shown.colour}")


# Streamlit's named markdown colours closest to the Okabe–Ito roles in followup.status.DISPLAY
# (blue = better, vermillion = worse, orange = at risk, grey = unchanged or no judgement).
STATUS_COLOURS: dict[status.Trend | status.TargetStatus, str] = {
    status.Trend.IMPROVING: "blue",
    status.Trend.UNCHANGED: "gray",
    status.Trend.WORSENING: "red",
    status.Trend.NO_DATA: "gray",
    status.TargetStatus.ON_TRACK: "blue",
    status.TargetStatus.AT_RISK: "orange",
    status.TargetStatus.OFF_TRACK: "red",
}


def status_markdown(value: status.Trend | status.TargetStatus) -> str:
    """Markdown for a status: coloured background, icon and word (the word carries the meaning)."""
    shown = status.DISPLAY[value]
    return f":{STATUS_COLOURS[value]}-background[**{shown.icon}\u00a0{shown.word}**]"
