"""Handlingsplan: a district's action plan as a filterable table, with forms to add, edit and close activities.

User text reaches the screen only through st.dataframe (never interpreted) or components.plain().
Every write goes through state.on_cursor(core function, ...); a refusal (WriteRefused) is shown as a
Swedish message under the form and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from followup import actionplan
from followup.charts.series import ACTIVITY_WORDS
from followup.model import ActivityStatus, PreventionLevel, PreventionType
from webapp import components, scope, state

GOAL_KEY = "mal"
STATUS_KEY = "status"
ALL = ""
WHOLE_DISTRICT = "hela stadsdelsområdet"
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2040, 12, 31)
NOTICE_KEY = "handlingsplan-notice"

STATUS_LABELS: dict[str, str] = {status.value: ACTIVITY_WORDS[status].capitalize() for status in ActivityStatus}
TYPE_LABELS: dict[str, str] = {PreventionType.SOCIAL.value: "Social", PreventionType.SITUATIONAL.value: "Situationell"}
LEVEL_LABELS: dict[str, str] = {PreventionLevel.UNIVERSAL.value: "Universell", PreventionLevel.SELECTIVE.value: "Selektiv",
                                PreventionLevel.INDICATED.value: "Indikerad"}
CLOSE_LABELS: dict[str, str] = {ActivityStatus.DONE.value: "Genomförd", ActivityStatus.CANCELLED.value: "Inställd"}


def goal_options(overview: pd.DataFrame) -> dict[str, str]:
    """The district's goals (goal_overview rows) as code -> '2.1 Minska …' ('(lokalt mål)' for its own)."""
    options: dict[str, str] = {}
    for row in overview.to_dict("records"):
        local = " (lokalt mål)" if row["goal_scope"] == "local" else ""
        options[str(row["goal_code"])] = f"{int(row['priority_area_number'])}.{int(row['goal_number'])} {row['goal']}{local}"
    return options


def place_options(places: pd.DataFrame) -> dict[str, str]:
    """The district's places (district_places rows) as code -> name, sorted by name."""
    return dict(sorted(zip(places["code"], places["name"], strict=True), key=lambda item: item[1]))


COLUMN_WIDTHS = {
    "Nr": st.column_config.NumberColumn(width=50),
    "Mål": st.column_config.TextColumn(width=130),
    "Status": st.column_config.TextColumn(width=110),
    "Start": st.column_config.TextColumn(width=130),
    "Slut": st.column_config.TextColumn(width=130),
}
"""Narrow columns for short values, so the table's dates fit a 1920-pixel screen without scrolling."""


def table(activities: pd.DataFrame, goals: Mapping[str, str]) -> pd.DataFrame:
    """activity_list rows as the table shown: Swedish headings and words, goals by number."""
    def goal_numbers(codes: Any) -> str:
        if not isinstance(codes, str):
            return "–"
        return ", ".join(goals.get(code, code).split(" ", 1)[0] for code in codes.split(", "))

    def day(value: Any) -> str:
        return pd.Timestamp(value).date().isoformat() if pd.notna(value) else "–"

    rows = [
        {
            "Nr": int(record["id"]),
            "Insats": record["title"],
            "Mål": goal_numbers(record["goals"]),
            "Plats": record["place_name"] if pd.notna(record["place_name"]) else WHOLE_DISTRICT,
            "Ansvarig": record["lead_org"],
            "Partner": record["partners"] if pd.notna(record["partners"]) else "",
            "Typ": TYPE_LABELS.get(record["prevention_type"], record["prevention_type"]),
            "Nivå": LEVEL_LABELS.get(record["level"], record["level"]),
            "Status": STATUS_LABELS.get(record["status"], record["status"]),
            "Start": day(record["start_date"]),
            "Slut": day(record["end_date"]),
        }
        for record in activities.to_dict("records")
    ]
    # status and dates before the long organisation names, so a shared screen shows them without scrolling
    return pd.DataFrame(rows, columns=["Nr", "Insats", "Mål", "Plats", "Status", "Start", "Slut", "Ansvarig", "Typ",
                                       "Nivå", "Partner"])


# --- Streamlit ----------------------------------------------------------------------------------------


def filters(goals: Mapping[str, str], places: Mapping[str, str]) -> tuple[str, str, str]:
    """Goal, place and status pickers above the table, bound to ?mal=&plats=&status= ('' = all)."""
    left, middle, right = st.columns([3, 2, 1])
    with left:
        goal = scope.select("Mål", {ALL: "Alla mål", **goals}, key=GOAL_KEY, default=ALL, sidebar=False)
    with middle:
        place = scope.select("Plats", {ALL: "Alla platser", **places}, key=scope.PLACE_KEY, default=ALL,
                             sidebar=False)
    with right:
        status = scope.select("Status", {ALL: "Alla", **STATUS_LABELS}, key=STATUS_KEY, default=ALL, sidebar=False)
    return goal or ALL, place or ALL, status or ALL


