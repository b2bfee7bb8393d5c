"""Mötesläge: a meeting's agenda (a followup.pack.Pack) shown one slide at a time on a shared screen.

The page (views/mote.py) is a list of calls to this module. The first half is pure (which periods a
meeting can be about, which slide the address asks for, how a slide is laid out), the second half
draws with Streamlit.

Decisions:
- The meeting's district is the sidebar's (?omrade=, dashboard.py); the page collapses the sidebar
  when it opens (st.set_page_config(initial_sidebar_state="collapsed") in views/mote.py), so the slide
  has the screen. The period is chosen in the "Välj möte" popover at the right end of the navigation
  row, synced with ?period=2025-T2 (the code, not the label, so a link can be typed by hand).
- The slide number lives in the address (?bild=3) so a meeting can be resumed and a link opens the
  same slide. A reload starts a new session, so the address wins over the session's own number
  whenever it differs from what this page last wrote there.
- Föregående, 'n av m', Nästa and 'Gå till' sit in one row above the slide (the same place on every
  slide, whatever its length), reachable by Tab; the arrow keys press Föregående/Nästa (st.button's
  `shortcut`, Streamlit 1.67).
- Changing the district or the period starts the agenda from the first slide.
- Sizes are for a 1920×1080 screen read from three metres: no text below the base 22 px
  (.streamlit/config.toml), status rows as h4 (about 29 px; h5 when there are many), titles h1 with the
  slide's status beside them. Title, status rows and the steering group's analysis fill the first
  screen; the charts follow at full width, each fitting the screen (side by side, the template's 22 px
  legend needs a row per entry and leaves little plot). The overview's 14 goals show status and label
  only; their sentences are on the area slides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from followup import charts, pack
from followup.chartplan import build_figure
from followup.model import Grain
from followup.pack import Agenda, AgendaItem, ChartData, Meeting, Pack, Slide, SlideKind
from followup.periods import Period, parse_period, period_of, range_label
from followup.status import Trend
from webapp import components, exports, omrade, scope, state

PERIOD_KEY = "period"
"""URL query parameter of the meeting's period (?period=2025-T2)."""
SLIDE_KEY = "bild"
"""URL query parameter of the slide shown (?bild=3, counted from 1)."""
PERIOD_STATE = "mote_period"
"""Session-state key of the period select box."""
GOTO_STATE = "mote_bild"
"""Session-state key of the 'Gå till' select box: the number of the slide shown."""
WRITTEN_STATE = "mote_written"
"""Session-state key: the (period, slide) this page last wrote to the address."""
SCOPE_STATE = "mote_scope"
"""Session-state key: the (district, period) of the agenda shown, to start over when either changes."""
EXPORT_STATE = "mote_export"
"""Session-state key: the (district, period) whose whole pack the user asked to export."""

RECENT_YEARS = 3
"""The period select box offers tertials, quarters and years of this many calendar years."""
MEETING_GRAINS: tuple[Grain, ...] = (Grain.TERTIAL, Grain.QUARTER, Grain.YEAR)
"""Kinds of period a meeting follows up, in the order the select box lists them (the city reports per tertial)."""

PLOT_HEIGHT = 280
"""Height of a chart's plot area; the chart adds its title, legend rows and footer around it."""
CONTENT_WIDTH = 1700
"""Width in pixels of the page's content at 1920 px (wide layout), for fitting a chart's legend."""
MANY_LINES = 4
"""More status rows than this go in two columns and lower the charts."""
MAX_SENTENCE_LINES = 8
"""More status rows than this (the overview's goals) show label and status only: the sentences follow on
the area slides."""


# ---------------------------------------------------------------------------------------------------
# Pure: periods, slide numbers, layout
# ---------------------------------------------------------------------------------------------------


DATA_DAY_GRAINS: tuple[tuple[Grain, ...], ...] = ((Grain.WEEK, Grain.MONTH), (Grain.QUARTER, Grain.TERTIAL), (Grain.YEAR,))
"""Which values say how far the data reaches: the finest kind present (a yearly value, often preliminary,
says nothing about how far the months reach)."""


