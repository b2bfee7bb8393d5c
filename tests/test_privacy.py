"""Privacy: no sensitive count 1–4, and no value that gives one away, in any page or export of the demo data.

The demo holds sensitive counts (individuals) of 1–4 for many districts and periods. This module builds
every export the product makes from it (the meeting deck and the year-end deck and workbook, the chart
images, the numbers as CSV and Excel, the command line's `export`), runs the pages that show sensitive
indicators in AppTest, and scans what comes out:

- numbers: no chart point, table cell or workbook cell of a sensitive indicator lies strictly between 0 and
  5, and a period whose true value (or one of whose parts) is 1–4 is blank or says '1–4'; last year's line
  likewise for the year before;
- texts: no sentence naming a sensitive indicator (and no text of a sensitive chart) holds a number
  strictly between 0 and 5 besides the words '1–4', and a sentence with a hidden value states no change
  (no '+…', '−…', '%' or 'procentenheter');
- derived values: no control limits on a sensitive chart with a hidden value, no target path that starts
  on a hidden baseline, no sum over a hidden part (a yearly chart of tertials).

The demo is extended in a copy with two yearly targets on a sensitive tertial indicator: in Bromma with a
shown baseline (the chart turns to years: sums over hidden tertials), in Skarpnäck with a hidden baseline 3.
Remove the rule (make followup.fmt.must_hide return False) and every test here fails; drop the flag on a
sum over a hidden part, or the check of a target's baseline, and the export and pack tests fail.

Secondary suppression: the city's value minus the shown districts' values would give a district's hidden
value away where it is the only one hidden in its period (7 times in the demo), or where the hidden ones'
sum is 1–4 or says each is 4; the value queries withhold the city's value there (column withheld), and the
single path shows it like a value made from a hidden part.
The SVG/PNG test renders with Chromium, like tests/test_export_images.py (the image_browser fixture: browser lane).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation

from followup import chartplan, config, fmt, pack, queries, series, status
from followup.charts import series as series_charts
from followup.export import deck, images, tables, workbook
from followup.model import Aggregation, Grain
from followup.periods import Period, parse_period
from table_state import copy_database
from tests import app_support

PERIOD = parse_period("2025-T2")
YEAR = 2024
DISTRICTS = ("bromma", "skarpnack", "farsta")
"""Districts whose packs hold sensitive charts with hidden values (checked by test_the_demo_has_hidden_values)."""
YEARLY_TARGET = "avhoppare"
"""A sensitive tertial indicator given yearly targets in the copy: shown baseline in Bromma, hidden in Skarpnäck."""
HIDDEN_BASELINE = 3.0

SMALL_NUMBER = re.compile(r"(?<![\w\-–/.,:+−])(\d+(?:,\d+)?)(?![\w\-–/]|[.,]\d|\s?%)")
"""A number standing alone in Swedish text ('3', '4,5'), not part of a word, code, label or range, and not a
signed change or a percentage (those are checked beside hidden values by CHANGE)."""
CHANGE = re.compile(r"[+−]\s?\d|\d\s?%|procentenheter|ökade med|minskade med")
"""What states a change: a signed number, a percentage, percentage points, 'ökade/minskade med'."""
SEGMENT = re.compile(r"(?<=[.!?])\s+|\n|<br>|;")
NOT_DATA = re.compile(r"\d+ insatser? ur handlingsplanen|toleransen [\d,]+")
"""Numbers that are not data about individuals: how many activities a chart marks, a target's tolerance."""


# --- the truth: which stored sensitive values are hidden -----------------------------------------------------


@dataclass
class Truth:
    """The sensitive indicators and every stored value of theirs, to tell what must be blank."""

    names: dict[str, str]  # sensitive indicator code -> name
    districts: dict[str, str]  # district name -> code
    stored: dict[tuple[str, str], list[tuple[Period, float]]] = field(default_factory=dict)

    def small(self) -> int:
        """How many stored sensitive values are 1–4."""
        return sum(1 for values in self.stored.values() for _, v in values if fmt.must_hide(v, True))

    def blank(self, code: str, district: str, period: Period) -> bool:
        """Whether a sensitive value for the period must not be shown: a stored part of it is 1–4."""
        return any(period.start <= p.start and p.last_day <= period.last_day and 0 < v < 5
                   for p, v in self.stored.get((code, district), []))

    def code_in(self, text: str) -> str | None:
        """The sensitive indicator a title names, if any."""
        return next((code for code, name in self.names.items() if name in text), None)


def read_truth(path: Path) -> Truth:
    """The truth of a database file."""
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        names = dict(con.execute("select code, name from indicator where sensitive").fetchall())
        districts = dict(con.execute("select name, code from district").fetchall())
        rows = con.execute(
            "select o.indicator, o.district, o.period_start, o.grain, o.value from observation o "
            "join indicator i on i.code = o.indicator where i.sensitive and o.place is null").fetchall()
    truth = Truth(names, districts)
    for code, district, start, grain, value in rows:
        truth.stored.setdefault((code, district), []).append((Period(start, Grain(grain)), float(value)))
    return truth


