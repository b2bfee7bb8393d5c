"""Write PNG previews of every chart builder at 1920×1080 to test-output/charts/, from the demo data.

For review by eye ("readable from three metres?"), not a test. Builds the demo database in a temporary
folder, draws each builder once with realistic data and exports with kaleido through one browser
(Debian's /usr/bin/chromium; never downloads one). Run: .venv/bin/python scripts/chart_previews.py
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from followup import charts, demo  # noqa: E402
from followup.model import Grain, Unit  # noqa: E402
from followup.periods import Period, period_of  # noqa: E402
from followup.status import Comparison, Point, Target, Trend, assess  # noqa: E402

OUT = ROOT / "test-output" / "charts"
SIZE = {"width": 1920, "height": 1080}
DEMO = charts.Source("Polisen", demo=True)


def _series(obs: pd.DataFrame, indicator: str, district: str, place: str | None = None) -> pd.DataFrame:
    """One indicator's series for a district (or a place in it), in time order."""
    rows = obs[(obs["indicator"] == indicator) & (obs["district"] == district)]
    rows = rows[rows["place"].isna()] if place is None else rows[rows["place"] == place]
    frame = rows[["period_start", "value", "denominator", "series_break"]].rename(columns={"denominator": "n"})
    return frame.sort_values("period_start").reset_index(drop=True)


def _by_tertial(frame: pd.DataFrame) -> pd.DataFrame:
    """Monthly counts summed per tertial (whole tertials only)."""
    tertials = [period_of(pd.Timestamp(d).date(), Grain.TERTIAL).start for d in frame["period_start"]]
    grouped = frame.assign(period_start=tertials).groupby("period_start", as_index=False)
    summed = grouped.agg(value=("value", "sum"), months=("value", "size"), series_break=("series_break", "any"))
    return summed[summed["months"] == 4].drop(columns="months")


def figures(con: duckdb.DuckDBPyConnection) -> dict[str, go.Figure]:
    """The preview figures by file stem."""
    obs = con.table("observation").df()
    places = con.table("place").df()
    activities = con.table("activity").df()
    hv = "hasselby-vallingby"
    result: dict[str, go.Figure] = {}

    torg = _by_tertial(_series(obs, "anmalda-brott-plats", hv, "hasselby-torg"))
    target = Target(date(2023, 5, 1), 213.0, date(2026, 5, 1), 149.0, 21.3, Grain.TERTIAL)
    result["time_series_target"] = charts.time_series(
        charts.with_last_year(torg, Grain.TERTIAL),
        title="Anmälda brott på Hässelby torg per tertial",
        unit=Unit.COUNT, grain=Grain.TERTIAL, source=DEMO, name="Hässelby torg", target=target,
        activities=activities[activities["place"] == "hasselby-torg"],
    )
    malt = _series(obs, "anmalda-brott-plats", hv, "maltesholmstorget")
    malt = malt[malt["period_start"] >= pd.Timestamp("2022-01-01")]
    result["time_series_break_limits"] = charts.time_series(
        malt, title="Anmälda brott på Maltesholmstorget per månad", unit=Unit.COUNT, grain=Grain.MONTH,
        source=DEMO, name="Maltesholmstorget",
        limits=charts.control_limits_for(malt, Unit.COUNT, Grain.MONTH),
        activities=activities[activities["district"] == hv],
    )
    survey = charts.with_confidence_band(_series(obs, "otrygg-utomhus-kvall", hv), Unit.SHARE)
    result["time_series_survey"] = charts.time_series(
        survey, title="Otrygga utomhus sent en kväll i eget område, Hässelby-Vällingby", unit=Unit.SHARE,
        grain=Grain.YEAR, source=charts.Source("Stockholms stads trygghetsundersökning", demo=True),
        target=Target(date(2020, 1, 1), 26.2, date(2026, 1, 1), 21.0, 2.6, Grain.YEAR),
    )
    young = _series(obs, "avhoppare", hv)
    result["time_series_sensitive"] = charts.time_series(
        young, title="Personer i avhopparverksamhet, Hässelby-Vällingby", unit=Unit.COUNT, grain=Grain.TERTIAL,
        source=charts.Source("Socialtjänsten", demo=True), sensitive=True,
    )
    pair = pd.concat(
        [_series(obs, "anmalda-brott-plats", hv, code).assign(place=name)
         for code, name in [("hasselby-torg", "Hässelby torg"), ("maltesholmstorget", "Maltesholmstorget")]]
    )
    pair = pair[pair["period_start"] >= pd.Timestamp("2023-01-01")]
    result["small_multiples"] = charts.small_multiples(
        pair, title="Anmälda brott per månad: Hässelby torg och Maltesholmstorget", unit=Unit.COUNT,
        grain=Grain.MONTH, source=DEMO,
    )
    result["ranking_bar"] = charts.ranking_bar(
        _ranking(obs, places, hv), title="Anmälda brott per plats, jan–sep 2025 mot jan–sep 2024",
        current_label="jan–sep 2025", previous_label="jan–sep 2024",
        source=charts.Source("Polisen", Period(date(2025, 9, 1), Grain.MONTH), demo=True),
    )
    totals = _ranking(obs, places, "hagersten-alvsjo").rename(columns={"current": "value"})
    located = places[places["district"] == "hagersten-alvsjo"].merge(
        totals[["code", "value"]], on="code", how="left"
    )
    result["place_map"] = charts.place_map(
        charts.load_districts(date(2025, 1, 1)), located, title="Platser i Hägersten-Älvsjö",
        source=charts.Source("Polisen; gränser: Stockholms stad", Period(date(2025, 9, 1), Grain.MONTH), demo=True),
        highlight_district="hagersten-alvsjo", highlight_place="liljeholmen",
        value_label="anmälda brott jan–sep 2025",
    )
    result["sparkline"] = charts.sparkline(list(torg["value"].tail(12)), unit=Unit.COUNT, colour="#0072B2")
    return result


def _ranking(obs: pd.DataFrame, places: pd.DataFrame, district: str) -> pd.DataFrame:
    """Crimes per place jan–sep 2025 against jan–sep 2024, with the status from the status engine."""
    rows = []
    for place in places[places["district"] == district].itertuples():
        frame = _series(obs, "anmalda-brott-plats", district, place.code)
        frame = frame[frame["period_start"] <= pd.Timestamp("2025-09-01")]
        points = [Point(pd.Timestamp(d).date(), Grain.MONTH, v) for d, v in zip(frame["period_start"], frame["value"])]
        verdict = assess(points, name=place.name, unit=Unit.COUNT, direction="lower_is_better",
                         comparison=Comparison.YEAR_TO_DATE)
        rows.append({"place": place.name, "code": place.code, "current": verdict.current,
                     "previous": verdict.previous, "trend": verdict.trend or Trend.NO_DATA})
    return pd.DataFrame(rows)


def main() -> int:
    """Build the demo database, draw every builder and write the previews."""
    import kaleido

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.duckdb"
        demo.build(path)
        with closing(duckdb.connect(str(path), read_only=True)) as con:
            built = figures(con)
    kaleido.start_sync_server(silence_warnings=True)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            for stem, fig in built.items():
                size = {"width": 480, "height": 120} if stem == "sparkline" else SIZE
                for suffix in ("png", "svg"):
                    target = OUT / f"{stem}.{suffix}"
                    pio.write_image(fig, target, **size)
                print(OUT / f"{stem}.png", "–", charts.alt_text(fig))
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
