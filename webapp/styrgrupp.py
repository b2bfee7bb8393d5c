"""Styrgruppen: the analysis (comments per goal or indicator and period, versions, period locks) and the
decisions and commitments with the next meeting's agenda.

User text is shown through components.plain() or st.dataframe, never as HTML. Writes go through
state.on_cursor(core function, ...) via handlingsplan.attempt (a refusal is shown, nothing written).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from followup import comments, commitments, periods
from followup.model import CommitmentStatus, Grain
from followup.periods import Period
from webapp import auth, components, state
from webapp.handlingsplan import FIRST_DAY, LAST_DAY, attempt

GRAINS: dict[str, str] = {Grain.TERTIAL.value: "Tertial", Grain.MONTH.value: "Månad", Grain.QUARTER.value: "Kvartal",
                          Grain.YEAR.value: "År"}
COMMITMENT_WORDS: dict[str, str] = {CommitmentStatus.OPEN.value: "Öppet", CommitmentStatus.DONE.value: "Klart",
                                    CommitmentStatus.CANCELLED.value: "Inställt"}
NEXT_MEETING_DAYS = 28
"""The default next meeting: four weeks from today."""
CONFIRM_KEY = "styrgrupp-confirm-lock"

Subject = tuple[str, str]
"""(goal code or '', indicator code or ''): what a comment is about."""


def subject_options(goals: Mapping[str, str], indicators: pd.DataFrame) -> dict[str, str]:
    """Goals ('Mål 2.1 …') and indicators ('Nyckeltal: …') as 'goal|indicator' -> label."""
    options = {f"{code}|": f"Mål {label}" for code, label in goals.items()}
    for code, name in zip(indicators["code"], indicators["name"], strict=True):
        options[f"|{code}"] = f"Nyckeltal: {name}"
    return options


def subject_of(key: str) -> Subject:
    """('pa2-1', '') from 'pa2-1|'."""
    goal, _, indicator = key.partition("|")
    return goal, indicator


def period_options(grain: Grain, today: date, extra: list[Period]) -> dict[str, str]:
    """Periods of a grain from 2019 to today's (plus EXTRA of that grain), latest first, as code -> label."""
    shown = set(periods.periods_between(date(2019, 1, 1), today, grain)) | {p for p in extra if p.grain is grain}
    return {p.code: p.label for p in sorted(shown, reverse=True)}


def latest_subject(latest: pd.DataFrame) -> tuple[str, Period] | None:
    """The subject key and period of the district's most recently written comment (the page opens on it)."""
    if latest.empty:
        return None
    row = latest.sort_values(["created_at", "id"]).iloc[-1]
    goal = row["goal"] if isinstance(row["goal"], str) else ""
    indicator = row["indicator"] if isinstance(row["indicator"], str) else ""
    if goal and indicator:
        goal = ""  # the page writes about a goal or an indicator; show the indicator's
    return f"{goal}|{indicator}", Period(pd.Timestamp(row["period_start"]).date(), Grain(row["grain"]))


def when(value: Any) -> str:
    """'25 september 2025' for a date or timestamp cell."""
    day = pd.Timestamp(value).date()
    return f"{day.day} {periods.MONTH_NAMES[day.month - 1]} {day.year}"


def commitment_table(rows: pd.DataFrame, goals: Mapping[str, str]) -> pd.DataFrame:
    """commitment_list or commitments_due rows as the table shown."""
    def text(value: Any, empty: str = "–") -> str:
        return str(value) if isinstance(value, str) else empty

    def day(value: Any) -> str:
        return pd.Timestamp(value).date().isoformat() if pd.notna(value) else "ingen tidpunkt"

    table = pd.DataFrame({
        "Nr": rows["id"].astype(int),
        "Vad": rows["what"],
        "Vem": rows["who"],
        "Klart senast": [day(v) for v in rows["due_date"]],
        "Mål": [goals.get(g, g).split(" ", 1)[0] if isinstance(g, str) else "–" for g in rows["goal"]],
        "Möte": [pd.Timestamp(v).date().isoformat() for v in rows["meeting_date"]],
    })
    if "status" in rows:
        table["Status"] = [COMMITMENT_WORDS.get(text(s), text(s)) for s in rows["status"]]
    if "overdue" in rows:
        table["Försenat"] = ["ja" if bool(v) else "" for v in rows["overdue"]]
    return table