LABELS: dict[str, Period] = {
    Period(date(year, month, 1), grain).label: Period(date(year, month, 1), grain)
    for year in range(2015, 2028)
    for grain, months in ((Grain.YEAR, (1,)), (Grain.TERTIAL, (1, 5, 9)), (Grain.QUARTER, (1, 4, 7, 10)),
                          (Grain.MONTH, range(1, 13)))
    for month in months
}
"""Period labels as charts and tables write them ('T2 2025', '2024', 'mars 2025') -> the period."""


# --- scanning ------------------------------------------------------------------------------------------------


def _without_allowed(text: str, truth: Truth) -> str:
    """A text with what may hold small digits removed: the hidden words, notes, indicator names."""
    for allowed in (fmt.SUPPRESSION_NOTE, fmt.HIDDEN_DERIVED, series_charts.HIDDEN_NAME, fmt.SUPPRESSED,
                    *truth.names.values()):
        text = text.replace(allowed, " ")
    return NOT_DATA.sub(" ", text.replace("\u00a0", " "))


def text_leaks(text: str, truth: Truth, *, context: str, every: bool = False) -> list[str]:
    """Leaks in a text: sentences about a sensitive indicator (all of it when `every`, e.g. a sensitive
    chart's strings) holding a number 0 < x < 5, or stating a change beside a hidden value."""
    found = []
    for segment in SEGMENT.split(text):
        if not every and truth.code_in(segment) is None:
            continue
        rest = _without_allowed(segment, truth)
        small = [m for m in SMALL_NUMBER.findall(rest) if 0 < float(m.replace(",", ".")) < fmt.SUPPRESS_BELOW]
        if small:
            found.append(f"{context}: {small} in {segment!r}")
        if (fmt.SUPPRESSED in segment or fmt.HIDDEN_DERIVED in segment) and CHANGE.search(rest):
            found.append(f"{context}: a change beside a hidden value in {segment!r}")
    return found


def number_leaks(values: Iterable[Any], *, context: str) -> list[str]:
    """Numbers strictly between 0 and 5 among the values of a sensitive chart or table."""
    found = []
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float) and not pd.isna(value) and 0 < float(value) < fmt.SUPPRESS_BELOW:
            found.append(f"{context}: {value}")
    return found


def column_leaks(truth: Truth, code: str, district: str, labels: list[str], values: list[Any], *,
                 last_year: bool, context: str) -> list[str]:
    """A value shown (a number) for a period whose true value, or a part of it, is hidden."""
    found = []
    for label, value in zip(labels, values, strict=True):
        period = LABELS[str(label)]
        if last_year:
            period = period.shift_years(-1)
        if isinstance(value, int | float) and not pd.isna(value) and truth.blank(code, district, period):
            found.append(f"{context}: {value} shown for {period.label}, which is made from a hidden value")
    return found


def figure_leaks(fig: dict[str, Any], truth: Truth, *, district: str | None, context: str,
                 scopes: dict[str, str] | None = None) -> list[str]:
    """Leaks in a Plotly figure (as JSON) of a sensitive indicator: its points, texts and derived traces."""
    title = str((fig.get("layout", {}).get("title") or {}).get("text", ""))
    alt = str((fig.get("layout", {}).get("meta") or {}).get("alt", ""))
    code = truth.code_in(title) or truth.code_in(alt)
    if code is None:
        return []
    subtitle = str(((fig.get("layout", {}).get("title") or {}).get("subtitle") or {}).get("text", ""))
    rates = "1 000 invånare" in subtitle.replace("\u00a0", " ")  # rates may be small: their counts are not shown
    rolled = re.search(r"glidande medelvärde (\d+) perioder", subtitle)
    found = [] if rates else text_leaks(" \n".join([title, alt]), truth, context=f"{context} titel/alt", every=True)
    traces = fig.get("data", [])
    grain = figure_grain(fig)
    any_hidden = any(t.get("name") == series_charts.HIDDEN_NAME for t in traces)
    for trace in traces:
        name = str(trace.get("name", ""))
        if name == series_charts.HIDDEN_NAME or trace.get("yaxis") == "y2":
            continue  # the hollow markers at the neutral height; the activities on their own axis
        if any_hidden and name in (series_charts.LIMITS_NAME, series_charts.CENTRE_NAME):
            found.append(f"{context}: control limits beside a hidden value")
        ys = list(trace.get("y") or [])
        found += number_leaks([] if rates else ys, context=f"{context} {name}")
        for key in ("text", "hovertext") if not rates else ():
            texts = trace.get(key)
            texts = [texts] if isinstance(texts, str) else texts or []
            found += text_leaks("\n".join(str(t) for t in texts), truth, context=f"{context} {name} {key}",
                                every=True)
        owner = (scopes or {}).get(name.split(",")[0], district)
        xs = list(trace.get("x") or [])
        if (owner is None or grain is None or name == series_charts.TARGET_NAME or len(xs) != len(ys)
                or trace.get("type", "scatter") != "scatter"):
            continue
        before = name == series_charts.LAST_YEAR_NAME or name.endswith("förra året")
        size = int(rolled.group(1)) if rolled and not name.endswith("per period") else 1  # a rolling average's window
        for x, y in zip(xs, ys, strict=True):
            if y is None or x is None:
                continue
            period = Period(date.fromisoformat(str(x)[:10]), grain)
            shifted = period.shift_years(-1) if before else period
            if any(truth.blank(code, owner, shifted.shift(-back)) for back in range(size)):
                found.append(f"{context} {name}: {y} at {period.label}, made from a hidden value")
    return found


