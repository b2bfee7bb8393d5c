"""The naive peer of bench/bench_pages.py: the common Streamlit pattern, one small script for every page.

Not part of the app. It does what many Streamlit dashboards do: an @st.cache_data function loads the
tables whole into pandas (`con.table(name).df()`; on every rerun st.cache_data hands back a fresh copy,
unpickled from its cache), and each rerun filters and aggregates them in Python and draws the page:

- Översikt: one st.metric per indicator, the district's latest value and the change since a year earlier
  (EST indicators: the district's events counted per week);
- Prioriterat område: one plotly.express line chart per indicator of priority area 2 (its series for the
  district: stored values per period, EST indicators' events per month);
- Platser: a bar chart of events per place in the last twelve months, and the table with the twelve before;
- Trender: one line chart, the monthly events of one EST category;
- Handlingsplan, Styrgruppen, Data: st.dataframe of the district's activities with their goals, its
  comments and commitments, the import log;
- Mötesläge: Översikt's metrics plus priority area 2's charts.

Nothing but the table load is cached, no status rules. Query parameters: ?sida= (a key of PAGES) and
?omrade= (a district's name). The database is FOLLOWUP_DB, opened like the app opens it (read-write
config: DuckDB refuses a second connection to a file with another read_only setting in one process).
Run alone: `streamlit run bench/peer_app.py` (then ?sida=Platser&omrade=Bromma).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import plotly.express as px  # noqa: E402
import streamlit as st  # noqa: E402

from followup import config, db  # noqa: E402

Tables = dict[str, pd.DataFrame]

PEER_TABLES = ("district", "observation", "event", "indicator", "goal", "goal_indicator", "priority_area",
               "place", "activity", "activity_goal", "comment", "commitment", "import_log")
AREA = 2  # the priority area of the Prioriterat område page the benchmark opens
TREND_CATEGORY = "otrygg-plats"  # the EST category of the Trender page's chart
METRIC_COLUMNS = 4


def read_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """Every table the peer pages use, whole, as pandas frames."""
    return {name: con.table(name).df() for name in PEER_TABLES}


def tables_megabytes(tables: Tables) -> float:
    """The frames' memory in MB (memory_usage(deep=True), strings included)."""
    return sum(int(frame.memory_usage(deep=True).sum()) for frame in tables.values()) / 1e6


# --- the pages' data, computed in pandas ---------------------------------------------------------------------


def district_code(t: Tables, name: str) -> str | None:
    """The code of the district named NAME, or None."""
    found = t["district"].loc[t["district"]["name"] == name, "code"]
    return None if found.empty else str(found.iloc[0])


def headline(t: Tables, district: str) -> pd.DataFrame:
    """Per indicator the district's latest value and the value a year earlier (events counted per week)."""
    indicators = t["indicator"]
    obs = t["observation"]
    mine = obs[(obs["district"] == district) & obs["place"].isna() & obs["indicator"].isin(indicators["code"])]
    mine = mine.rename(columns={"period_start": "period"})[["indicator", "period", "value"]]
    latest = mine.sort_values("period").groupby("indicator").tail(1)
    earlier = mine.assign(period=mine["period"] + pd.DateOffset(years=1))
    stored = latest.merge(earlier, on=["indicator", "period"], how="left", suffixes=("", "_year_before"))
    ev = t["event"]
    est = ev[(ev["district"] == district) & (ev["source"] == "est")]
    weekly = (est.assign(period=est["occurred_at"].dt.to_period("W").dt.start_time)
              .groupby(["category", "period"]).size().rename("value").reset_index())
    counted = (weekly.merge(indicators[["code", "event_category"]], left_on="category", right_on="event_category")
               .rename(columns={"code": "indicator"})[["indicator", "period", "value"]])
    last = counted.sort_values("period").groupby("indicator").tail(1)
    year_before = counted.assign(period=counted["period"] + pd.Timedelta(weeks=52))
    events = last.merge(year_before, on=["indicator", "period"], how="left", suffixes=("", "_year_before"))
    both = pd.concat([stored, events], ignore_index=True)
    return both.merge(indicators[["code", "name", "unit"]], left_on="indicator", right_on="code").drop(columns="code")