# --- Streamlit: Analys --------------------------------------------------------------------------------


def comment_card(row: Mapping[str, Any], *, heading: str) -> None:
    """One version of a comment: heading, author, time and period, then the text exactly as written."""
    period = Period(pd.Timestamp(row["period_start"]).date(), Grain(row["grain"])).label
    locked = " · :material/lock: låst" if bool(row["locked"]) else ""
    st.markdown(f"**{heading}** · {components.plain(str(row['author']))} · {when(row['created_at'])} · avser "
                f"{period}{locked}")
    st.markdown(components.plain(str(row["body"])).replace("\n", "  \n"))


def analysis(district: str, goals: Mapping[str, str], indicators: pd.DataFrame) -> None:
    """Comments per subject and period: the latest version, earlier ones, write/revise, lock the period."""
    options = subject_options(goals, indicators)
    opening = latest_subject(state.query("latest_comments", district=district))
    left, middle, right = st.columns([3, 1, 1])
    with left:
        keys = list(options)
        start = keys.index(opening[0]) if opening and opening[0] in options else 0
        key = st.selectbox("Kommentaren gäller", keys, index=start, format_func=lambda k: options[k],
                           key="styrgrupp-subject")
    with middle:
        grain_codes = list(GRAINS)
        grain_start = grain_codes.index(opening[1].grain.value) if opening else 0
        grain = Grain(st.selectbox("Periodlängd", grain_codes, index=grain_start, format_func=GRAINS.get,
                                   key="styrgrupp-grain"))
    with right:
        choices = period_options(grain, date.today(), [opening[1]] if opening else [])
        codes = list(choices)
        period_start = codes.index(opening[1].code) if opening and opening[1].code in choices else 0
        period = periods.parse_period(st.selectbox("Period", codes, index=period_start, format_func=choices.get,
                                                   key="styrgrupp-period"))
    goal, indicator = subject_of(key)
    history = state.query("comment_history", district=district, goal=goal, indicator=indicator)
    in_period = history.loc[(pd.to_datetime(history["period_start"]).dt.date == period.start)
                            & (history["grain"] == period.grain.value)]
    current = in_period.loc[in_period["current"].astype(bool)]
    earlier = in_period.loc[~in_period["current"].astype(bool)]
    locks = state.query("period_locks", district=district)
    lock = locks.loc[(pd.to_datetime(locks["period_start"]).dt.date == period.start)
                     & (locks["grain"] == period.grain.value)]

    latest = current.iloc[0] if not current.empty else None
    with st.container(border=True):
        if latest is None:
            st.markdown(f"Ingen kommentar om {components.plain(options[key])} för {period.label} än.")
        else:
            comment_card(latest, heading="Styrgruppens kommentar")
    if not earlier.empty:
        with st.expander(f"Tidigare versioner ({len(earlier)})", icon=":material/history:"):
            for row in earlier.to_dict("records"):
                comment_card(row, heading="Tidigare version")
    if not lock.empty:
        row = lock.iloc[0]
        st.info(f"Perioden {period.label} är låst efter mötet {when(row['locked_at'])} av "
                f"{components.plain(str(row['locked_by']))}. Kommentarerna kan inte ändras.", icon=":material/lock:")
        return
    principal = state.current_user()
    if not principal.can_write(district):
        auth.read_only_notice(principal, components.district_name(district), "kommentarerna")
        return
    comment_form(district, goal, indicator, period, latest)
    lock_step(district, period)


def comment_form(district: str, goal: str, indicator: str, period: Period, latest: Any) -> None:
    """Write the period's comment, or a new version of the latest one (the old version is kept)."""
    revising = latest is not None
    with st.form(f"kommentar-{goal}-{indicator}-{period.code}"):
        body = st.text_area("Ny version av kommentaren" if revising else "Skriv kommentar",
                            value=str(latest["body"]) if revising else "", height=150)
        if st.form_submit_button("Spara ny version" if revising else "Spara kommentaren", type="primary",
                                 icon=":material/save:"):
            if revising:
                attempt(comments.revise_comment, int(latest["id"]), user=state.current_user(), body=body,
                        done="Den nya versionen är sparad; den gamla finns kvar under Tidigare versioner.")
            else:
                attempt(comments.add_comment, user=state.current_user(), district=district, period_start=period.start,
                        grain=period.grain, body=body, goal=goal or None, indicator=indicator or None,
                        done="Kommentaren är sparad.")