GRAIN_WORDS = {"vecka": Grain.WEEK, "månad": Grain.MONTH, "kvartal": Grain.QUARTER, "tertial": Grain.TERTIAL,
               "år": Grain.YEAR}


def figure_grain(fig: dict[str, Any]) -> Grain | None:
    """The grain a time-series figure shows, from its title ('… per tertial') or subtitle ('Per år · …')."""
    title = (fig.get("layout", {}).get("title") or {})
    text = f"{title.get('text', '')} {(title.get('subtitle') or {}).get('text', '')}".lower()
    found = re.search(r"per (vecka|månad|kvartal|tertial|år)\b", text)
    return GRAIN_WORDS[found.group(1)] if found else None


# --- readers of the exports -------------------------------------------------------------------------------


def pptx_leaks(data: bytes, truth: Truth, district: str, *, context: str) -> list[str]:
    """Leaks in a deck: slide and notes texts, alt texts, chart values and their embedded workbooks."""
    found: list[str] = []
    prs = Presentation(io.BytesIO(data))
    for number, slide in enumerate(prs.slides, start=1):
        where = f"{context} bild {number}"
        texts = []
        for shape in slide.shapes:
            texts += [e.get("descr", "") for e in shape._element.iter() if e.tag.endswith("}cNvPr")]
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                found += _chart_leaks(shape.chart, truth, district, where)
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
        found += text_leaks("\n".join(texts), truth, context=where)
    return found


def _chart_leaks(chart: Any, truth: Truth, district: str, where: str) -> list[str]:
    """Leaks in one native chart of a deck."""
    title = chart.chart_title.text_frame.text if chart.has_title else ""
    code = truth.code_in(title)
    if code is None:
        return []
    found = text_leaks(title, truth, context=f"{where} diagramrubrik", every=True)
    labels = [str(label) for label in chart.plots[0].categories]
    for line in chart.plots[0].series:
        values = list(line.values)
        found += number_leaks(values, context=f"{where} {title} {line.name}")
        if line.name == deck.TARGET_NAME and district == "skarpnack" and code == YEARLY_TARGET:
            found.append(f"{where}: a target path on a hidden baseline")
        if line.name != deck.TARGET_NAME:
            found += column_leaks(truth, code, district, labels, values, last_year=line.name == deck.LAST_YEAR_NAME,
                                  context=f"{where} {title} {line.name}")
    book = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            found += number_leaks(row, context=f"{where} {title} inbäddad arbetsbok")
    return found


def workbook_leaks(data: bytes, truth: Truth, *, context: str) -> list[str]:
    """Leaks in a workbook: texts about sensitive indicators; numbers under a sensitive chart's title."""
    found: list[str] = []
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        sensitive_block = False
        for row in sheet.iter_rows(values_only=True):
            texts = [str(v) for v in row if isinstance(v, str)]
            found += text_leaks("\n".join(texts), truth, context=f"{context} {sheet.title}")
            first = str(row[0]) if row and row[0] is not None else ""
            if truth.code_in(first) and ("per " in first):
                sensitive_block = True
            elif first.startswith("Källa:") or (first and truth.code_in(first) is None and "per " in first):
                sensitive_block = False
            if sensitive_block:
                found += number_leaks(row[1:], context=f"{context} {sheet.title} {first}")
    return found


def table_leaks(frame: pd.DataFrame, truth: Truth, code: str, district: str, *, context: str) -> list[str]:
    """Leaks in the numbers behind a chart (tables.chart_table's shape, read back from CSV or Excel)."""
    found: list[str] = []
    labels = [str(v) for v in frame[tables.PERIOD]]
    for column in frame.columns[1:]:
        values = [None if pd.isna(v) else v for v in frame[column]]
        values = [float(v.replace(",", ".")) if isinstance(v, str) and re.fullmatch(r"\d+(,\d+)?", v) else v
                  for v in values]
        found += number_leaks(values, context=f"{context} {column}")
        if column != tables.TARGET:
            found += column_leaks(truth, code, district, labels, values, last_year=column == tables.LAST_YEAR,
                                  context=f"{context} {column}")
    return found