def area_indicators(t: Tables, number: int = AREA) -> pd.DataFrame:
    """The indicators of the priority area with this number (through its goals), in catalogue order."""
    area = t["priority_area"].loc[t["priority_area"]["number"] == number, "code"]
    goals = t["goal"].loc[t["goal"]["priority_area"].isin(area), "code"]
    codes = t["goal_indicator"].loc[t["goal_indicator"]["goal"].isin(goals), "indicator"]
    return t["indicator"][t["indicator"]["code"].isin(codes)]


def area_series(t: Tables, district: str, number: int = AREA) -> pd.DataFrame:
    """The district's series (indicator, period, value) of each indicator of the priority area."""
    indicators = area_indicators(t, number)
    obs = t["observation"]
    stored = obs[(obs["district"] == district) & obs["place"].isna() & obs["indicator"].isin(indicators["code"])]
    stored = (stored.groupby(["indicator", "period_start"])["value"].sum().reset_index()
              .rename(columns={"period_start": "period"}))
    ev = t["event"]
    est = ev[(ev["district"] == district) & (ev["source"] == "est")
             & ev["category"].isin(indicators["event_category"].dropna())]
    monthly = (est.groupby(["category", est["occurred_at"].dt.to_period("M").dt.start_time]).size()
               .rename("value").reset_index().rename(columns={"occurred_at": "period"}))
    counted = (monthly.merge(indicators[["code", "event_category"]], left_on="category", right_on="event_category")
               .rename(columns={"code": "indicator"})[["indicator", "period", "value"]])
    return pd.concat([stored, counted], ignore_index=True)


def places(t: Tables, district: str) -> pd.DataFrame:
    """Events per place of the district in the last twelve months and the twelve before, with names."""
    ev = t["event"]
    mine = ev[(ev["district"] == district) & ev["place"].notna()]
    end = mine["occurred_at"].max()
    current = mine[mine["occurred_at"] > end - pd.DateOffset(years=1)].groupby("place").size()
    previous = mine[(mine["occurred_at"] <= end - pd.DateOffset(years=1))
                    & (mine["occurred_at"] > end - pd.DateOffset(years=2))].groupby("place").size()
    names = t["place"].set_index("code")["name"]
    frame = pd.DataFrame({"current": current, "previous": previous}).join(names)
    return frame.sort_values("current", ascending=False)


def trend(t: Tables, district: str) -> pd.DataFrame:
    """The monthly events (month, value) of the trend category in the district."""
    ev = t["event"]
    mine = ev[(ev["district"] == district) & (ev["category"] == TREND_CATEGORY) & (ev["source"] == "est")]
    counts = mine.groupby(mine["occurred_at"].dt.to_period("M").dt.start_time).size()
    return counts.rename("value").rename_axis("month").reset_index()


def action_plan(t: Tables, district: str) -> pd.DataFrame:
    """The district's activities joined with their goals."""
    mine = t["activity"][t["activity"]["district"] == district]
    return mine.merge(t["activity_goal"], left_on="id", right_on="activity", how="left")


