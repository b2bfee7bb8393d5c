"""Platser: the district's places on a map, ranked by EST reports and crimes, one place's profile, places side by side.

views/platser.py is a list of calls to this module. The first half turns query results into chart frames
and texts (no Streamlit), the second half draws.

Decisions:
- Three tabs bound to the URL (?vy=): Lägesbild (map and rankings: where problems grow), Plats (one
  place's profile) and Jämför platser (small multiples with one scale). A copied address opens the same
  tab, place, places, indicator and period. Only the open tab runs: a bound tab switch reruns the page
  anyway, and drawing all three took three times as long. The comparison's pickers (?platser=,
  ?indikator=) live in its tab, so they are in the address while that tab is open (Streamlit keeps
  their values for the session when another tab is open).
- The place picker sits in the sidebar with the period: it scopes both the profile and the map's
  highlighted place. Föregående/Nästa step through the places like slides in a meeting.
- The rankings compare the chosen period with the same days a year earlier, cut at the latest data
  (EST: the last complete week; crimes: the latest month), so a half-reported October is never set
  against a whole one. Signal or noise is decided in followup.places with the exact Poisson test.
- EST indicators are charted per calendar month (queries/scope_event_months.sql, complete months), as on
  Prioriterat område; the status beside them still follows the status rules (52 weeks against 52).
- A numeric target is drawn only when it is set per the chart's period (month); otherwise the tile
  states the target status and Prioriterat område shows the path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from followup import charts, fmt, places, series
from followup.charts.series import ACTIVITY_WORDS
from followup.model import ActivityStatus, Frequency, Grain, Unit
from followup.periods import MONTH_NAMES, Period, grain_name, natural_grain, period_of, range_label
from followup.places import Change, Measure
from followup.status import Assessment, Trend, rollup
from webapp import components, omrade, scope, state
from webapp.state import ScopeStatus

VIEW_KEY = "vy"
"""URL parameter of the open tab (?vy=Plats)."""
TAB_SITUATION, TAB_PLACE, TAB_COMPARE = "Lägesbild", "Plats", "Jämför platser"
TABS = [TAB_SITUATION, TAB_PLACE, TAB_COMPARE]
DEFAULT_DISTRICT_PLACES = 2
"""Places compared side by side when the URL names none: the district's places with most EST reports."""
MAX_COMPARED = 6
MAX_MAIN_SERIES = 4
"""Time series in a place's profile: reported crimes, then the EST indicators that moved, then the largest."""
TILE_COLUMNS = 4
SERIES_HEIGHT = 520
EST_SOURCE = "EST-rapportering"
MAP_SOURCE = "EST; gränser: Stockholms stad"
FRAME_COLUMNS = ["period_start", "value", "series_break"]
STATUS_ORDER = {ActivityStatus.ONGOING: 0, ActivityStatus.PLANNED: 1, ActivityStatus.DONE: 2, ActivityStatus.CANCELLED: 3}


# --- frames and texts (no Streamlit) ---------------------------------------------------------------


def day(value: Any) -> date | None:
    """A date from a query cell, or None for NULL/NaT."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def date_text(value: date) -> str:
    """'26 oktober 2025'."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def place_options(district_places: pd.DataFrame) -> dict[str, str]:
    """The district's places as code -> name, in name order (as district_places returns them)."""
    return dict(zip(district_places["code"], district_places["name"], strict=True))


def busiest(district_places: pd.DataFrame, count: int) -> list[str]:
    """The codes of the `count` places with most EST reports in all (ties by name): stable defaults."""
    ordered = district_places.assign(_order=range(len(district_places)))
    ordered = ordered.sort_values(["est_events", "_order"], ascending=[False, True])
    return list(ordered["code"].head(count))


def data_span(district_places: pd.DataFrame) -> tuple[date, date] | None:
    """The first and last day with EST reports or values at any of the places, or None without data."""
    firsts = [d for d in map(day, district_places["first_day"]) if d]
    lasts = [d for d in map(day, district_places["last_day"]) if d]
    return (min(firsts), max(lasts)) if firsts and lasts else None


def period_days(first: Period, last: Period) -> tuple[date, date, str]:
    """The first and last day of a run of months and its label ('jan–okt 2025')."""
    return first.start, last.last_day, range_label(first, last)