def chart_code(key: str) -> str:
    """The indicator code of a ChartData key ('pa5-2--avhoppare')."""
    return key.rsplit("--", 1)[-1]


# --- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def privacy_db(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo with yearly targets on a sensitive tertial indicator (shown and hidden baseline)."""
    path = tmp_path_factory.mktemp("privacy") / "privacy.duckdb"
    copy_database(demo_db_path, path)
    with closing(duckdb.connect(str(path))) as con:
        for district, baseline in (("bromma", 9.0), ("skarpnack", HIDDEN_BASELINE)):
            con.execute(
                "insert into target (indicator, district, place, baseline_start, baseline_grain, baseline_value, "
                "target_start, target_grain, target_value, tolerance, note) values ($indicator, $district, null, "
                "$baseline_start, 'year', $baseline, $target_start, 'year', 15, null, 'Testmål')",
                {"indicator": YEARLY_TARGET, "district": district, "baseline_start": date(2022, 1, 1),
                 "baseline": baseline, "target_start": date(2026, 1, 1)})
        con.execute("checkpoint")
    return path


@pytest.fixture(scope="module")
def truth(privacy_db: Path) -> Truth:
    """The privacy database's sensitive values."""
    return read_truth(privacy_db)


@pytest.fixture(scope="module")
def packs(privacy_db: Path) -> dict[str, pack.Pack]:
    """The meeting packs of DISTRICTS for PERIOD and their year-end packs for YEAR."""
    with closing(duckdb.connect(str(privacy_db), read_only=True)) as con:
        built = {district: pack.build_pack(con, district, PERIOD) for district in DISTRICTS}
        built |= {f"{district}-{YEAR}": pack.build_year_end(con, district, YEAR) for district in DISTRICTS}
    return built


def sensitive_charts(built: pack.Pack) -> list[pack.ChartData]:
    """A pack's charts of sensitive indicators."""
    return [chart for chart in images.pack_charts(built) if chart.sensitive]


def assert_no_leaks(found: list[str]) -> None:
    """Fail with every leak listed."""
    assert not found, "\n".join(found[:40]) + (f"\n… och {len(found) - 40} till" if len(found) > 40 else "")


# --- the data can fail the tests ---------------------------------------------------------------------------


def test_the_demo_has_hidden_values_in_every_export(truth: Truth, packs: dict[str, pack.Pack]) -> None:
    assert truth.small() > 100  # the demo's sensitive counts: many are 1–4
    for key, built in packs.items():
        charts = sensitive_charts(built)
        assert charts, f"{key}: no sensitive chart"
        assert any(truth.blank(chart.indicator, built.district, Period(start, chart.grain))
                   for chart in charts for start in chart.frame["period_start"]), f"{key}: nothing hidden"
    yearly = next(c for c in sensitive_charts(packs["bromma"]) if c.indicator == YEARLY_TARGET)
    assert yearly.grain is Grain.YEAR and (yearly.frame["hidden"] == fmt.HIDDEN_DERIVED).any()


# --- the single path: packs, plans and statuses -----------------------------------------------------------------


def test_packs_hold_no_hidden_value_anywhere(truth: Truth, packs: dict[str, pack.Pack]) -> None:
    found: list[str] = []
    for key, built in packs.items():
        for slide in built.slides:
            texts = [slide.title, slide.subtitle, slide.status_text, slide.comment, slide.footer, slide.note]
            texts += [f"{line.label}: {line.text}" for line in slide.lines]
            found += text_leaks("\n".join(texts), truth, context=f"{key} {slide.title}")
            for chart in slide.charts:
                if not chart.sensitive:
                    continue
                where = f"{key} {chart.key}"
                found += text_leaks(chart.assessment_text, truth, context=where)
                for frame in (chart.frame, chart.shown, chart.plan.frame):  # type: ignore[union-attr]
                    for column in ("value", "last_year", "target", "n", "low", "high"):
                        if column in frame.columns:
                            found += number_leaks(frame[column].tolist(), context=f"{where} {column}")
                labels = chart.frame["period"].tolist()
                found += column_leaks(truth, chart.indicator, built.district, labels, chart.frame["value"].tolist(),
                                      last_year=False, context=where)
                found += column_leaks(truth, chart.indicator, built.district, labels,
                                      chart.frame["last_year"].tolist(), last_year=True, context=f"{where} förra året")
    assert_no_leaks(found)


def test_a_target_path_on_a_hidden_baseline_is_never_shown(packs: dict[str, pack.Pack]) -> None:
    chart = next(c for c in sensitive_charts(packs["skarpnack"]) if c.indicator == YEARLY_TARGET)
    assert chart.plan is not None and chart.plan.target is None and chart.plan.note == chartplan.TARGET_HIDDEN
    assert chart.frame["target"].isna().all()
    shown = next(c for c in sensitive_charts(packs["bromma"]) if c.indicator == YEARLY_TARGET)
    assert shown.plan is not None and shown.plan.target is not None  # a shown baseline keeps its path