def lock_step(district: str, period: Period) -> None:
    """Lock the period after the meeting, with a confirm step."""
    wanted = st.session_state.get(CONFIRM_KEY)
    if wanted != (district, period.code):
        if st.button(f"Lås {period.label} efter mötet", icon=":material/lock:", key="styrgrupp-lock"):
            st.session_state[CONFIRM_KEY] = (district, period.code)
            st.rerun()
        return
    st.warning(f"Lås {period.label}? Efter låsningen kan ingen skriva eller ändra kommentarer för perioden.",
               icon=":material/warning:")
    yes, no = st.columns(2)
    if yes.button("Ja, lås perioden", type="primary", key="styrgrupp-lock-yes"):
        st.session_state.pop(CONFIRM_KEY, None)
        attempt(comments.lock_period, user=state.current_user(), district=district, period_start=period.start,
                grain=period.grain, done=f"{period.label} är låst.")
    if no.button("Avbryt", key="styrgrupp-lock-no"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


# --- Streamlit: Beslut och åtaganden ------------------------------------------------------------------


def next_meeting(district: str, goals: Mapping[str, str]) -> None:
    """The box 'Till nästa möte': open commitments due by the next meeting, and those without a due date."""
    with st.container(border=True):
        st.subheader("Till nästa möte")
        meeting = st.date_input("Nästa möte", value=date.today() + timedelta(days=NEXT_MEETING_DAYS),
                                min_value=FIRST_DAY, max_value=LAST_DAY, format="YYYY-MM-DD", key="nasta-mote")
        due = state.query("commitments_due", district=district, on=meeting)
        if due.empty:
            st.markdown("Inga öppna åtaganden att följa upp.")
        else:
            st.dataframe(commitment_table(due, goals), hide_index=True, width="stretch")


def commitment_section(district: str, goals: Mapping[str, str]) -> None:
    """All decisions and commitments, a form to add one and buttons to mark one done or cancelled."""
    next_meeting(district, goals)
    listed = state.query("commitment_list", district=district, status="")
    st.subheader(f"Alla beslut och åtaganden ({len(listed)})")
    if not listed.empty:
        st.dataframe(commitment_table(listed, goals), hide_index=True, width="stretch")
    principal = state.current_user()
    if not principal.can_write(district):
        auth.read_only_notice(principal, components.district_name(district), "besluten och åtagandena")
        return
    with st.form("nytt-atagande"):
        st.subheader("Nytt åtagande")
        what = st.text_area("Vad ska göras?", height=80)
        left, middle, right = st.columns(3)
        who = left.text_input("Vem ansvarar?")
        meeting = middle.date_input("Mötesdatum", value=date.today(), min_value=FIRST_DAY, max_value=LAST_DAY,
                                    format="YYYY-MM-DD")
        due = right.date_input("Klart senast", value=None, min_value=FIRST_DAY, max_value=LAST_DAY,
                               format="YYYY-MM-DD")
        codes = ["", *goals]
        goal = st.selectbox("Mål (valfritt)", codes, format_func=lambda c: goals.get(c, "Inget särskilt mål"))
        if st.form_submit_button("Lägg till åtagandet", type="primary", icon=":material/add:"):
            attempt(commitments.add_commitment, user=state.current_user(), district=district, meeting_date=meeting,
                    what=what, who=who, due_date=due, goal=goal or None, done="Åtagandet är tillagt.")
    open_rows = listed.loc[listed["status"] == CommitmentStatus.OPEN.value]
    if open_rows.empty:
        return
    records = {int(r["id"]): str(r["what"]) for r in open_rows.to_dict("records")}
    chosen = st.selectbox("Öppet åtagande", list(records), format_func=lambda i: f"{i}: {records[i]}",
                          key="valj-atagande")
    done, cancelled = st.columns(2)
    if done.button("Markera som klart", icon=":material/task_alt:", key="atagande-klart"):
        attempt(commitments.update_commitment, int(chosen), user=state.current_user(),
                status=CommitmentStatus.DONE, done="Åtagandet är markerat som klart.")
    if cancelled.button("Markera som inställt", icon=":material/cancel:", key="atagande-installt"):
        attempt(commitments.update_commitment, int(chosen), user=state.current_user(),
                status=CommitmentStatus.CANCELLED, done="Åtagandet är markerat som inställt.")