def window_of(changes: Sequence[Change]) -> tuple[str, str] | None:
    """The current and previous window labels shared by a ranking (from its first comparable row)."""
    for change in changes:
        if change.current_label and change.previous_label:
            return change.current_label, change.previous_label
    for change in changes:
        if change.current_label:
            return change.current_label, "samma period ett år tidigare"
    return None


def ranking_through(ranking: pd.DataFrame, measure: Measure) -> date | None:
    """The last day a measure's ranking counts (its window cut at the latest data), if any."""
    days = [d for d in map(day, ranking.loc[ranking["measure"] == measure.value, "current_to"]) if d]
    return max(days) if days else None


def map_frame(district_places: pd.DataFrame, changes: Sequence[Change]) -> pd.DataFrame:
    """The map's places (code, name, lat, lon, value): value = EST reports in the period."""
    counts = {c.code: c.current for c in changes}
    frame = district_places[["code", "name", "lat", "lon"]].copy()
    frame["value"] = [counts.get(code) for code in frame["code"]]
    return frame


def series_frame(values: pd.DataFrame, code: str, grain: Grain) -> pd.DataFrame:
    """One indicator's values of one grain as a chart frame (period_start, value, series_break), in time order."""
    rows = values.loc[(values["indicator"] == code) & (values["grain"] == Grain(grain).value)]
    frame = pd.DataFrame(
        {
            "period_start": [day(d) for d in rows["period_start"]],
            "value": rows["value"].astype(float).to_numpy(),
            "series_break": rows["series_break"].fillna(False).astype(bool).to_numpy(),
        },
        columns=FRAME_COLUMNS,
    )
    return frame.sort_values("period_start", ignore_index=True)


def chart_grain(indicator: Mapping[str, Any]) -> Grain:
    """The grain an indicator is charted in: EST (weekly) indicators per month, others their own."""
    grain = natural_grain(Frequency(indicator["frequency"]))
    return Grain.MONTH if is_est(indicator) and grain is Grain.WEEK else grain


def is_est(indicator: Mapping[str, Any]) -> bool:
    """Whether an indicator is computed from EST reports (it names an event category)."""
    category = indicator.get("event_category")
    return category is not None and not pd.isna(category) and str(category) != ""


def indicator_series(
    indicator: Mapping[str, Any], values: pd.DataFrame, event_months: pd.DataFrame
) -> tuple[pd.DataFrame, Grain]:
    """An indicator's whole series for a chart (EST per calendar month) and its grain."""
    grain = chart_grain(indicator)
    source = event_months if is_est(indicator) else values
    return series_frame(source, str(indicator["code"]), grain), grain


def in_period(frame: pd.DataFrame, grain: Grain, first: Period, last: Period) -> pd.DataFrame:
    """The rows whose periods overlap the months first..last, and the row before a break that opens them."""
    if frame.empty:
        return frame
    keep = [Period(start, grain).last_day >= first.start and start <= last.last_day for start in frame["period_start"]]
    if True in keep:
        opening = keep.index(True)
        if opening > 0 and bool(frame["series_break"].iloc[opening]):
            keep[opening - 1] = True  # so the chart shows where the new series starts
    return frame.loc[keep].reset_index(drop=True)


def without_last_year_across_breaks(frame: pd.DataFrame, grain: Grain) -> pd.DataFrame:
    """A copy whose last_year is empty where a series break lies between a period and the year before it."""
    breaks = [start for start, cut in zip(frame["period_start"], frame["series_break"], strict=True) if cut]
    if not breaks or "last_year" not in frame.columns:
        return frame
    year_before = [Period(start, grain).shift_years(-1).start for start in frame["period_start"]]
    crossed = [any(before < cut <= start for cut in breaks) for before, start in zip(year_before, frame["period_start"],
                                                                                     strict=True)]
    result = frame.copy()
    result["last_year"] = [None if cut else value for cut, value in zip(crossed, frame["last_year"], strict=True)]
    return result


def catalogue(indicators: pd.DataFrame) -> list[dict[str, Any]]:
    """One scope_indicators row per indicator (it repeats an indicator per goal), in the query's order."""
    return indicators.drop_duplicates("code").to_dict("records")