def test_statuses_of_sensitive_indicators_show_no_hidden_value(privacy_db: Path, truth: Truth) -> None:
    found: list[str] = []
    with closing(duckdb.connect(str(privacy_db), read_only=True)) as con:
        for district in (*DISTRICTS, "skarholmen", "spanga-tensta", "kungsholmen", "ostermalm"):
            params = {"district": district, "place": ""}
            indicators = queries.run(con, "scope_indicators", **params)
            values = queries.run(con, "scope_values", **params, **{"from": date(2015, 1, 1)})
            targets = queries.run(con, "scope_targets", **params)
            assessments = series.assess_scope(indicators, values, targets, scope_name=district)
            for code in truth.names:
                a = assessments.get(code)
                if a is None:
                    continue
                where = f"{district} {code}"
                found += text_leaks(f"{a.explanation}\n{a.target_explanation or ''}", truth, context=where)
                if a.suppressed:
                    hidden = [a.change_absolute, a.change_relative, a.z, a.p_value]
                    if any(v is not None for v in hidden) or a.change_text:
                        found.append(f"{where}: a change or test beside a hidden value")
                for value in (a.current, a.previous):
                    found += number_leaks([value], context=where)
    target = assessments_of(privacy_db, "skarpnack")[YEARLY_TARGET]
    assert target.expected is None and "mot målbanan, som inte visas" in (target.target_explanation or "")
    assert_no_leaks(found)


def assessments_of(path: Path, district: str) -> dict[str, status.Assessment]:
    """A district's assessments in a database file."""
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        params = {"district": district, "place": ""}
        return series.assess_scope(queries.run(con, "scope_indicators", **params),
                                   queries.run(con, "scope_values", **params, **{"from": date(2015, 1, 1)}),
                                   queries.run(con, "scope_targets", **params), scope_name=district)


# --- exports ------------------------------------------------------------------------------------------------------


def test_decks_hold_no_hidden_value(truth: Truth, packs: dict[str, pack.Pack]) -> None:
    found: list[str] = []
    for key, built in packs.items():
        build = deck.build_year_end_deck if key.endswith(str(YEAR)) else deck.build_deck
        found += pptx_leaks(build(built), truth, built.district, context=key)
    assert_no_leaks(found)


def test_tables_csv_and_excel_hold_no_hidden_value(truth: Truth, packs: dict[str, pack.Pack]) -> None:
    found: list[str] = []
    for key, built in packs.items():
        frames = tables.pack_tables(built)
        for chart_key, frame in frames.items():
            code = chart_code(chart_key)
            if code not in truth.names:
                continue
            read = pd.read_csv(io.BytesIO(tables.to_csv(frame)), sep=";", encoding="utf-8-sig", dtype=str)
            found += table_leaks(read, truth, code, built.district, context=f"{key} {chart_key}.csv")
        book = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(frames)))
        for name, chart_key in zip(tables.sheet_names(frames), frames, strict=True):
            code = chart_code(chart_key)
            if code not in truth.names:
                continue
            rows = list(book[name].iter_rows(values_only=True))
            frame = pd.DataFrame(rows[1:], columns=rows[0])
            found += table_leaks(frame, truth, code, built.district, context=f"{key} {name}.xlsx")
        if key.endswith(str(YEAR)):
            found += workbook_leaks(workbook.year_end_workbook(built), truth, context=f"{key} årsarbetsbok")
    assert_no_leaks(found)


def test_chart_figures_hold_no_hidden_value(truth: Truth, packs: dict[str, pack.Pack]) -> None:
    found: list[str] = []
    for key, built in packs.items():
        for chart in sensitive_charts(built):
            fig = images.chart_figure(chart, demo=built.demo)
            found += figure_leaks(json.loads(fig.to_json()), truth, district=built.district,
                                  context=f"{key} {chart.key}")
    assert_no_leaks(found)


def test_svg_and_png_images_hold_no_hidden_value(truth: Truth, packs: dict[str, pack.Pack], image_browser: Path
                                                ) -> None:
    charts = [c for c in sensitive_charts(packs["bromma"]) if c.indicator in (YEARLY_TARGET, "unga-misstankta-vald")]
    assert len(charts) == 2
    figures = [(chart.key, images.chart_figure(chart, demo=True)) for chart in charts]
    found: list[str] = []
    for key, data in images.render_images(figures, images.ImageFormat.SVG).items():
        root = ET.fromstring(data)
        ticks = {id(e) for g in root.iter() if "tick" in g.get("class", "") for e in g.iter()}  # axis numbers
        texts = [element.text or "" for element in root.iter() if id(element) not in ticks and (
                 element.tag.endswith("}text") or element.tag.endswith("}tspan"))]
        assert any(truth.code_in(text) for text in texts), key  # the title is in the image
        found += text_leaks("\n".join(texts), truth, context=f"{key}.svg", every=True)
    pngs = images.render_images(figures[:1], images.ImageFormat.PNG)
    assert all(data.startswith(b"\x89PNG") for data in pngs.values())
    assert_no_leaks(found)