def show_notice() -> None:
    """The confirmation of the last write, once (it survives the rerun that shows the write)."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(components.plain(notice), icon=":material/check_circle:")


def attempt(action: Callable[..., Any], *args: Any, done: str, **kwargs: Any) -> None:
    """Run a core write through state.on_cursor; on success note DONE and rerun, on refusal show why."""
    with components.refusals() as refused:
        state.on_cursor(action, *args, **kwargs)
    if refused:
        return
    st.session_state[NOTICE_KEY] = done
    st.rerun()


def _select(label: str, options: Mapping[str, str], *, value: str, key: str) -> str:
    """A plain select box over code -> label, starting at VALUE."""
    codes = list(options)
    return st.selectbox(label, codes, index=codes.index(value) if value in options else 0,
                        format_func=lambda code: options.get(code, code), key=key)


def _day(value: Any) -> date | None:
    """A date from a query cell, None for NULL."""
    return pd.Timestamp(value).date() if value is not None and pd.notna(value) else None


def activity_fields(
    prefix: str, goals: Mapping[str, str], places: Mapping[str, str], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The inputs of an activity (inside a form), prefilled from CURRENT; the values as core arguments."""
    current = current or {}
    chosen_goals = str(current.get("goals") or "").split(", ") if isinstance(current.get("goals"), str) else []
    title = st.text_input("Rubrik", value=str(current.get("title") or ""), key=f"{prefix}-title")
    goal_codes = st.multiselect("Mål som insatsen bidrar till", list(goals), default=[g for g in chosen_goals if g in goals],
                                format_func=lambda code: goals.get(code, code), key=f"{prefix}-goals",
                                placeholder="Välj …")
    left, right = st.columns(2)
    with left:
        lead_org = st.text_input("Ansvarig organisation", value=str(current.get("lead_org") or ""),
                                 key=f"{prefix}-lead")
        place_value = current.get("place") if isinstance(current.get("place"), str) else ALL
        place = _select("Plats", {ALL: WHOLE_DISTRICT.capitalize(), **places}, value=place_value,
                        key=f"{prefix}-place")
        prevention_type = _select("Typ av förebyggande", TYPE_LABELS,
                                  value=str(current.get("prevention_type") or ""), key=f"{prefix}-type")
        start_date = st.date_input("Startdatum", value=_day(current.get("start_date")), min_value=FIRST_DAY,
                                   max_value=LAST_DAY, format="YYYY-MM-DD", key=f"{prefix}-start")
    with right:
        partners = st.text_input("Samverkanspartner", value=str(current.get("partners") or "")
                                 if isinstance(current.get("partners"), str) else "", key=f"{prefix}-partners")
        status = _select("Status", STATUS_LABELS, value=str(current.get("status") or ""), key=f"{prefix}-status")
        level = _select("Nivå", LEVEL_LABELS, value=str(current.get("level") or ""), key=f"{prefix}-level")
        end_date = st.date_input("Slutdatum", value=_day(current.get("end_date")), min_value=FIRST_DAY,
                                 max_value=LAST_DAY, format="YYYY-MM-DD", key=f"{prefix}-end")
    description = st.text_area("Beskrivning", value=str(current.get("description") or "")
                               if isinstance(current.get("description"), str) else "", key=f"{prefix}-description")
    return {"title": title, "goals": goal_codes, "lead_org": lead_org, "place": place or None,
            "prevention_type": prevention_type, "start_date": start_date, "partners": partners, "status": status,
            "level": level, "end_date": end_date, "description": description}


def add_form(district: str, goals: Mapping[str, str], places: Mapping[str, str]) -> None:
    """The form that adds an activity to the district's action plan."""
    with st.form("ny-insats", clear_on_submit=False):
        st.markdown("**Ny insats**")
        values = activity_fields("ny", goals, places)
        if st.form_submit_button("Lägg till insatsen", type="primary", icon=":material/add:"):
            attempt(actionplan.add_activity, user=state.current_user(), district=district, done="Insatsen är tillagd.",
                    **values)


def edit_forms(activities: pd.DataFrame, goals: Mapping[str, str], places: Mapping[str, str]) -> None:
    """Pick an activity of the table, then edit it or close it (done or cancelled)."""
    if activities.empty:
        return
    records = {int(r["id"]): r for r in activities.to_dict("records")}
    chosen = st.selectbox("Välj insats att ändra eller avsluta", list(records),
                          format_func=lambda i: f"{i}: {records[i]['title']}", key="valj-insats")
    current = records[int(chosen)]
    with st.form(f"andra-insats-{chosen}"):
        st.markdown("**Ändra insatsen**")
        values = activity_fields(f"andra-{chosen}", goals, places, current)
        if st.form_submit_button("Spara ändringarna", icon=":material/save:"):
            attempt(actionplan.update_activity, int(chosen), user=state.current_user(), done="Ändringarna är sparade.",
                    **values)
    with st.form(f"avsluta-insats-{chosen}"):
        st.markdown("**Avsluta insatsen**")
        left, right = st.columns(2)
        with left:
            status = _select("Hur slutade den?", CLOSE_LABELS, value=ActivityStatus.DONE.value,
                             key=f"avsluta-{chosen}-status")
        with right:
            end_date = st.date_input("Slutdatum", value=date.today(), min_value=FIRST_DAY, max_value=LAST_DAY,
                                     format="YYYY-MM-DD", key=f"avsluta-{chosen}-end")
        if st.form_submit_button("Avsluta insatsen", icon=":material/task_alt:"):
            attempt(actionplan.close_activity, int(chosen), user=state.current_user(), status=status,
                    end_date=end_date, done="Insatsen är avslutad.")