def main_indicators(indicators: Sequence[Mapping[str, Any]], assessments: Mapping[str, Assessment]) -> list[str]:
    """Codes charted in a profile: crimes first, then EST indicators that moved (worse first), then the largest."""
    codes = [str(i["code"]) for i in indicators]
    chosen = [places.CRIME_INDICATOR] if places.CRIME_INDICATOR in codes else []
    moved = {Trend.WORSENING: 0, Trend.IMPROVING: 1}
    rest = [c for c in codes if c not in chosen and c in assessments]
    rest.sort(key=lambda c: (moved.get(assessments[c].trend, 2), -(assessments[c].current or 0), c))
    return (chosen + rest)[:MAX_MAIN_SERIES]


def activity_rows(activities: pd.DataFrame) -> list[dict[str, Any]]:
    """scope_activities rows once per activity, ongoing first, then planned, done, cancelled; latest start first."""
    if activities.empty:
        return []
    unique = activities.drop_duplicates("id").to_dict("records")
    unique.sort(key=lambda r: -(day(r["start_date"]) or date.min).toordinal())
    unique.sort(key=lambda r: STATUS_ORDER.get(ActivityStatus(r["status"]), 9))
    return unique


def activity_dates(row: Mapping[str, Any]) -> str:
    """'från 1 mars 2024', '10 juni 2024–16 augusti 2024', '12 mars 2025' or 'inget datum'."""
    start, end = day(row.get("start_date")), day(row.get("end_date"))
    if start and end:
        return date_text(start) if start == end else f"{date_text(start)}–{date_text(end)}"
    if start:
        return f"från {date_text(start)}"
    return f"till {date_text(end)}" if end else "inget datum"


def activity_line(row: Mapping[str, Any]) -> str:
    """One activity as Markdown (user text escaped): title, lead organisation, status and dates."""
    word = ACTIVITY_WORDS[ActivityStatus(row["status"])]
    parts = [f"**{components.plain(str(row['title']))}**", components.plain(str(row["lead_org"])), word,
             activity_dates(row)]
    return " · ".join(parts)


@dataclass(frozen=True)
class Scope:
    """What every tab needs: the district, its places, the period and whether the data is invented."""

    district: str
    district_name: str
    places: pd.DataFrame
    first: Period
    last: Period
    demo: bool

    @property
    def label(self) -> str:
        """The period as chosen: 'jan–okt 2025'."""
        return range_label(self.first, self.last)


# --- drawing ---------------------------------------------------------------------------------------