def last_data_day(*frames: pd.DataFrame) -> date | None:
    """The last day covered by the finest-grained values in scope_values-like frames (period_start, grain)."""
    ends: dict[Grain, date] = {}
    for frame in frames:
        if frame.empty:
            continue
        latest = pd.to_datetime(frame["period_start"]).groupby(frame["grain"]).max()
        for grain, start in latest.items():
            end = Period(start.date(), Grain(grain)).last_day
            ends[Grain(grain)] = max(end, ends.get(Grain(grain), end))
    for grains in DATA_DAY_GRAINS:
        found = [ends[g] for g in grains if g in ends]
        if found:
            return max(found)
    return None


def period_label(period: Period, last_day: date) -> str:
    """'T2 2025 (maj–aug 2025)'; '… – pågår' when the data does not cover the period's end yet."""
    label = period.label
    if period.grain is not Grain.YEAR:
        months = (period_of(period.start, Grain.MONTH), period_of(period.last_day, Grain.MONTH))
        label = f"{label} ({range_label(*months)})"
    return f"{label} – pågår" if period.last_day > last_day else label


def period_options(last_day: date, *, years: int = RECENT_YEARS) -> dict[str, str]:
    """Tertials, quarters and years of the last `years` calendar years that have begun by last_day: code -> label."""
    first = date(last_day.year - years + 1, 1, 1)
    options: dict[str, str] = {}
    for grain in MEETING_GRAINS:
        period = period_of(last_day, grain)
        while period.start >= first:
            options[period.code] = period_label(period, last_day)
            period = period.shift(-1)
    return options


def default_period(options: Mapping[str, str], last_day: date) -> str:
    """The latest tertial the data covers to its end (the steering group's rhythm), else the first option."""
    for code in options:
        period = parse_period(code)
        if period.grain is Grain.TERTIAL and period.last_day <= last_day:
            return code
    return next(iter(options))


def known_period(raw: str | None, options: Mapping[str, str]) -> str | None:
    """The option code an address value names ('2025-T2', '2025-t2', ' 2025 - T2 '), or None."""
    if raw is None or not raw.strip():
        return None
    try:
        code = parse_period(raw).code
    except ValueError:
        return None
    return code if code in options else None


def slide_number(raw: str | None, count: int) -> tuple[int, bool]:
    """The slide (1..count) an address value asks for, and whether the value was wrong (then 1 or the last)."""
    if raw is None or not raw.strip():
        return 1, False
    try:
        number = int(raw.strip())
    except ValueError:
        return 1, True
    if number < 1:
        return 1, True
    if number > count:
        return max(count, 1), True
    return number, False


def counter_text(number: int, count: int) -> str:
    """'3 av 12'."""
    return f"{number} av {count}"


def agenda_label(number: int, item: AgendaItem | Slide) -> str:
    """How a slide is listed under 'Gå till': '3. 2. Otrygga och brottsutsatta platser'."""
    return f"{number}. {item.title}"


def line_columns(slide: Slide) -> int:
    """Status rows in one column (few, or beside the steering group's analysis), or two when there are many."""
    return 2 if len(slide.lines) > MANY_LINES else 1


LEGEND_CHAR = 10.5
"""Average width in pixels of a legend character at the template's 22 px (Arial, Liberation Sans)."""
LEGEND_ITEM = 55
"""Width of a legend entry besides its text: the symbol and the gaps (Plotly: itemwidth 40 + 3 × 5)."""
LEGEND_ROW = 31
TITLE_BLOCK = 72
"""Height above the legend: the chart title and its padding."""
Y_AXIS_ROOM = 60
"""Width the y axis' labels and title take beside the margins."""