def steering(t: Tables, district: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The district's comments (newest first) and commitments."""
    comments = t["comment"][t["comment"]["district"] == district].sort_values("created_at", ascending=False)
    commitments = t["commitment"][t["commitment"]["district"] == district]
    return comments, commitments


def import_log(t: Tables) -> pd.DataFrame:
    """The import log, newest first."""
    return t["import_log"].sort_values("loaded_at", ascending=False)


# --- drawing ---------------------------------------------------------------------------------------------------


def show_metrics(t: Tables, district: str) -> None:
    """One st.metric per indicator: the latest value and the change since a year earlier."""
    columns = st.columns(METRIC_COLUMNS)
    for number, row in enumerate(headline(t, district).itertuples(index=False)):
        delta = None if pd.isna(row.value_year_before) else round(row.value - row.value_year_before, 1)
        columns[number % METRIC_COLUMNS].metric(row.name, f"{row.value:,.1f}", delta,
                                                help=f"{row.unit}, {row.period:%Y-%m-%d}")


def show_area(t: Tables, district: str) -> None:
    """One line chart per indicator of priority area 2 that has values in the district."""
    series = area_series(t, district)
    for indicator in area_indicators(t).itertuples(index=False):
        mine = series[series["indicator"] == indicator.code].sort_values("period")
        if mine.empty:
            st.info(f"{indicator.name}: inga värden för området.")
            continue
        fig = px.line(mine, x="period", y="value", title=indicator.name, markers=True)
        st.plotly_chart(fig, width="stretch", key=f"area-{indicator.code}")


def show_places(t: Tables, district: str) -> None:
    """A bar chart of events per place and the table of both years."""
    frame = places(t, district)
    fig = px.bar(frame, x="name", y="current", title="Händelser per plats, senaste tolv månaderna")
    st.plotly_chart(fig, width="stretch", key="places")
    st.dataframe(frame, width="stretch")


def show_trend(t: Tables, district: str) -> None:
    """One line chart of the trend category's monthly events."""
    fig = px.line(trend(t, district), x="month", y="value", title=f"EST: {TREND_CATEGORY} per månad")
    st.plotly_chart(fig, width="stretch", key="trend")


def show_action_plan(t: Tables, district: str) -> None:
    """The activities table."""
    st.dataframe(action_plan(t, district), width="stretch", hide_index=True)


def show_steering(t: Tables, district: str) -> None:
    """The comments and commitments tables."""
    comments, commitments = steering(t, district)
    st.subheader("Kommentarer")
    st.dataframe(comments, width="stretch", hide_index=True)
    st.subheader("Åtaganden")
    st.dataframe(commitments, width="stretch", hide_index=True)


def show_meeting(t: Tables, district: str) -> None:
    """Översikt's metrics plus priority area 2's charts."""
    show_metrics(t, district)
    show_area(t, district)


def show_data(t: Tables, district: str) -> None:
    """The import log table."""
    st.dataframe(import_log(t), width="stretch", hide_index=True)


PAGES: dict[str, Callable[[Tables, str], None]] = {
    "Översikt": show_metrics,
    "Prioriterat område": show_area,
    "Platser": show_places,
    "Trender": show_trend,
    "Handlingsplan": show_action_plan,
    "Styrgruppen": show_steering,
    "Mötesläge": show_meeting,
    "Data": show_data,
}


# --- the app -------------------------------------------------------------------------------------------------


def _close(con: duckdb.DuckDBPyConnection) -> None:
    """Close the connection when Streamlit drops it from the cache."""
    con.close()


@st.cache_resource(show_spinner=False, on_release=_close)
def connection(path: str) -> duckdb.DuckDBPyConnection:
    """One connection to the database file, shared by every session."""
    return db.connect(path)


@st.cache_data(show_spinner=False)
def load_tables(path: str) -> Tables:
    """Every table the pages use, loaded whole (the common pattern's one cache)."""
    return read_tables(connection(path))


def main() -> None:
    """Draw the page ?sida= for the district ?omrade=."""
    st.set_page_config(page_title="Naiv jämförelse", layout="wide")
    path = config.db_path()
    if not path.exists():
        st.error(f"Databasfilen {path} finns inte. Peka ut en befintlig fil med FOLLOWUP_DB.")
        st.stop()
    tables = load_tables(str(path))
    page = st.query_params.get("sida", "Översikt")
    name = st.query_params.get("omrade", "")
    if page not in PAGES:
        st.error(f"Okänd sida '{page}'. Välj en av: {', '.join(PAGES)}.")
        st.stop()
    code = district_code(tables, name)
    if code is None:
        st.error(f"Okänt stadsdelsområde '{name}'. Ange ett namn ur tabellen district, till exempel Bromma.")
        st.stop()
    st.title(f"{page} – {name}")
    PAGES[page](tables, code)


if __name__ == "__main__":  # Streamlit runs the script as __main__; bench_pages imports the functions above
    main()