def cached_figure(scope_: Scope, parts: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """A figure of the scope built once per database, data version, district, period and PARTS (what else it
    shows), shared by reruns and sessions: a rerun of the same view draws without building it again."""
    key = state.cache_key("platser", scope_.district, scope_.first.code, scope_.last.code, *parts)
    return omrade.cached_figure(key, build)


def plotly(fig: Any, key: str) -> None:
    """A figure as the product draws it everywhere: its own template, full width, slide-sized PNG, alt text."""
    st.plotly_chart(fig, theme=None, width="stretch", config=charts.PLOTLY_CONFIG, key=key,
                    alt=charts.alt_text(fig) or None)


def no_places_notice(district_name: str) -> None:
    """Say that the district has no places yet and how they get there."""
    st.info(
        f"Inga platser är inlagda för {components.plain(district_name)} än. Platser (namn, typ och "
        "koordinater) läses in med referensdatan, filen data/reference/place.csv. Välj ett annat "
        "stadsdelsområde i sidopanelen för att se dess platser.",
        icon=":material/location_off:",
    )


def no_data_view(district: str, district_name: str, district_places: pd.DataFrame, demo: bool) -> None:
    """A district whose places have no data yet: the map of the places and what to load."""
    st.info(
        f"Det finns inga EST-rapporter och inga värden per plats för {components.plain(district_name)} än. "
        "När EST-rapporter eller polisens siffror per plats har lästs in visar sidan här var problemen "
        "ökar, en profil per plats och platser jämförda sida vid sida.",
        icon=":material/database:",
    )
    # no data, so no data date: the outlines in force today, as the district picker lists the areas
    fig = charts.place_map(
        charts.load_districts(), district_places, title=f"Platser i {district_name}",
        source=charts.Source("Stockholms stad (gränser)", demo=demo), highlight_district=district,
    )
    plotly(fig, "platser-karta")


def place_picker(options: Mapping[str, str], default: str) -> str:
    """The sidebar's place (?plats=Name), with a Swedish notice when the URL names another."""
    chosen = scope.select("Plats", options, key=scope.PLACE_KEY, default=default,
                          help="Platsen som visas under fliken Plats och markeras på kartan.")
    return chosen or default


def _step(codes: Sequence[str], step: int) -> None:
    """Callback: move the place picker one place forward or back (wrapping around)."""
    current = st.session_state.get(scope.PLACE_KEY, codes[0])
    index = codes.index(current) if current in codes else 0
    st.session_state[scope.PLACE_KEY] = codes[(index + step) % len(codes)]


def step_buttons(options: Mapping[str, str]) -> None:
    """Föregående/Nästa plats, for stepping through the places like slides."""
    codes = list(options)
    if len(codes) < 2:
        return
    back, forward, _ = st.columns([1, 1, 3])
    back.button("Föregående plats", icon=":material/arrow_back:", on_click=_step, args=(codes, -1),
                key="plats-foregaende", width="stretch")
    forward.button("Nästa plats", icon=":material/arrow_forward:", on_click=_step, args=(codes, 1),
                   key="plats-nasta", width="stretch")


def period_note(scope_: Scope, ranking: pd.DataFrame) -> None:
    """Which days the rankings count, when the latest data ends inside the chosen period."""
    notes = []
    est_end = ranking_through(ranking, Measure.INCIDENTS)
    if est_end and est_end < scope_.last.last_day:
        notes.append(f"EST-rapporter räknas t.o.m. {date_text(est_end)} (sista hela veckan)")
    crime_end = ranking_through(ranking, Measure.CRIMES)
    if crime_end and crime_end < scope_.last.last_day:
        notes.append(f"anmälda brott t.o.m. {period_of(crime_end, Grain.MONTH).label}")
    lead = f"Perioden {scope_.label} jämförs med samma dagar ett år tidigare."
    text = "; ".join(notes)
    st.caption(lead + (f" {text[:1].upper()}{text[1:]}, senare data finns inte än." if notes else ""))


def _ranking_chart(changes: Sequence[Change], measure: Measure, scope_: Scope, through: date | None,
                   source: str, key: str) -> None:
    """One ranking (places or categories) as bars with status word and change, and a Swedish message if empty."""
    labels = window_of(changes)
    name = places.MEASURE_NAMES[measure]
    if labels is None:
        st.info(f"{name}: inga värden för {scope_.label}.", icon=":material/info:")
        return
    current_label, previous_label = labels
    fig = cached_figure(scope_, ("ranking", key), lambda: charts.ranking_bar(
        places.ranking_frame(list(changes)), title=f"{name} per plats, {current_label}",
        current_label=current_label, previous_label=previous_label,
        source=charts.Source(source, through, scope_.demo),
    ))
    plotly(fig, key)


def explanations(changes: Sequence[Change]) -> None:
    """The sentences behind a ranking, worsening first: each with its status word."""
    lines = [
        f"- {components.status_markdown(c.trend)} {components.plain(c.explanation)}"
        for c in places.worst_first(list(changes))
    ]
    st.markdown("\n".join(lines))


SUMMARY_ORDER = (Trend.WORSENING, Trend.IMPROVING, Trend.UNCHANGED, Trend.NO_DATA)


def summary_lines(by_measure: Mapping[Measure, Sequence[Change]]) -> dict[Trend, list[str]]:
    """Per status, one Markdown line per place with the measures that have that status (user text escaped)."""
    grouped: dict[Trend, dict[str, list[str]]] = {trend: {} for trend in SUMMARY_ORDER}
    for measure, changes in by_measure.items():
        for change in changes:
            grouped[change.trend].setdefault(change.name, []).append(places.short_text(change, measure))
    return {
        trend: [f"- **{components.plain(name)}**: {components.plain('; '.join(texts))}"
                for name, texts in sorted(grouped[trend].items())]
        for trend in SUMMARY_ORDER
        if grouped[trend]
    }


def summary(by_measure: Mapping[Measure, Sequence[Change]]) -> None:
    """'Var ökar problemen?': the places grouped by status, worsening first, each with its numbers."""
    st.header("Var ökar problemen?")
    for trend, lines in summary_lines(by_measure).items():
        st.markdown(f"### {components.status_markdown(trend)}")
        st.markdown("\n".join(lines))
    components.status_help_link()


def situation(scope_: Scope, ranking: pd.DataFrame, selected_place: str) -> None:
    """Lägesbild: the map of the places sized by EST reports, where problems grow, and both rankings."""
    incidents = places.measure_changes(ranking, Measure.INCIDENTS, period_label=scope_.label)
    crimes = places.measure_changes(ranking, Measure.CRIMES, period_label=scope_.label)
    period_note(scope_, ranking)
    through = ranking_through(ranking, Measure.INCIDENTS)
    left, right = st.columns([3, 2], gap="large")
    with left:
        labels = window_of(incidents)
        value_label = f"EST-rapporter {labels[0]}" if labels else None
        located = map_frame(scope_.places, incidents) if labels else scope_.places
        fig = cached_figure(scope_, ("map", selected_place), lambda: charts.place_map(
            charts.load_districts(on=scope_.last.last_day), located,
            title=f"Platser i {scope_.district_name}", source=charts.Source(MAP_SOURCE, through, scope_.demo),
            highlight_district=scope_.district, highlight_place=selected_place, value_label=value_label,
        ))
        plotly(fig, "platser-karta")
    with right:
        summary({Measure.INCIDENTS: incidents, Measure.CRIMES: crimes})
    _ranking_chart(incidents, Measure.INCIDENTS, scope_, through, EST_SOURCE, "platser-rang-est")
    crime_month = ranking_through(ranking, Measure.CRIMES)
    crime_through = period_of(crime_month, Grain.MONTH) if crime_month else None
    _ranking_chart(crimes, Measure.CRIMES, scope_, crime_through, "Polisen", "platser-rang-brott")
    with st.expander("Förklaring per plats, med siffror och bedömning"):
        explanations(incidents)
        explanations(crimes)


def _tile(indicator: Mapping[str, Any], assessment: Assessment | None) -> None:
    """One indicator of a place: name, status word, the latest value against the comparison, and why."""
    st.markdown(f"**{components.plain(str(indicator['name']))}**")
    if assessment is None:
        st.markdown(components.status_markdown(Trend.NO_DATA))
        return
    badges = [components.status_markdown(assessment.trend)]
    if assessment.target_status is not None:
        badges.append(components.status_markdown(assessment.target_status))
    st.markdown(" ".join(badges))
    if assessment.current_label:
        st.metric(assessment.current_label, assessment.current_text, help=assessment.explanation)
    if assessment.previous_label and assessment.previous_text != fmt.MISSING and assessment.trend is not Trend.NO_DATA:
        change = f" ({assessment.change_text})" if assessment.change_text else ""
        verdict = {True: "större än slumpvariationen", False: "inom slumpvariationen"}.get(assessment.significant, "")
        st.markdown(f"mot {assessment.previous_text}{change}" + (f"  \n{verdict}" if verdict else ""))
    else:
        st.caption(components.plain(assessment.explanation))
    if assessment.target_explanation:
        st.caption(components.plain(assessment.target_explanation))


def profile_tiles(indicators: Sequence[Mapping[str, Any]], status: ScopeStatus) -> None:
    """Every indicator of the place as a tile, TILE_COLUMNS to a row."""
    for start in range(0, len(indicators), TILE_COLUMNS):
        row = indicators[start : start + TILE_COLUMNS]
        for column, indicator in zip(st.columns(TILE_COLUMNS), row, strict=False):
            with column.container(border=True, height="stretch"):
                _tile(indicator, status.assessments.get(str(indicator["code"])))


def _target_for(status: ScopeStatus, code: str, grain: Grain) -> Any:
    """The indicator's numeric target when it is set per the chart's grain, else None."""
    rows = status.targets.loc[(status.targets["indicator"] == code) & status.targets["target_value"].notna()]
    if rows.empty or rows.iloc[0]["target_grain"] != grain.value:
        return None
    try:
        return series.target_of(rows.iloc[0])
    except ValueError:
        return None


def profile_series(scope_: Scope, place_name: str, indicators: Sequence[Mapping[str, Any]], status: ScopeStatus,
                   event_months: pd.DataFrame, activities: pd.DataFrame) -> None:
    """Time series of the place's main indicators in the period, with last year and the activities there."""
    by_code = {str(i["code"]): i for i in indicators}
    marked = activities[activities["status"] != ActivityStatus.CANCELLED.value] if not activities.empty else None
    for code in main_indicators(indicators, status.assessments):
        indicator = by_code[code]
        whole, grain = indicator_series(indicator, status.values, event_months)
        compared = without_last_year_across_breaks(charts.with_last_year(whole, grain), grain)
        frame = in_period(compared, grain, scope_.first, scope_.last)
        per = "per månad" if grain is Grain.MONTH else f"per {grain_name(grain)}"
        fig = charts.time_series(
            frame, title=f"{indicator['name']} {per} – {place_name}", unit=Unit(indicator["unit"]),
            grain=grain, name=place_name, source=charts.Source(str(indicator["source"]), demo=scope_.demo),
            sensitive=bool(indicator["sensitive"]), target=_target_for(status, code, grain), activities=marked,
            height=SERIES_HEIGHT,
        )
        plotly(fig, f"platser-serie-{code}")


def category_section(scope_: Scope, place: str, place_name: str) -> None:
    """EST reports at the place by category in the period against the same days a year earlier."""
    first, last, label = period_days(scope_.first, scope_.last)
    rows = state.query("place_events_by_category", district=scope_.district, place=place, **{"from": first, "to": last})
    st.subheader("EST-rapporter per kategori")
    if rows.empty:
        st.info(f"Inga EST-rapporter på {components.plain(place_name)} under {label}.", icon=":material/info:")
        return
    changes = places.category_changes(rows, place_name, period_label=label)
    current_label, previous_label = window_of(changes) or (label, "samma period ett år tidigare")
    through = max(d for d in map(day, rows["current_to"]) if d)
    fig = charts.ranking_bar(
        places.ranking_frame(changes), title=f"EST-rapporter per kategori – {place_name}, {current_label}",
        current_label=current_label, previous_label=previous_label,
        source=charts.Source(EST_SOURCE, through, scope_.demo),
    )
    plotly(fig, "platser-kategorier")
    lines = category_notes(changes)
    if lines:
        st.markdown("\n".join(lines))


def _categories(count: int) -> str:
    """'1 kategori', '3 kategorier'."""
    return f"{count} {'kategori' if count == 1 else 'kategorier'}"


def category_notes(changes: Sequence[Change]) -> list[str]:
    """Markdown lines under the categories: the ones that moved in full, the rest counted with the reason."""
    lines = [
        f"- {components.status_markdown(c.trend)} {components.plain(c.explanation)}"
        for c in places.worst_first([c for c in changes if c.trend in (Trend.WORSENING, Trend.IMPROVING)])
    ]
    unchanged = sum(c.trend is Trend.UNCHANGED for c in changes)
    if unchanged:
        lines.append(f"- {components.status_markdown(Trend.UNCHANGED)} {_categories(unchanged)}: förändringen ligger "
                     "inom slumpvariationen.")
    reasons: dict[str, int] = {}
    for change in changes:
        if change.trend is Trend.NO_DATA:
            reasons[change.reason or ""] = reasons.get(change.reason or "", 0) + 1
    for reason, count in reasons.items():
        because = f": ingen jämförelse eftersom {components.plain(reason)}" if reason else ""
        lines.append(f"- {components.status_markdown(Trend.NO_DATA)} {_categories(count)}{because}.")
    return lines


def activity_section(rows: Sequence[Mapping[str, Any]], place_name: str) -> None:
    """The action plan's activities at the place as plain lines."""
    st.subheader("Insatser på platsen")
    if not rows:
        st.markdown(f"Inga insatser i handlingsplanen är kopplade till {components.plain(place_name)}.")
        return
    st.markdown("\n".join(f"- {activity_line(row)}" for row in rows))


def profile(scope_: Scope, place: str) -> None:
    """Plats: one place's indicators with status, its main series, EST reports by category and activities."""
    options = place_options(scope_.places)
    place_name = options[place]
    record = scope_.places.loc[scope_.places["code"] == place].iloc[0]
    step_buttons(options)
    st.header(components.plain(place_name), divider="gray")
    if isinstance(record["description"], str) and record["description"].strip():
        st.markdown(components.plain(record["description"]))
    activities = state.query("scope_activities", district=scope_.district, place=place)
    rows = activity_rows(activities)
    if day(record["first_day"]) is None:
        st.info(
            f"Det finns inga värden för {components.plain(place_name)} än: inga EST-rapporter och inga "
            "nyckeltal med värden för platsen. När EST-rapporter eller polisens siffror för platsen har "
            "lästs in visas status och diagram här.",
            icon=":material/info:",
        )
        if not state.public_screen():
            activity_section(rows, place_name)
        return
    status = state.scope_status(scope_.district, place, scope_name=place_name)
    indicators = catalogue(status.indicators)
    overall, rule = rollup(status.assessments.values(), children="nyckeltal")
    st.markdown(f"Samlad bild: {components.status_markdown(overall)} {components.plain(rule)}")
    components.status_help_link()
    profile_tiles(indicators, status)
    event_months = state.query("scope_event_months", district=scope_.district, place=place)
    st.subheader(f"Utveckling {scope_.label}")
    profile_series(scope_, place_name, indicators, status, event_months, activities.drop_duplicates("id"))
    category_section(scope_, place, place_name)
    if not state.public_screen():
        activity_section(rows, place_name)


def indicator_options(district: str, some_place: str) -> dict[str, str]:
    """The indicators measured per place, code -> name (from a place's scope_indicators)."""
    rows = state.query("scope_indicators", district=district, place=some_place).drop_duplicates("code")
    return dict(zip(rows["code"], rows["name"], strict=True))


def side_by_side(scope_: Scope) -> None:
    """Jämför platser: one indicator at several places as small multiples with one scale, and each status."""
    options = place_options(scope_.places)
    indicator_names = indicator_options(scope_.district, next(iter(options)))
    if not indicator_names:
        st.info("Det finns inga nyckeltal som mäts per plats.", icon=":material/info:")
        return
    default = places.CRIME_INDICATOR if places.CRIME_INDICATOR in indicator_names else next(iter(indicator_names))
    left, right = st.columns([3, 2], gap="large")
    with left:
        picked = scope.multiselect("Platser", options, key=scope.PLACES_KEY,
                                   default=busiest(scope_.places, DEFAULT_DISTRICT_PLACES),
                                   max_selections=MAX_COMPARED)
    with right:
        code = scope.select("Nyckeltal", indicator_names, key=scope.INDICATOR_KEY, default=default, sidebar=False)
    if not picked:
        st.info("Välj minst en plats att jämföra.", icon=":material/info:")
        return
    frames, grain, indicator = [], Grain.MONTH, None
    for place in picked:
        status = state.scope_status(scope_.district, place, scope_name=options[place])
        rows = status.indicators.loc[status.indicators["code"] == code]
        if rows.empty:
            continue
        indicator = rows.iloc[0].to_dict()
        months = (state.query("scope_event_months", district=scope_.district, place=place) if is_est(indicator)
                  else status.values)
        whole, grain = indicator_series(indicator, status.values, months)
        frames.append(in_period(whole, grain, scope_.first, scope_.last).assign(place=options[place]))
    shown = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if indicator is None or shown.empty:
        st.info(f"Inga värden för {components.plain(indicator_names[code])} på de valda platserna under "
                f"{scope_.label}.", icon=":material/info:")
        return
    per = "per månad" if grain is Grain.MONTH else f"per {grain_name(grain)}"
    fig = charts.small_multiples(
        shown, title=f"{indicator_names[code]} {per}, {scope_.label} – samma skala", unit=Unit(indicator["unit"]),
        grain=grain, source=charts.Source(str(indicator["source"]), demo=scope_.demo),
        sensitive=bool(indicator["sensitive"]), places=[options[p] for p in picked], columns=min(len(picked), 3),
    )
    plotly(fig, "platser-jamfor")
    lines = []
    for place in picked:
        assessment = state.scope_status(scope_.district, place, scope_name=options[place]).assessments.get(code)
        if assessment is not None:
            lines.append(f"- {components.status_markdown(assessment.trend)} {components.plain(assessment.explanation)}")
    st.markdown("\n".join(lines))
    components.status_help_link()