def legend_layout(names: Sequence[str], plot_width: int) -> tuple[int, int | None]:
    """Rows of a horizontal legend and the text width to give each entry (None: one row, as wide as the text).

    Plotly puts the entries on one row when they fit and otherwise in columns as wide as the widest entry;
    a fixed entry width (estimated on the wide side) makes that grid predictable.
    """
    texts = [round(LEGEND_CHAR * len(name)) for name in names]
    if not texts or sum(texts) + LEGEND_ITEM * len(texts) <= plot_width:
        return 1, None
    entry = max(texts)
    columns = max(1, (plot_width - 20) // (entry + LEGEND_ITEM))
    return -(-len(texts) // columns), entry


def fit_legend(fig: go.Figure, width: int) -> None:
    """Room above the plot for the title and every legend row, and a fixed plot height under them."""
    names = [str(t.name) for t in fig.data if t.name and t.showlegend is not False]
    margin = fig.layout.margin
    plot_width = width - (margin.l or 0) - (margin.r or 0) - Y_AXIS_ROOM
    rows, entry = legend_layout(names, plot_width)
    top = TITLE_BLOCK + LEGEND_ROW * rows + 10
    if entry is not None:
        fig.update_layout(legend={"entrywidth": entry, "entrywidthmode": "pixels"})
    fig.update_layout(margin={"t": top}, height=top + PLOT_HEIGHT + (margin.b or 0))


def table_height(table: pd.DataFrame, row_height: int) -> int:
    """Height of a dataframe showing every row (header included) without its own scroll bar, capped."""
    return min(len(table) + 1, 12) * row_height + 3


# ---------------------------------------------------------------------------------------------------
# Streamlit: caches
# ---------------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=50)
def _cached_agenda(path: str, version: str, district: str, period_code: str) -> Agenda:
    """build_agenda for a district and period, cached per database file and data version (which says whether
    the screen is public: a public meeting has no action plan and commitment slides)."""
    return state.read_on_cursor(pack.build_agenda, district, parse_period(period_code), run=state.cached_run,
                                public=state.is_public_version(version))


@st.cache_resource(show_spinner=False, max_entries=20)
def _cached_meeting(path: str, version: str, district: str, period_code: str) -> Meeting:
    """build_meeting (the district assessed as of the period's end), shared unchanged by every session."""
    agenda = _cached_agenda(path, version, district, period_code)
    return state.read_on_cursor(pack.build_meeting, agenda, run=state.cached_run)


@st.cache_data(show_spinner=False, max_entries=300)
def _cached_slide(path: str, version: str, district: str, period_code: str, number: int) -> Slide:
    """build_slide: one slide of the agenda, built only when it is shown (a place's without the district's)."""
    agenda = _cached_agenda(path, version, district, period_code)
    item = agenda.items[number - 1]
    meeting = _cached_meeting(path, version, district, period_code) if pack.needs_meeting(item) else None
    return state.read_on_cursor(pack.build_slide, agenda, number, meeting, run=state.cached_run)


def meeting_agenda(district: str, period: Period) -> Agenda:
    """The meeting's steps (titles for the navigation), cached until new data is loaded."""
    return _cached_agenda(*state.cache_key(district, period.code))


def meeting_slide(district: str, period: Period, number: int) -> Slide:
    """Slide `number` of the meeting, built when first shown and cached until new data is loaded."""
    return _cached_slide(*state.cache_key(district, period.code, number))


def meeting_pack(district: str, period: Period) -> Pack:
    """The whole meeting for the exports: pack.build_pack's slides, each from the slide cache (the slides already
    shown are not built again, and the others are then ready when stepped to)."""
    path, version = state.cache_key()
    agenda = _cached_agenda(path, version, district, period.code)
    slides = tuple(_cached_slide(path, version, district, period.code, number)
                   for number in range(1, len(agenda.items) + 1))
    data_date = _cached_meeting(path, version, district, period.code).scope.data_date
    return Pack(district, agenda.district_name, period, data_date, agenda.demo, slides)


def figure_key(district: str, period: Period) -> tuple[str, ...]:
    """What a slide's figures depend on besides the chart and its height."""
    return state.cache_key("mote", district, period.code)


def chart_figure(chart: ChartData, *, demo: bool, width: int = CONTENT_WIDTH) -> go.Figure:
    """The chart's figure for a slide `width` px wide: the chart plan's (as on Prioriterat område) when it has
    one, else drawn from its frame; its legend fitted above the plot."""
    if chart.plan is not None and chart.shown is not None:
        activities = chart.activities if chart.activities is not None else pd.DataFrame()
        fig = build_figure(chart.indicator_row, chart.plan, chart.shown, scope_name=chart.scope_name,
                           activities=activities, demo=demo)
    else:
        frame = chart.frame[[c for c in ("period_start", "value", "hidden") if c in chart.frame]]  # hidden: '1–4' marks
        fig = charts.time_series(frame, title=chart.title, unit=chart.unit, grain=chart.grain,
                                 source=charts.Source(chart.source, demo=demo), name=chart.scope_name or "Utfall",
                                 sensitive=chart.sensitive)
    fit_legend(fig, width)
    return fig


# ---------------------------------------------------------------------------------------------------
# Streamlit: choosing the meeting and the slide
# ---------------------------------------------------------------------------------------------------


def resolve_period(last_day: date) -> tuple[dict[str, str], str]:
    """The period options and the chosen code: the session's, or the address's when it names another.

    An address value that names no offered period gets a notice and the default period.
    """
    options = period_options(last_day)
    raw = st.query_params.get(PERIOD_KEY)
    written = st.session_state.get(WRITTEN_STATE, (None, None))[0]
    chosen = st.session_state.get(PERIOD_STATE)
    if chosen not in options or (raw is not None and raw != written):
        chosen = known_period(raw, options)
        if chosen is None:
            chosen = default_period(options, last_day)
            if raw is not None and raw.strip():
                scope.invalid_param_notice(PERIOD_KEY, raw, options[chosen])
        st.session_state[PERIOD_STATE] = chosen
    return options, chosen


def period_picker(options: Mapping[str, str]) -> Period:
    """The meeting's period select box (its value set by resolve_period, synced with ?period=)."""
    code = st.selectbox("Period", list(options), format_func=lambda c: options.get(c, c), key=PERIOD_STATE,
                        help="Mötet följer upp läget till och med periodens slut.")
    return parse_period(code)


def start_over_on_new_scope(district: str, period: Period) -> None:
    """Go back to the first slide when the district or the period differs from the agenda shown before."""
    now = (district, period.code)
    before = st.session_state.get(SCOPE_STATE)
    if before is not None and before != now:
        st.session_state[GOTO_STATE] = 1
        st.session_state[WRITTEN_STATE] = (period.code, "1")
        st.query_params[SLIDE_KEY] = "1"
    st.session_state[SCOPE_STATE] = now


def current_slide(count: int) -> int:
    """The slide to show (1..count): the session's, or the address's when it names another; notice if wrong."""
    raw = st.query_params.get(SLIDE_KEY)
    written = st.session_state.get(WRITTEN_STATE, (None, None))[1]
    if GOTO_STATE in st.session_state and (raw is None or raw == written):
        number = min(max(int(st.session_state[GOTO_STATE]), 1), count)
    else:
        number, wrong = slide_number(raw, count)
        if wrong and raw is not None:
            scope.invalid_param_notice(SLIDE_KEY, raw, f"bild {number}")
    st.session_state[GOTO_STATE] = number
    return number


def remember_address(period: Period, number: int) -> None:
    """Write ?period= and ?bild= so the address opens this slide of this meeting."""
    st.query_params[PERIOD_KEY] = period.code
    st.query_params[SLIDE_KEY] = str(number)
    st.session_state[WRITTEN_STATE] = (period.code, str(number))


def _go(number: int) -> None:
    """Button callback: show slide `number` (the page clamps it)."""
    st.session_state[GOTO_STATE] = number
    period = st.session_state.get(WRITTEN_STATE, (None, None))[0]
    st.session_state[WRITTEN_STATE] = (period, str(number))
    st.query_params[SLIDE_KEY] = str(number)


def _went() -> None:
    """'Gå till' callback: the select box already holds the new number; write it to the address."""
    _go(int(st.session_state[GOTO_STATE]))


def navigation(items: Sequence[AgendaItem], number: int, *, subtitle: str, choose: Callable[[], None]) -> None:
    """Föregående, 'n av m', Nästa, 'Gå till', the meeting's scope and 'Välj möte', in one row on every slide."""
    count = len(items)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium", key="mote-nav"):
        st.button("Föregående", icon=":material/arrow_back:", key="mote-prev", disabled=number <= 1,
                  on_click=_go, args=(number - 1,), shortcut="Left", help="Föregående bild (vänsterpil)")
        st.markdown(f"**{counter_text(number, count)}**", width="content")
        st.button("Nästa", icon=":material/arrow_forward:", icon_position="right", key="mote-next", type="primary",
                  disabled=number >= count, on_click=_go, args=(number + 1,), shortcut="Right",
                  help="Nästa bild (högerpil)")
        st.selectbox("Gå till", list(range(1, count + 1)), format_func=lambda n: agenda_label(n, items[n - 1]),
                     key=GOTO_STATE, on_change=_went, label_visibility="collapsed", width=520)
        st.space("stretch")
        if subtitle:
            st.markdown(components.plain(subtitle), width="content")
        with st.popover("Välj möte", icon=":material/tune:"):
            choose()


# ---------------------------------------------------------------------------------------------------
# Streamlit: drawing a slide
# ---------------------------------------------------------------------------------------------------


def status_row(trend: Trend, label: str, text: str) -> str:
    """One status row as markdown: the status (bold icon and word) and the label, the sentence under it (22 px).

    Not a heading: headings must follow the slide's title in order, and rows as big as a level-2 heading
    push the charts below a 1080-pixel screen."""
    row = f"{components.status_markdown(trend)} **{components.plain(label)}**"
    return f"{row}\n\n{components.plain(text)}" if text else row


def status_lines(slide: Slide) -> None:
    """The slide's goals or indicators as big rows: icon, word and label, the sentence under it."""
    lines = slide.lines
    if not lines:
        return
    sentences = len(lines) <= MAX_SENTENCE_LINES
    columns = st.columns(line_columns(slide), gap="large") if line_columns(slide) > 1 else [st.container()]
    per_column = -(-len(lines) // len(columns))
    for index, line in enumerate(lines):
        with columns[index // per_column]:
            st.markdown(status_row(line.trend, line.label, line.text if sentences else ""), anchors=False)


def slide_header(slide: Slide) -> None:
    """Title with the slide's own status (icon and word), its rule under it."""
    status = f" {components.status_markdown(slide.status)}" if slide.status is not None else ""
    st.title(components.plain(slide.title) + status, anchor=False)
    if slide.status_text:
        st.markdown(components.plain(slide.status_text))


def title_slide(slide: Slide, items: Sequence[AgendaItem]) -> None:
    """The first slide: the district, the meeting and its agenda."""
    st.title(components.plain(slide.title), anchor=False)
    if slide.subtitle:
        st.header(components.plain(slide.subtitle), anchor=False)
    st.subheader("Dagordning", anchor=False)
    st.markdown("\n".join(f"{n}. {components.plain(s.title)}" for n, s in enumerate(items[1:], start=2)))


def slide_charts(slide: Slide, *, demo: bool, key: tuple[str, ...]) -> None:
    """The slide's charts (at most two), each at full width, one under the other.

    Side by side (about 830 px each) the template's 22 px legend needs a row per entry, which leaves
    little room for the plot (checked at 1920×1080), so each chart takes the full width.
    """
    for chart in slide.charts:
        fig = omrade.cached_figure((*key, chart.key), lambda chart=chart: chart_figure(chart, demo=demo))
        st.plotly_chart(fig, theme=None, width="stretch", config=charts.PLOTLY_CONFIG,
                        alt=charts.alt_text(fig) or None, key=f"mote-{chart.key}")


TABLE_ROW_HEIGHT = 44
"""Rows of a slide's table: tall enough for the 22 px text."""


def slide_table(table: pd.DataFrame | None) -> None:
    """The slide's table (activities, commitments) with every row visible; user text is never interpreted."""
    if table is None or table.empty:
        return
    st.dataframe(table, hide_index=True, width="stretch", row_height=TABLE_ROW_HEIGHT,
                 height=table_height(table, TABLE_ROW_HEIGHT))


def slide_comment(comment: str) -> None:
    """The steering group's latest analysis, as plain text."""
    if not comment:
        return
    with st.container(border=True):
        st.markdown("**:material/forum: Styrgruppens analys**\n\n" + components.plain(comment).replace("\n", "  \n"))


def slide_note(note: str) -> None:
    """Why the slide has no charts or no table rows."""
    if note:
        st.info(components.plain(note), icon=":material/info:")


def slide_footer(footer: str) -> None:
    """Scope, source and data date."""
    if footer:
        st.markdown(components.plain(footer))


def draw_slide(slide: Slide, items: Sequence[AgendaItem], *, demo: bool, key: tuple[str, ...]) -> None:
    """One slide of the agenda ITEMS, for a 1920×1080 screen read from three metres."""
    if slide.kind is SlideKind.TITLE:
        title_slide(slide, items)
        slide_footer(slide.footer)
        return
    slide_header(slide)
    if slide.comment and line_columns(slide) == 1:
        lines_side, comment_side = st.columns([7, 5], gap="large")  # the analysis beside the goals
        with lines_side:
            status_lines(slide)
        with comment_side:
            slide_comment(slide.comment)
    else:
        status_lines(slide)
        slide_comment(slide.comment)
    slide_charts(slide, demo=demo, key=key)
    slide_table(slide.table)
    slide_note(slide.note)
    slide_footer(slide.footer)


def meeting_choice(district_name: str, options: Mapping[str, str], last_day: date | None) -> None:
    """Inside 'Välj möte': the district (chosen in the sidebar), the period and how far the data reaches."""
    st.markdown(f"Stadsdelsområde: **{components.plain(district_name)}** (byt i sidofältet, »)")
    period_picker(options)
    if last_day is None:
        st.markdown("Databasen har inga värden än; perioderna räknas fram till i dag.")
    else:
        st.markdown(f"Data t.o.m. {omrade.date_text(last_day)}.")


def nav_subtitle(slide: Slide) -> str:
    """What the navigation row says about the meeting: the slide's subtitle (the title slide shows its own)."""
    return "" if slide.kind is SlideKind.TITLE else slide.subtitle


def export_section(agenda: Agenda) -> None:
    """Below the slide: the meeting as PowerPoint, images and Excel, and the year's compilation.

    The screen builds only the slide shown; the exports need every slide and the year's assessments, so
    they are built on request (once per meeting and data version; the session remembers the request)."""
    with st.expander("Exportera: PowerPoint, bilder, siffror, årssammanställning", icon=":material/download:"):
        wanted = (agenda.district, agenda.period.code)
        if st.session_state.get(EXPORT_STATE) != wanted:
            if not st.button(f"Förbered exporten av mötets {len(agenda.items)} bilder", icon=":material/download:",
                             key="mote-forbered-export",
                             help="Bygger alla bilder med diagram och årssammanställningen; tar några sekunder."):
                st.caption("Sedan kan du ladda ner mötet som PowerPoint, bilder och siffror, och årets "
                           "sammanställning.")
                return
            st.session_state[EXPORT_STATE] = wanted
        with st.spinner("Bygger mötets alla bilder …"):
            whole = meeting_pack(agenda.district, agenda.period)
        exports.pack_downloads(whole)
        if state.public_screen():  # the compilation is the action plan and the analysis: internal text
            return
        st.markdown("**Årssammanställning** (målens status för året, insatser gjorda och inte gjorda, "
                    "styrgruppens analys)")
        last = agenda.period.last_day.year
        year = st.selectbox("År", list(range(last, last - 4, -1)), key="mote-arssammanstallning")
        exports.year_end_downloads(year_end_pack(agenda.district, int(year)))


@st.cache_data(show_spinner=False, max_entries=20)
def _cached_year_end(path: str, version: str, district: str, year: int) -> Pack:
    """build_year_end for a district and year, cached per database file and data version."""
    return state.read_on_cursor(pack.build_year_end, district, year)


def year_end_pack(district: str, year: int) -> Pack:
    """The year's compilation for a district, cached until new data is loaded."""
    return _cached_year_end(*state.cache_key(district, year))


def empty_agenda_notice() -> None:
    """A pack without slides (should not happen: every agenda has at least a title slide)."""
    st.info("Mötet har inga bilder att visa. Välj ett annat stadsdelsområde eller en annan period.",
            icon=":material/info:")


def no_district_notice() -> None:
    """No district area to hold a meeting for."""
    st.info("Välj ett stadsdelsområde i sidofältet för att visa mötets dagordning.", icon=":material/info:")