def test_the_command_line_exports_hold_no_hidden_value(privacy_db: Path, truth: Truth, tmp_path: Path) -> None:
    env = {**os.environ, config.DB_ENV: str(privacy_db), "PYTHONPATH": str(config.ROOT)}
    jobs = {
        "mote.pptx": ["--district", "bromma", "--period", PERIOD.code],
        "csv": ["--district", "bromma", "--period", PERIOD.code, "--format", "csv"],
        "ar.xlsx": ["--district", "skarpnack", "--year", str(YEAR)],
    }
    found: list[str] = []
    for out, args in jobs.items():
        target = tmp_path / out
        done = subprocess.run([sys.executable, "-m", "followup", "export", *args, "--out", str(target)], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        district = args[1]
        if out.endswith(".pptx"):
            found += pptx_leaks(target.read_bytes(), truth, district, context=out)
        elif out.endswith(".xlsx"):
            found += workbook_leaks(target.read_bytes(), truth, context=out)
        else:
            files = [f for f in target.iterdir() if chart_code(f.stem) in truth.names]
            assert files, "no sensitive chart among the CSV files"
            for file in files:
                read = pd.read_csv(file, sep=";", encoding="utf-8-sig", dtype=str)
                found += table_leaks(read, truth, chart_code(file.stem), district, context=f"{out} {file.name}")
    assert_no_leaks(found)


# --- the screen ----------------------------------------------------------------------------------------------------


@pytest.fixture
def on_privacy_db(privacy_db: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> Iterator[Path]:
    """The app reads the privacy database, with empty caches."""
    monkeypatch.setenv(config.DB_ENV, str(privacy_db))
    yield privacy_db


def screen_leaks(at: Any, truth: Truth, district: str, *, context: str) -> list[str]:
    """Leaks on a page run in AppTest: its texts, tables and Plotly figures."""
    texts = [str(e.value) for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                       "success", "error") for e in at.get(kind)]
    texts += [str(getattr(e, "help", "") or "") for e in at.get("markdown")]
    found = text_leaks(app_support.shown("\n".join(texts)), truth, context=context)
    for metric in at.get("metric"):
        found += text_leaks(f"{metric.label}: {metric.value} {metric.delta or ''}", truth, context=context)
    scopes = {name: code for name, code in truth.districts.items()}
    for chart in at.get("plotly_chart"):
        found += figure_leaks(json.loads(chart.proto.spec), truth, district=district, context=context, scopes=scopes)
    return found


def test_the_pages_show_no_hidden_value(on_privacy_db: Path, truth: Truth) -> None:
    pages = [
        ("views/oversikt.py", {"omrade": "Bromma"}),
        ("views/omrade.py", {"omrade": "Bromma", "prio": "5. Kriminella miljöer och livsstilar"}),
        ("views/omrade.py", {"omrade": "Skarpnäck", "prio": "1. Unga i riskzon för destruktivt beteende"}),
        ("views/mote.py", {"omrade": "Bromma", "period": PERIOD.code, "bild": "3"}),
        ("views/mote.py", {"omrade": "Bromma", "period": PERIOD.code, "bild": "7"}),
        ("views/mote.py", {"omrade": "Skarpnäck", "period": PERIOD.code, "bild": "7"}),
    ]
    found: list[str] = []
    sensitive_seen = 0
    for page, params in pages:
        at = app_support.open_page(page, **params)
        district = truth.districts[params["omrade"]]
        found += screen_leaks(at, truth, district, context=f"{page} {params}")
        sensitive_seen += sum(truth.code_in(json.dumps(json.loads(chart.proto.spec)["layout"], ensure_ascii=False))
                              is not None for chart in at.get("plotly_chart"))
    assert sensitive_seen >= 6
    assert_no_leaks(found)


def indicator_labels(path: Path) -> dict[str, str]:
    """Indicator code -> the label Trender's picker (and its ?indikator=) uses."""
    from webapp import trender

    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return trender.indicator_options(queries.run(con, "indicator_catalogue", district=""))


def test_trender_shows_no_hidden_value(on_privacy_db: Path, truth: Truth) -> None:
    labels = indicator_labels(on_privacy_db)
    found: list[str] = []
    for code, options in ((YEARLY_TARGET, {"glidande": "3 perioder", "fjol": "true", "fran": "januari 2019"}),
                          ("unga-misstankta-vald", {"niva": "År", "fran": "januari 2019"}),
                          ("sspf-unga", {"invanare": "true", "fran": "januari 2019"})):
        at = app_support.open_page("views/trender.py", indikator=labels[code], omraden=["Bromma", "Skarpnäck", "Farsta"],
                                   **options)
        assert at.selectbox(key="indikator").value == code
        context = f"trender {code} {options}"
        found += screen_leaks(at, truth, "bromma", context=context)
        frames = [e.value for e in at.dataframe]
        assert frames, context
        for frame in frames:
            for scope_label, rows in frame.groupby("Område/plats"):
                district = truth.districts[str(scope_label)]
                for column in [c for c in rows.columns if c not in ("Område/plats", "Period", "Anmärkning")]:
                    values = [float(v.replace(",", ".")) if re.fullmatch(r"\d+(,\d+)?", str(v)) else None
                              for v in rows[column]]
                    if "invanare" not in options:  # a rate may be small; its count is checked by being hidden
                        found += number_leaks(values, context=f"{context} {scope_label} {column}")
                    size = 3 if column == "Glidande medelvärde" else 1  # the window of a rolling average
                    if column in ("Värde", "Glidande medelvärde", "Per 1 000 invånare"):
                        for label, value in zip(rows["Period"], values, strict=True):
                            period = LABELS[str(label)]
                            if value is not None and any(truth.blank(code, district, period.shift(-back))
                                                         for back in range(size)):
                                found.append(f"{context} {scope_label} {column}: {value} at {label} is made "
                                             "from a hidden value")
    assert_no_leaks(found)


def test_overview_sparklines_hold_no_hidden_value(privacy_db: Path, truth: Truth) -> None:
    from webapp import oversikt

    found: list[str] = []
    drawn = 0
    for district in DISTRICTS:
        assessments = assessments_of(privacy_db, district)
        with closing(duckdb.connect(str(privacy_db), read_only=True)) as con:
            values = queries.run(con, "scope_values", district=district, place="", **{"from": date(2015, 1, 1)})
            rows = queries.run(con, "scope_indicators", district=district, place="").drop_duplicates("code")
        points = series.points_by_indicator(values)
        for row in rows.to_dict("records"):
            code = str(row["code"])
            if code not in truth.names or code not in points:
                continue
            spark, note = oversikt.spark_values(points[code], row["frequency"], row["aggregation"], sensitive=True)
            headline = oversikt.Headline(code, str(row["name"]), row["unit"], True, assessments[code], tuple(spark),
                                         note)
            fig = json.loads(oversikt.spark_figure(headline).to_json())
            drawn += 1
            for trace in fig["data"]:
                found += number_leaks(trace.get("y") or [], context=f"{district} {code} trendkurva")
            found += text_leaks(str(fig["layout"]["meta"]["alt"]), truth, context=f"{district} {code} alt", every=True)
    assert drawn >= 15
    assert_no_leaks(found)


def test_a_rolling_52_week_sparkline_leaves_out_every_total_over_a_hidden_week() -> None:
    from webapp import oversikt

    start = date(2023, 1, 2)  # a Monday: ISO week 1 of 2023
    weeks = [status.Point(date.fromordinal(start.toordinal() + 7 * i), Grain.WEEK, 2.0 if i == 60 else 8.0)
             for i in range(150)]
    shown, _ = oversikt.spark_values(weeks, "week", "sum", sensitive=True)
    plain, _ = oversikt.spark_values(weeks, "week", "sum")
    assert len(shown) == len(plain) and None not in plain
    # each total over week 60 would differ from the one before by (week 60 − the week a year earlier)
    totals_with_it = [i for i, _ in enumerate(plain) if plain[i] != 52 * 8.0]
    assert totals_with_it and all(shown[i] is None for i in totals_with_it)
    assert all(shown[i] == 52 * 8.0 for i in range(len(shown)) if i not in totals_with_it)


def test_the_city_total_minus_the_shown_districts_gives_no_hidden_value_away(privacy_db: Path, truth: Truth) -> None:
    """Where exactly one district's value of a period is hidden and the city's (their sum) were shown, the city's
    value minus the shown districts' would be the hidden value: the value queries withhold the city's value
    (secondary suppression, column withheld) and the chart plans hide it."""
    shown: dict[tuple[str, str], dict[date, float | None]] = {}
    with closing(duckdb.connect(str(privacy_db), read_only=True)) as con:
        scopes = [str(c) for (c,) in con.execute("select distinct district from observation").fetchall()]
        for district in scopes:
            params = {"district": district, "place": ""}
            rows = queries.run(con, "scope_indicators", **params).drop_duplicates("code")
            values = queries.run(con, "scope_values", **params, **{"from": date(2015, 1, 1)})
            for row in rows.to_dict("records"):
                if row["code"] not in truth.names:
                    continue
                plan = chartplan.chart_plan(row, values, values.iloc[0:0], values.iloc[0:0].assign(
                    target_value=pd.Series(dtype=float)))
                if plan is not None:
                    shown[(row["code"], district)] = {
                        start: (None if flag else float(value)) for start, value, flag in
                        zip(plan.frame["period_start"], plan.frame["value"], plan.frame["hidden"], strict=True)}
    recoverable = []
    for (code, district), city in shown.items():
        if district != "stockholm":
            continue
        for start, total in city.items():
            if total is None:
                continue
            parts = {d: s[start] for (c, d), s in shown.items() if c == code and d != "stockholm" and start in s}
            hidden = [d for d, v in parts.items() if v is None]
            if len(hidden) == 1 and total - sum(v for v in parts.values() if v is not None) < fmt.SUPPRESS_BELOW:
                recoverable.append(f"{code} {start}: {hidden[0]} = {total - sum(v for v in parts.values() if v)}")
    assert not recoverable, "\n".join(recoverable)


# --- secondary suppression: the rule in the value queries and its way through the single path ------------------


def test_the_demo_withholds_the_city_values_that_would_give_a_district_away(privacy_db: Path, truth: Truth) -> None:
    """The rule (queries/scope_values.sql, hidden_part): the city's value of a sensitive indicator is withheld
    when its hidden districts' values sum to 1–4 or to 4 × their number; in the demo 10 of 126 city values."""
    with closing(duckdb.connect(str(privacy_db), read_only=True)) as con:
        city = queries.run(con, "scope_values", district="stockholm", place="", **{"from": date(2015, 1, 1)})
        parts = con.execute(
            "select o.indicator, o.period_start, count(*), sum(o.value) from observation o join district d "
            "on d.code = o.district join indicator i on i.code = o.indicator where i.sensitive and d.kind <> 'stad' "
            "and o.place is null and o.value > 0 and o.value < 5 group by all").fetchall()
        districts = queries.run(con, "scope_values", district="bromma", place="", **{"from": date(2015, 1, 1)})
    sensitive = city.loc[city["indicator"].isin(truth.names)]
    expected = {(code, start) for code, start, k, total in parts if fmt.must_hide(total, True) or total >= 4 * k}
    withheld = {(code, pd.Timestamp(start).date()) for code, start in
                sensitive.loc[sensitive["withheld"], ["indicator", "period_start"]].itertuples(index=False)}
    assert withheld == expected and len(withheld) == 10 and len(sensitive) == 126
    assert not city.loc[~city["indicator"].isin(truth.names), "withheld"].any()
    assert not districts["withheld"].any()  # only the city's value is withheld; every district keeps its own


def _city_values(withheld: list[bool]) -> pd.DataFrame:
    """A hand-made scope_values result of the city for a sensitive tertial indicator over 2024."""
    starts = [date(2024, 1, 1), date(2024, 5, 1), date(2024, 9, 1), date(2025, 1, 1)]
    return pd.DataFrame({"indicator": "unga", "period_start": starts, "grain": "tertial",
                         "value": [23.0, 17.0, 30.0, 40.0], "numerator": None, "denominator": None,
                         "preliminary": False, "series_break": False, "withheld": withheld})


def test_a_withheld_city_value_is_hidden_in_sums_over_it_and_in_statuses() -> None:
    values = _city_values([True, False, False, False])
    yearly = chartplan.aggregate(chartplan.indicator_frame(values, "unga", Grain.TERTIAL), Grain.TERTIAL,
                                 Grain.YEAR, Aggregation.SUM, sensitive=True)
    assert yearly["hidden"].tolist() == [fmt.HIDDEN_DERIVED]  # 2024 = T1 + T2 + T3 would give T1 away
    row = {"code": "unga", "name": "Unga", "unit": "antal", "direction": "lower_is_better", "source": "Polisen",
           "frequency": "tertial", "sensitive": True, "aggregation": "sum", "level": "district",
           "event_category": None, "goal_code": None}
    none = values.iloc[0:0]
    plan = chartplan.chart_plan(row, values, none, none.assign(target_value=pd.Series(dtype=float)))
    assert plan is not None and plan.frame["hidden"].tolist()[0] == fmt.HIDDEN_DERIVED
    assert pd.isna(plan.frame["value"].iloc[0]) and plan.frame["last_year_hidden"].tolist()[3] == fmt.HIDDEN_DERIVED
    indicators = pd.DataFrame([row])
    targets = pd.DataFrame(columns=["indicator", "target_value"])
    assessed = series.assess_scope(indicators, values, targets, scope_name="Stockholms stad")["unga"]
    assert assessed.suppressed and assessed.previous is None and assessed.change_text is None
    assert fmt.HIDDEN_DERIVED in assessed.explanation and "23" not in assessed.explanation
    shown = series.assess_scope(indicators, _city_values([False] * 4), targets, scope_name="Stockholms stad")["unga"]
    assert not shown.suppressed and shown.previous == 23.0  # the flag, not the value, hides it
