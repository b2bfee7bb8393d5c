"""A meeting Pack as a PowerPoint deck: native, editable charts that look like the screen, stamped with source.

build_deck(pack) draws one slide per Pack slide (a title slide first, added when the Pack has none): the
title, the status as icon + word, the StatusLines, up to two native line charts (CategoryChartData: the
numbers live in the chart's embedded workbook), each chart's assessment under it, the activities or
commitments as a native table, the steering group's comment, and a footer naming scope, source and data
date on every slide ("Exempeldata – påhittade siffror" for the demo). What does not fit at a size
readable from three metres (≥ 18 pt for statuses and comments) is cut with '…' and given in full in the
slide's speaker notes.

Without a template the deck is 16:9 (13.333 × 7.5 in): python-pptx's default master, widened, in the
product's fonts and colours (followup.charts.theme). With a user's .pptx or .potx (the city's own master)
its slide size and layouts are used (a title layout for the title slide, a title-only layout for the rest,
picked by name with fallbacks) and its fonts are left alone; its own slides are removed.

Sensitive counts: ChartData.frame already holds None for hidden 1–4 values; the writer checks again
(fmt.must_hide) so no such value can reach the chart XML or its embedded workbook. A None is a gap in
the line (the chart shows blanks as gaps), never a number. Number formats are Excel codes, which
PowerPoint shows with the reader's separators: decimal comma and space grouping on a Swedish computer.

Control characters: build_deck first makes every text of the Pack printable (followup.export.printable, in
_printable), since lxml refuses a bell or NUL character anywhere in the slide or chart XML.

Speed (issue 6): a city deck has some 30 slides and 50 charts. Building it avoids python-pptx's slow paths
without changing a byte of the slides or charts: part names are found without walking the package each time
(_quick_partnames), text run properties are made once per look and copied (_set_look), and a chart is styled
through the API only for the first chart of each look; the rest copy that chart's styling around their own data
(_style_like). What remains is mostly python-pptx's XML building and each chart's embedded workbook.
"""

from __future__ import annotations

import copy
import functools
import io
import math
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import Enum
from typing import Any

import pandas as pd
import xlsxwriter
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.chart.series import LineSeries
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.package import OpcPackage
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.oxml.chart.chart import CT_ChartSpace
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.text import CT_TextCharacterProperties
from pptx.presentation import Presentation as PresentationObject
from pptx.util import lazyproperty
from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout
from pptx.text.text import TextFrame, _Run
from pptx.util import Inches, Pt

from followup import errors, fmt
from followup.charts import theme
from followup.fmt import printable
from followup.model import Unit
from followup.pack import ChartData, Pack, Slide, SlideKind, StatusLine
from followup.periods import MONTH_NAMES
from followup.status import DISPLAY

Progress = Callable[[float, str], None]

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
FONT_NAME = "Arial"
"""The product's font (theme.FONT_FAMILY's first choice), set only when no user template is given."""

TITLE_PT = 32
STATUS_PT = 22
LABEL_PT = 20
TEXT_PT = 18
"""Smallest size of status lines and comments: readable from three metres."""
TABLE_SIZES = (16, 14)
"""Table text: 16 pt, or 14 pt when that shows every row."""
SHORT_COLUMN = 16
"""A table column whose longest text is at most this many characters gets exactly one line's width."""
CHART_PT = 14
CHART_TITLE_PT = 18
ASSESSMENT_PT = 16
FOOTER_PT = 12

LINE_HEIGHT = 1.2
"""Line height as a multiple of the font size (PowerPoint's single spacing for Arial, roughly)."""
CHAR_WIDTH = 0.48
"""Average width of a character of Swedish text in Arial Bold (0.445 regular) as a share of the font size."""
INSET = Inches(0.1)
"""PowerPoint's default text inset on each side."""
COLUMN_GAP = Inches(0.3)
"""Space between the columns of a two-column text box (status lines of a place)."""
TEXT_BAND = 0.4
"""Share of the body the status lines and comment may take above charts or a table."""

NUMBER_FORMATS: dict[Unit, str] = {
    Unit.COUNT: "#,##0",
    Unit.SHARE: '#,##0.0" %"',  # shares are stored 0–100, so no % format (it would multiply by 100)
    Unit.PER_1000: "#,##0.0",
    Unit.SEK: '#,##0" kr"',
    Unit.INDEX: "#,##0.0",
}
"""Excel number codes per unit; PowerPoint shows them with the reader's own decimal and group marks."""

LAST_YEAR_NAME = "Förra året"
TARGET_NAME = "Mål"
DEMO_NOTE = "Exempeldata – påhittade siffror"
COMMENT_HEADING = "Styrgruppens analys"
FOOTER_NAME = "Sidfot"
"""The footer text box's shape name on every slide (tests and users find it by name)."""

TITLE_LAYOUT_NAMES = ("title slide", "rubrikbild", "titelbild", "titelsida", "rubrik")
CONTENT_LAYOUT_NAMES = ("title only", "endast rubrik", "bara rubrik", "endast titel", "rubrik enbart", "titel enbart")
BLANK_LAYOUT_NAMES = ("blank", "tom", "tomt")
TITLE_LAYOUT_INDEX = 0
CONTENT_LAYOUT_INDEX = 5
"""Fallbacks by index: the Office default's Title Slide and Title Only."""

_PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
_POTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"


class DeckRefused(errors.BadInput, ValueError):
    """A template that cannot be used; the message is Swedish and says what to do."""


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in EMU."""

    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        """The box's lower edge."""
        return self.top + self.height

    def columns(self, count: int, gap: int, shares: Sequence[float] | None = None) -> list[Box]:
        """The box split side by side into `count` columns (widths by `shares`), `gap` apart."""
        shares = list(shares or [1.0] * count)
        free = self.width - gap * (count - 1)
        boxes, left = [], self.left
        for share in shares:
            width = int(free * share / sum(shares))
            boxes.append(Box(left, self.top, width, self.height))
            left += width + gap
        return boxes

    def take_top(self, height: int, gap: int = 0) -> tuple[Box, Box]:
        """The top `height` of the box and what is left below it (after `gap`)."""
        height = max(0, min(height, self.height))
        rest = max(0, self.height - height - gap)
        return Box(self.left, self.top, self.width, height), Box(self.left, self.bottom - rest, self.width, rest)


@dataclass(frozen=True)
class _Style:
    """The deck's frame: slide size, the layouts used and whether product fonts and colours apply."""

    width: int
    height: int
    title_layout: SlideLayout
    content_layout: SlideLayout
    own: bool  # no user template: product font, sizes and colours on every text
    looks: dict[tuple[int, bool, str | None], CT_TextCharacterProperties] = field(default_factory=dict,
                                                                                  compare=False, repr=False)
    """Per deck: the run properties of each (size, bold, colour), made once (see _set_look)."""
    charts: dict[tuple[object, ...], CT_ChartSpace] = field(default_factory=dict, compare=False, repr=False)
    """Per deck: the first styled chart of each look (see _style_like)."""

    @property
    def margin(self) -> int:
        """Side margin: 0.5 in on a 13.333 in slide, in proportion on other sizes."""
        return int(self.width * 0.0375)

    @property
    def footer_box(self) -> Box:
        """The footer band at the bottom of every slide."""
        height = Inches(0.5)
        return Box(self.margin, self.height - height - Inches(0.08), self.width - 2 * self.margin, height)


@dataclass(frozen=True)
class _Para:
    """One paragraph to write: runs of (text, colour or None, bold), a size in points."""

    runs: tuple[tuple[str, str | None, bool], ...]
    size: int
    space_before: int = 0  # points

    @property
    def text(self) -> str:
        """The paragraph's plain text."""
        return "".join(text for text, _, _ in self.runs)


def build_deck(
    pack: Pack,
    *,
    template: bytes | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> bytes:
    """The Pack as a .pptx: a title slide, then one slide per Pack slide; `progress(fraction, text)` per slide."""
    report = progress or (lambda fraction, text: None)
    pack = _printable(pack)
    presentation, style = _open(template)
    slides = list(pack.slides)
    if not slides or slides[0].kind is not SlideKind.TITLE:
        slides.insert(0, Slide(kind=SlideKind.TITLE, title=pack.district_name, subtitle=pack.period.label))
    total = len(slides)
    with _quick_partnames(presentation.part.package):
        for number, slide in enumerate(slides, start=1):
            report((number - 1) / (total + 1), f"Bild {number} av {total}: {slide.title}")
            if slide.kind is SlideKind.TITLE:
                _title_slide(presentation, style, pack, slide, today or date.today())
            else:
                _content_slide(presentation, style, pack, slide)
            _footer(presentation.slides[-1], style, pack, slide, number, total)
    report(total / (total + 1), "Sparar presentationen")
    out = io.BytesIO()
    presentation.save(out)
    report(1.0, "Klar")
    return out.getvalue()


def build_year_end_deck(
    pack: Pack,
    *,
    template: bytes | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> bytes:
    """The year-end compilation (a Pack from build_year_end) as a deck: the same slides, the same rules."""
    return build_deck(pack, template=template, progress=progress, today=today)


# --- text the slides can hold -------------------------------------------------------------------------------

_NOT_DRAWN = frozenset({"plan", "shown", "activities", "indicator_row"})
"""ChartData fields the deck never draws (left as they are)."""


def _printable(value: Any) -> Any:
    """VALUE with every text the deck draws made printable (followup.export.printable): the Pack, its slides,
    status lines, charts, frames and tables. The deck's one place for control characters, which lxml refuses."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, pd.DataFrame):
        return _printable_frame(value)
    if isinstance(value, tuple):
        return tuple(_printable(item) for item in value)
    if isinstance(value, Pack | Slide | StatusLine | ChartData):
        return replace(value, **{f.name: _printable(getattr(value, f.name)) for f in fields(value)
                                 if f.name not in _NOT_DRAWN})
    return value


def _printable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """FRAME with printable headings and text cells; the frame itself when nothing needed it."""
    out = frame
    for index in range(frame.shape[1]):
        column = frame.iloc[:, index]
        if not (pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)):
            continue
        for row, value in enumerate(column.tolist()):
            if isinstance(value, str) and printable(value) != value:
                out = out.copy() if out is frame else out
                out.iloc[row, index] = printable(value)
    headings = [printable(heading) if isinstance(heading, str) else heading for heading in frame.columns]
    if headings != list(frame.columns):
        out = out.copy() if out is frame else out
        out.columns = headings
    return out


# --- presentation and layouts ------------------------------------------------------------------------------


def _open(template: bytes | None) -> tuple[PresentationObject, _Style]:
    """The presentation to fill (default 16:9 or the user's template emptied) and its style."""
    if template is None:
        presentation = Presentation()
        _widen(presentation)
        own = True
    else:
        presentation = _read_template(template)
        _remove_slides(presentation)
        own = False
    layouts = list(presentation.slide_layouts)
    if not layouts:
        raise DeckRefused("Mallen har inga bildlayouter. Välj en PowerPoint-mall med minst en layout.")
    title_layout = _title_layout(layouts)
    style = _Style(
        width=int(presentation.slide_width),
        height=int(presentation.slide_height),
        title_layout=title_layout,
        content_layout=_content_layout(layouts, title_layout),
        own=own,
    )
    return presentation, style


@contextmanager
def _quick_partnames(package: OpcPackage) -> Iterator[None]:
    """While the deck is built, python-pptx names new parts (charts, workbooks, notes) without walking the package.

    OpcPackage.next_partname collects the names of all parts by walking the whole relationship graph on every
    call, so a deck of n charts costs O(n²) walks. Here each name prefix is walked once; every name handed out
    after that is remembered, and python-pptx's own rule (the highest free number up to count + 1) picks the
    next, so the names are exactly those python-pptx would give: every part added while building is named by
    next_partname (slides are numbered by the slide list; pictures are not used). The function is set on this
    one package object only and removed afterwards: other presentations and threads are untouched.
    """
    known: dict[str, set[str]] = {}
    walk = package.next_partname

    def next_partname(template: str) -> PackURI:
        """The next free part name for a '%d' template, like OpcPackage.next_partname."""
        prefix = template[: (template % 42).find("42")]
        if prefix not in known:
            known[prefix] = {part.partname for part in package.iter_parts() if part.partname.startswith(prefix)}
        names = known[prefix]
        for number in range(len(names) + 1, 0, -1):
            if template % number not in names:
                names.add(template % number)
                return PackURI(template % number)
        return walk(template)  # not reached: count + 1 numbers cannot all be taken by count names

    package.next_partname = next_partname  # type: ignore[method-assign]
    try:
        yield
    finally:
        del package.next_partname


def _read_template(data: bytes) -> PresentationObject:
    """A user's .pptx or .potx as a presentation; DeckRefused with the fix when it is neither."""
    try:
        return Presentation(io.BytesIO(_as_pptx(data)))
    except Exception as error:  # python-pptx raises many kinds for a broken or foreign file
        raise DeckRefused(
            "Mallen kunde inte läsas som en PowerPoint-fil (.pptx eller .potx). "
            "Öppna den i PowerPoint, spara som .pptx och ladda upp den igen."
        ) from error


def _as_pptx(data: bytes) -> bytes:
    """A .potx (template) package relabelled as a presentation so python-pptx opens it; other bytes as given."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            types = source.read("[Content_Types].xml")
            if _POTX_MAIN.encode() not in types:
                return data
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for item in source.infolist():
                    content = source.read(item.filename)
                    if item.filename == "[Content_Types].xml":
                        content = content.replace(_POTX_MAIN.encode(), _PPTX_MAIN.encode())
                    target.writestr(item, content)
            return out.getvalue()
    except (zipfile.BadZipFile, KeyError):
        return data


def _widen(presentation: PresentationObject) -> None:
    """Make python-pptx's 4:3 default 16:9, stretching the master's and layouts' shapes to the new width."""
    factor = SLIDE_WIDTH / presentation.slide_width
    presentation.slide_width, presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    master = presentation.slide_master
    for element in [master._element, *(layout._element for layout in master.slide_layouts)]:
        for offset in element.iter(qn("a:off")):  # explicit positions only; the rest inherit them
            offset.set("x", str(int(int(offset.get("x")) * factor)))
        for extent in element.iter(qn("a:ext")):
            if extent.get("cx") is not None:
                extent.set("cx", str(int(int(extent.get("cx")) * factor)))


def _remove_slides(presentation: PresentationObject) -> None:
    """Drop every slide a template brings (its layouts, master, logos and fonts stay)."""
    slide_ids = presentation.slides._sldIdLst  # python-pptx has no public API for removing a slide
    for slide_id in list(slide_ids):
        presentation.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def _named(layouts: Sequence[SlideLayout], names: Sequence[str]) -> SlideLayout | None:
    """The first layout whose name (case-insensitive) is one of `names`, in the order of `names`."""
    by_name = {layout.name.strip().casefold(): layout for layout in reversed(layouts)}
    return next((by_name[name] for name in names if name in by_name), None)


def _placeholder_types(layout: SlideLayout) -> list[PP_PLACEHOLDER]:
    """The placeholder types of a layout."""
    return [shape.placeholder_format.type for shape in layout.placeholders]


def _has_title(layout: SlideLayout) -> bool:
    """Whether a layout has a title placeholder."""
    return any(kind in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE) for kind in _placeholder_types(layout))


def _title_layout(layouts: Sequence[SlideLayout]) -> SlideLayout:
    """The title slide's layout: by name, else the first with a centred title, else the first layout."""
    return (
        _named(layouts, TITLE_LAYOUT_NAMES)
        or next((layout for layout in layouts if PP_PLACEHOLDER.CENTER_TITLE in _placeholder_types(layout)), None)
        or layouts[min(TITLE_LAYOUT_INDEX, len(layouts) - 1)]
    )


def _content_layout(layouts: Sequence[SlideLayout], title_layout: SlideLayout) -> SlideLayout:
    """Other slides' layout: title-only by name, else the titled layout with fewest placeholders, else blank."""
    titled = [layout for layout in layouts if layout is not title_layout and _has_title(layout)]
    return (
        _named(layouts, CONTENT_LAYOUT_NAMES)
        or (min(titled, key=lambda layout: len(_placeholder_types(layout))) if titled else None)
        or _named(layouts, BLANK_LAYOUT_NAMES)
        or layouts[min(CONTENT_LAYOUT_INDEX, len(layouts) - 1)]
    )


def _new_slide(presentation: PresentationObject, layout: SlideLayout, keep: Sequence[PP_PLACEHOLDER]) -> PptxSlide:
    """A slide on `layout` without the empty placeholders it would bring besides those of the `keep` types."""
    slide = presentation.slides.add_slide(layout)
    for placeholder in list(slide.placeholders):
        if placeholder.placeholder_format.type not in keep:
            placeholder._element.getparent().remove(placeholder._element)
    return slide


# --- slides ------------------------------------------------------------------------------------------------


def _swedish_date(day: date) -> str:
    """'31 augusti 2025'."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _title_slide(presentation: PresentationObject, style: _Style, pack: Pack, slide: Slide, today: date) -> None:
    """The title slide: the title (district), the period, the data date and the day the deck was made."""
    keep = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.SUBTITLE)
    page = _new_slide(presentation, style.title_layout, keep)
    title = slide.title or pack.district_name
    _set_title(page, style, title, size=40)
    lines = [slide.subtitle or f"{pack.district_name} · {pack.period.label}"]
    if pack.data_date is not None and "data t.o.m." not in lines[0].casefold():
        lines.append(f"Data t.o.m. {_swedish_date(pack.data_date)}")
    lines.append(f"Framtagen {_swedish_date(today)}")
    if pack.demo:
        lines.append(DEMO_NOTE)
    subtitle = next((ph for ph in page.placeholders if ph.placeholder_format.type is PP_PLACEHOLDER.SUBTITLE), None)
    if subtitle is None:
        box = Box(style.margin, int(style.height * 0.55), style.width - 2 * style.margin, int(style.height * 0.25))
        subtitle = page.shapes.add_textbox(box.left, box.top, box.width, box.height)
    paragraphs = [_Para(((line, None, False),), 24 if index == 0 else 20) for index, line in enumerate(lines)]
    _write(subtitle.text_frame, paragraphs, style)
    _notes(page, [slide.status_text, slide.comment])


def _set_title(page: PptxSlide, style: _Style, text: str, size: int = TITLE_PT) -> Shape:
    """Write the slide title (a text box named 'Rubrik' when the layout has none); the title's shape."""
    title = page.shapes.title
    if title is None:
        box = Box(style.margin, Inches(0.3), style.width - 2 * style.margin, Inches(0.9))
        title = page.shapes.add_textbox(box.left, box.top, box.width, box.height)
        title.name = "Rubrik"
        title.text_frame.word_wrap = True
        size_to_set: int | None = size
    else:
        size_to_set = size if style.own else None
    title.text_frame.text = text
    paragraph = title.text_frame.paragraphs[0]
    if style.own:
        paragraph.alignment = PP_ALIGN.LEFT
        title.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    for run in paragraph.runs:
        if size_to_set is not None:
            run.font.size = Pt(size_to_set)
        if style.own:
            run.font.name = FONT_NAME
            run.font.bold = True
            run.font.color.rgb = _rgb(theme.INK)
    return title


def _content_slide(presentation: PresentationObject, style: _Style, pack: Pack, slide: Slide) -> None:
    """An overview, area, place, action-plan or commitments slide."""
    page = _new_slide(presentation, style.content_layout, (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE))
    shape = _set_title(page, style, slide.title)
    if style.own:  # the default master's title is tall: keep it to one band at the top
        title_box = Box(style.margin, Inches(0.2), style.width - 2 * style.margin, Inches(0.75))
        shape.left, shape.top, shape.width, shape.height = (title_box.left, title_box.top, title_box.width,
                                                            title_box.height)
    else:  # the template's title (inherited from its layout when the slide does not move it)
        title_box = Box(int(shape.left), int(shape.top), int(shape.width), int(shape.height))
    left = title_box.left if 0 < title_box.left < style.width // 4 else style.margin
    body = Box(left, title_box.bottom + Inches(0.05), style.width - 2 * left, 0)
    body = Box(body.left, body.top, body.width, style.footer_box.top - Inches(0.1) - body.top)
    notes: list[str] = []
    header = _header_paragraphs(slide, body.width)
    if header:
        needed = _height(header, body.width)
        header_box, body = body.take_top(needed, Inches(0.1))
        _textbox(page, header_box, header, style, "Status")
    if slide.status_text:
        notes.append(slide.status_text)
    _body(page, style, slide, body, notes)
    _notes(page, notes)


def _header_paragraphs(slide: Slide, width: int) -> list[_Para]:
    """One line under the title: the status as icon + word with its rule (cut to fit), the subtitle if room."""
    if slide.status is None:
        return [_Para(((slide.subtitle, theme.MUTED, False),), TEXT_PT)] if slide.subtitle else []
    shown = DISPLAY[slide.status]
    runs = [(f"{shown.icon} {shown.word}", shown.colour, True)]
    room = _chars_per_line(width, STATUS_PT) - len(runs[0][0]) - 3
    rule = f" – {_clip(slide.status_text, room)}" if slide.status_text else ""
    if rule:
        runs.append((rule, None, False))
    subtitle = f"  ·  {slide.subtitle}" if slide.subtitle else ""
    if subtitle and len(rule) + len(subtitle) <= room:
        runs.append((subtitle, theme.MUTED, False))
    return [_Para(tuple(runs), STATUS_PT)]


def _body(page: PptxSlide, style: _Style, slide: Slide, body: Box, notes: list[str]) -> None:
    """Lay out the status lines, comment, charts and table in the body box."""
    gap = Inches(0.25)
    has_text = bool(slide.lines or slide.comment)
    charts, table = slide.charts, slide.table if slide.table is not None and len(slide.table) else None
    if has_text:
        if charts or table is not None:
            lines_box, comment_box = _text_boxes(slide, body)
            need = max(_height(_lines_paragraphs(slide, True, (LABEL_PT, TEXT_PT)), lines_box.width) if slide.lines
                       else 0, _height(_comment_paragraphs(slide.comment, 10_000), comment_box.width)
                       if slide.comment else 0)
            text_box, body = body.take_top(min(need, int(body.height * TEXT_BAND)), gap)
        elif slide.note:
            note_height = _height([_Para(((slide.note, None, False),), TEXT_PT)], body.width)
            text_box, body = body.take_top(body.height - note_height - gap, gap)
        else:
            text_box, body = body, Box(body.left, body.bottom, body.width, 0)
        _text_band(page, style, slide, text_box, notes)
    if slide.note and not charts and table is None:
        _textbox(page, body, [_Para(((slide.note, theme.MUTED, False),), TEXT_PT)], style, "Notering")
    if charts and table is not None:  # the year-end area: activities on the left, the charts beside them
        table_box, chart_box = body.columns(2, gap, (0.42, 0.58))
    else:
        chart_box, table_box = body, body
    if charts:
        for chart, box in zip(charts, chart_box.columns(len(charts), Inches(0.35)), strict=True):
            _chart_block(page, style, chart, box, notes)
    if table is not None:
        _table(page, style, table, table_box, notes)


def _text_boxes(slide: Slide, box: Box) -> tuple[Box, Box]:
    """The status lines' and the comment's boxes: side by side (widths by text length) or the whole box each."""
    if not (slide.lines and slide.comment):
        return box, box
    lines = sum(len(line.label) + 14 for line in slide.lines)
    share = min(0.7, max(0.5, lines / (lines + len(slide.comment))))
    lines_box, comment_box = box.columns(2, Inches(0.35), (share, 1 - share))
    return lines_box, comment_box


def _text_band(page: PptxSlide, style: _Style, slide: Slide, box: Box, notes: list[str]) -> None:
    """Status lines and the comment, side by side when both exist; what does not fit goes to the notes."""
    lines_box, comment_box = _text_boxes(slide, box)
    if slide.lines:
        paragraphs, complete, columns = _fit_lines(slide, lines_box)
        shape = _textbox(page, lines_box, paragraphs, style, "Statusrader")
        if columns > 1:
            body_properties = shape.text_frame._txBody.bodyPr
            body_properties.set("numCol", str(columns))
            body_properties.set("spcCol", str(COLUMN_GAP))
        if not complete:
            notes.extend(f"{DISPLAY[line.trend].word} – {line.label}: {line.text}" for line in slide.lines)
    if slide.comment:
        paragraphs = _fit_comment(slide.comment, comment_box)
        _textbox(page, comment_box, paragraphs, style, "Kommentar")
        if paragraphs[-1].text != " ".join(slide.comment.split()):
            notes.append(f"{COMMENT_HEADING}: {slide.comment}")


def _lines_paragraphs(slide: Slide, with_text: bool, sizes: tuple[int, int]) -> list[_Para]:
    """Each status line as 'icon word – label' (coloured icon and word), its explanation below if asked."""
    paragraphs = []
    for index, line in enumerate(slide.lines):
        shown = DISPLAY[line.trend]
        runs = ((f"{shown.icon} {shown.word}", shown.colour, True), (f" – {line.label}", None, True))
        paragraphs.append(_Para(runs, sizes[0], space_before=8 if index and with_text else 0))
        if with_text and line.text:
            paragraphs.append(_Para(((line.text, None, False),), sizes[1]))
    return paragraphs


_LINE_SIZES = ((True, (22, 20)), (True, (LABEL_PT, TEXT_PT)), (True, (TEXT_PT, TEXT_PT)),
               (False, (22, 22)), (False, (LABEL_PT, LABEL_PT)), (False, (TEXT_PT, TEXT_PT)))
"""Tried in order: explanations at the largest sizes first, then labels only, never below 18 pt."""


def _fit_lines(slide: Slide, box: Box) -> tuple[list[_Para], bool, int]:
    """The status lines at the largest size that fits (two columns in a wide box), whether all text is shown."""
    column_choices = (1, 2) if box.width >= Inches(9) else (1,)
    for with_text, sizes in _LINE_SIZES:
        paragraphs = _lines_paragraphs(slide, with_text, sizes)
        for columns in column_choices:
            if _fits(paragraphs, box, columns):
                return paragraphs, with_text or not any(line.text for line in slide.lines), columns
    columns = column_choices[-1]
    paragraphs = _lines_paragraphs(slide, False, (TEXT_PT, TEXT_PT))
    while len(paragraphs) > 1:
        paragraphs.pop()
        rest = len(slide.lines) - len(paragraphs)
        more = _Para(((f"… och {rest} till (se anteckningarna)", theme.MUTED, False),), TEXT_PT)
        if _fits([*paragraphs, more], box, columns):
            return [*paragraphs, more], False, columns
    return paragraphs, False, columns


def _comment_paragraphs(comment: str, limit: int) -> list[_Para]:
    """The comment under its heading, cut to `limit` characters."""
    return [_Para(((COMMENT_HEADING, None, True),), TEXT_PT), _Para(((_clip(comment, limit), None, False),), TEXT_PT)]


def _fit_comment(comment: str, box: Box) -> list[_Para]:
    """The comment cut so it fits the box at 18 pt."""
    limit = len(comment)
    while limit > 40 and not _fits(_comment_paragraphs(comment, limit), box):
        limit = int(limit * 0.85)
    return _comment_paragraphs(comment, limit)


def _clip(text: str, limit: int) -> str:
    """Text cut at a word boundary to at most `limit` characters, with '…' when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def _chars_per_line(width: int, size: float) -> int:
    """About how many characters of `size` points fit on one line of a text box `width` wide."""
    return max(1, int((width - 2 * INSET) / 12700 / (size * CHAR_WIDTH)))


@functools.lru_cache(maxsize=8192)  # fitting tries the same texts at the same widths again and again
def _line_count(text: str, per_line: int) -> int:
    """Lines a text takes when wrapped at word boundaries, `per_line` characters to a line."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) <= per_line:
            used += 1 + len(word)
            continue
        if used:
            lines += 1
        lines += (len(word) - 1) // per_line  # a word longer than a line breaks inside
        used = (len(word) - 1) % per_line + 1
    return lines


def _clip_lines(text: str, lines: int, per_line: int) -> str:
    """Text cut with '…' so that it wraps into at most `lines` lines of `per_line` characters."""
    limit = len(text)
    clipped = _clip(text, limit)
    while limit > 1 and _line_count(clipped, per_line) > lines:
        limit -= max(1, limit // 20)
        clipped = _clip(text, limit)
    return clipped


def _heights(paragraphs: Sequence[_Para], width: int) -> list[int]:
    """Estimated height in EMU of each paragraph wrapped in a column `width` wide (insets included)."""
    heights = []
    for paragraph in paragraphs:
        lines = _line_count(paragraph.text, _chars_per_line(width, paragraph.size))
        heights.append(int((lines * paragraph.size * LINE_HEIGHT + paragraph.space_before) * 12700))
    return heights


def _height(paragraphs: Sequence[_Para], width: int) -> int:
    """Estimated height in EMU of paragraphs wrapped in a text box `width` wide."""
    return sum(_heights(paragraphs, width)) + 2 * INSET


def _fits(paragraphs: Sequence[_Para], box: Box, columns: int = 1) -> bool:
    """Whether the paragraphs fit the box when they flow through `columns` columns (as PowerPoint flows them)."""
    column_width = (box.width - COLUMN_GAP * (columns - 1)) // columns
    room, column, used = box.height - 2 * INSET, 1, 0
    for height in _heights(paragraphs, column_width):
        if used + height > room:
            column, used = column + 1, 0
        if height > room:
            return False
        used += height
    return column <= columns


def _textbox(page: PptxSlide, box: Box, paragraphs: Sequence[_Para], style: _Style, name: str) -> Shape:
    """A wrapping text box with the paragraphs, named `name`."""
    shape = page.shapes.add_textbox(box.left, box.top, box.width, box.height)
    shape.name = name
    _write(shape.text_frame, paragraphs, style)
    return shape


def _write(frame: TextFrame, paragraphs: Sequence[_Para], style: _Style) -> None:
    """Replace a text frame's text by the paragraphs (sizes and colours set; font only in the product style)."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.text = ""
    for index, para in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        if para.space_before:
            paragraph.space_before = Pt(para.space_before)
        for text, colour, bold in para.runs:
            run = paragraph.add_run()
            run.text = text
            _set_look(run, style, para.size, bold, colour)


def _set_look(run: _Run, style: _Style, size: int, bold: bool, colour: str | None) -> None:
    """Give a run without properties its size, weight and colour (ink when None; font name in the product style).

    Setting fonts through python-pptx's API costs about a millisecond a run. The properties of each look are set
    that way once per deck, on a scratch run, and copied into every run of that look: the same XML.
    """
    key = (size, bold, colour)
    if key not in style.looks:
        model = _Run(parse_xml(f"<a:p {nsdecls('a')}/>").add_r(), None)
        model.font.size = Pt(size)
        model.font.bold = bold
        if colour is not None:
            model.font.color.rgb = _rgb(colour)
        elif style.own:
            model.font.color.rgb = _rgb(theme.INK)
        if style.own:
            model.font.name = FONT_NAME
        style.looks[key] = model._r.get_or_add_rPr()
    run._r.insert(0, copy.deepcopy(style.looks[key]))


def _rgb(colour: str) -> RGBColor:
    """'#1A1A1A' as an RGBColor."""
    return RGBColor.from_string(colour.lstrip("#").upper())


def _footer(page: PptxSlide, style: _Style, pack: Pack, slide: Slide, number: int, total: int) -> None:
    """The footer on every slide: scope, source and data date (the demo note), and 'n / m' at the right."""
    text_box, number_box = style.footer_box.columns(2, Inches(0.2), (0.9, 0.1))
    parts = (slide.footer or _fallback_footer(pack)).split(" · ")
    if pack.demo and DEMO_NOTE not in parts:
        parts.append(DEMO_NOTE)
    text = _fit_parts(parts, 2 * _chars_per_line(text_box.width, FOOTER_PT) - 4)
    _textbox(page, text_box, [_Para(((text, theme.MUTED, False),), FOOTER_PT)], style, FOOTER_NAME)
    shape = _textbox(page, number_box, [_Para(((f"{number} / {total}", theme.MUTED, False),), FOOTER_PT)], style,
                     "Bildnummer")
    shape.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _fit_parts(parts: Sequence[str], limit: int) -> str:
    """Parts joined by ' · ', the longest cut (a long list of sources) until the whole fits in `limit`."""
    parts = list(parts)
    while len(" · ".join(parts)) > limit:
        longest = max(range(len(parts)), key=lambda index: len(parts[index]))
        excess = len(" · ".join(parts)) - limit
        if len(parts[longest]) - excess < 20:
            break
        parts[longest] = _clip(parts[longest], len(parts[longest]) - excess)
    return " · ".join(parts)


def _fallback_footer(pack: Pack) -> str:
    """A footer for a slide that names none: the district, the period and the data date."""
    parts = [pack.district_name, pack.period.label]
    if pack.data_date is not None:
        parts.append(f"data t.o.m. {_swedish_date(pack.data_date)}")
    return " · ".join(parts)


def _notes(page: PptxSlide, texts: Sequence[str]) -> None:
    """Speaker notes: the full texts that the slide shows cut or not at all."""
    texts = [text for text in texts if text]
    if texts:
        page.notes_slide.notes_text_frame.text = "\n\n".join(texts)


# --- charts ------------------------------------------------------------------------------------------------


def chart_values(chart: ChartData, column: str) -> list[float | None]:
    """A frame column as chart values: None for missing and, in a sensitive chart's counts, for 1–4."""
    sensitive = chart.sensitive and column in ("value", "last_year")
    values: list[float | None] = []
    for value in chart.frame[column].tolist():
        if value is None or pd.isna(value) or not math.isfinite(float(value)):
            values.append(None)
        else:
            values.append(None if fmt.must_hide(float(value), sensitive) else float(value))
    return values


@dataclass(frozen=True)
class _SeriesSpec:
    """One line of a chart: legend name, frame column, colour, width, dash, markers."""

    name: str
    column: str
    colour: str
    width: float
    dash: MSO_LINE_DASH_STYLE | None
    markers: bool


def series_specs(chart: ChartData) -> list[_SeriesSpec]:
    """The chart's lines: the measured values, last year and the target (each only when it has values)."""
    specs = [_SeriesSpec(chart.scope_name, "value", theme.INK, 3.0, None, True)]
    if any(value is not None for value in chart_values(chart, "last_year")):
        specs.append(_SeriesSpec(LAST_YEAR_NAME, "last_year", theme.NEUTRAL, 2.25, MSO_LINE_DASH_STYLE.ROUND_DOT,
                                 False))
    if any(value is not None for value in chart_values(chart, "target")):
        specs.append(_SeriesSpec(TARGET_NAME, "target", theme.BLUISH_GREEN, 2.5, MSO_LINE_DASH_STYLE.DASH, False))
    return specs


def _chart_block(page: PptxSlide, style: _Style, chart: ChartData, box: Box, notes: list[str]) -> None:
    """A native line chart with its assessment (and the suppression note) under it."""
    values = chart_values(chart, "value")
    hidden_note = chart.sensitive and (fmt.SUPPRESSED in chart.assessment_text or None in values)
    note = [_Para(((fmt.SUPPRESSION_NOTE, theme.MUTED, False),), FOOTER_PT)] if hidden_note else []
    room = int(box.height * 0.4) - (_height(note, box.width) if note else 2 * INSET)
    size = ASSESSMENT_PT if box.width >= Inches(5) else ASSESSMENT_PT - 2  # narrow: the year-end's charts
    lines = min(3, int(room / (size * LINE_HEIGHT * 12700)))
    assessment = _clip_lines(chart.assessment_text, lines, _chars_per_line(box.width, size)) if lines else ""
    texts = [_Para(((assessment, None, False),), size)] if assessment else []
    texts += note
    text_height = _height(texts, box.width) if texts else 0
    chart_box, text_box = box.take_top(box.height - text_height, Inches(0.05) if texts else 0)
    frame = _add_chart(page, style, chart, chart_box)
    frame.name = f"Diagram {chart.key}"
    if texts:
        _textbox(page, text_box, texts, style, f"Bedömning {chart.key}")
    if chart.assessment_text:
        notes.append(f"{chart.title}: {chart.assessment_text}")


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The chart's embedded workbook with every string written as a string: a series name or category label that
    starts with '=' is never a formula (python-pptx's writer lets XlsxWriter's write() turn it into one)."""

    @contextmanager
    def _open_worksheet(self, xlsx_file: Any) -> Iterator[tuple[Any, Any]]:
        workbook = xlsxwriter.Workbook(xlsx_file, {"in_memory": True, "strings_to_formulas": False})
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class _ChartData(CategoryChartData):
    """CategoryChartData whose embedded workbook (the data PowerPoint edits) never holds a formula."""

    @lazyproperty
    def _workbook_writer(self) -> _TextWorkbookWriter:
        return _TextWorkbookWriter(self)


def _add_chart(page: PptxSlide, style: _Style, chart: ChartData, box: Box) -> GraphicFrame:
    """A LINE_MARKERS chart of the frame: categories are the period labels, gaps stay gaps."""
    number_format = NUMBER_FORMATS.get(Unit(chart.unit), "General")
    specs = series_specs(chart)
    values = {spec.column: chart_values(chart, spec.column) for spec in specs}
    data = _ChartData(number_format=number_format)
    data.categories = [str(label) for label in chart.frame["period"].tolist()]
    for spec in specs:
        data.add_series(spec.name, values[spec.column])
    frame = page.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, box.left, box.top, box.width, box.height, data)
    shown = [index for index, value in enumerate(values["value"]) if value is not None]
    latest = shown[-1] if shown else None
    from_zero = Unit(chart.unit) in (Unit.COUNT, Unit.SHARE) and all(
        value >= 0 for column in values.values() for value in column if value is not None)
    key = (number_format, tuple((spec.colour, spec.width, spec.dash, spec.markers) for spec in specs), from_zero,
           latest is not None)
    plain_title = bool(chart.title) and "\n" not in chart.title and "\v" not in chart.title  # one run in the title
    model = style.charts.get(key) if plain_title else None
    if model is None:
        _style_chart(frame.chart, style, chart.title, specs, number_format, from_zero, latest)
        if plain_title:
            style.charts[key] = copy.deepcopy(frame.chart.element)
    else:
        _style_like(frame.chart.element, model, chart.title, latest)
    _alt_text(frame, chart)
    return frame


def _style_chart(drawn: Chart, style: _Style, title: str, specs: Sequence[_SeriesSpec], number_format: str,
                 from_zero: bool, latest: int | None) -> None:
    """Style a new chart through python-pptx: fonts, title, legend, axes, lines and the latest value's label."""
    drawn.font.size = Pt(CHART_PT)
    if style.own:
        drawn.font.name = FONT_NAME
        drawn.font.color.rgb = _rgb(theme.INK)
    drawn.has_title = True
    drawn.chart_title.text_frame.text = title
    for run in drawn.chart_title.text_frame.paragraphs[0].runs:
        run.font.size, run.font.bold = Pt(CHART_TITLE_PT), True
    drawn.has_legend = True
    drawn.legend.position = XL_LEGEND_POSITION.BOTTOM
    drawn.legend.include_in_layout = False
    drawn.legend.font.size = Pt(CHART_PT)
    _style_axes(drawn, number_format, from_zero)
    for series, spec in zip(drawn.plots[0].series, specs, strict=True):
        _style_series(series, spec)
    if latest is not None:
        _label_latest(drawn.plots[0].series[0], latest, number_format)


def _style_like(space: CT_ChartSpace, model: CT_ChartSpace, title: str, latest: int | None) -> None:
    """Give a new chart the look of a model chart styled by _style_chart with the same key, keeping its own data.

    Styling through python-pptx's API costs several milliseconds a chart; most charts of a deck share their look.
    `space` is python-pptx's plain chart XML holding this chart's data; it takes a copy of the styled model in
    which only what differs is replaced: each series' name, categories and values (the c:tx, c:cat and c:val
    elements python-pptx wrote for this chart), the link to its own embedded workbook, the title's text and the
    point of the latest-value label. The key (number format, the lines' looks, the axis from zero, a label or
    not) covers all else styling depends on.
    """
    styled = copy.deepcopy(model)
    styled.replace(styled.find(qn("c:externalData")), space.find(qn("c:externalData")))
    for target, source in zip(list(styled.iter(qn("c:ser"))), list(space.iter(qn("c:ser"))), strict=True):
        for tag in ("c:tx", "c:cat", "c:val"):
            target.replace(target.find(qn(tag)), source.find(qn(tag)))
    title_run = styled.find(f"{qn('c:chart')}/{qn('c:title')}").find(f".//{qn('a:r')}")
    title_run.text = title  # python-pptx's run setter, as chart_title.text_frame.text uses for one line
    if latest is not None:
        styled.find(f".//{qn('c:dLbl')}/{qn('c:idx')}").set("val", str(latest))
    space[:] = list(styled)


def _style_axes(drawn: Chart, number_format: str, from_zero: bool) -> None:
    """Grey gridlines, large tick labels, the unit's number format, from zero for counts and shares."""
    value_axis = drawn.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = _rgb(theme.GRID)
    value_axis.format.line.fill.background()
    value_axis.tick_labels.font.size = Pt(CHART_PT)
    value_axis.tick_labels.number_format = number_format
    value_axis.tick_labels.number_format_is_linked = False
    if from_zero:
        value_axis.minimum_scale = 0
    category_axis = drawn.category_axis
    category_axis.tick_labels.font.size = Pt(CHART_PT)
    category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    category_axis.format.line.color.rgb = _rgb(theme.AXIS_LINE)


def _style_series(series: LineSeries, spec: _SeriesSpec) -> None:
    """Colour, width and dash of one line; round ink markers on the measured values only."""
    series.smooth = False
    line = series.format.line
    line.color.rgb = _rgb(spec.colour)
    line.width = Pt(spec.width)
    if spec.dash is not None:
        line.dash_style = spec.dash
    if spec.markers:
        series.marker.style = XL_MARKER_STYLE.CIRCLE
        series.marker.size = 7
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = _rgb(spec.colour)
        series.marker.format.line.color.rgb = _rgb(spec.colour)
    else:
        series.marker.style = XL_MARKER_STYLE.NONE


def _label_latest(series: LineSeries, latest: int, number_format: str) -> None:
    """Show the latest shown value (the point at index `latest`) next to its point, as the screen does."""
    label = series.points[latest].data_label
    label.number_format = number_format
    label.number_format_is_linked = False
    label.show_value = True
    label.font.size = Pt(CHART_PT + 2)
    label.font.bold = True


def _alt_text(frame: GraphicFrame, chart: ChartData) -> None:
    """The chart's alternative text for screen readers: its title and assessment (already suppressed)."""
    properties = frame._element.find(f"{qn('p:nvGraphicFramePr')}/{qn('p:cNvPr')}")
    if properties is not None:
        properties.set("descr", " ".join(part for part in (chart.title, chart.assessment_text) if part))


# --- tables ------------------------------------------------------------------------------------------------

TABLE_LINES = 2
"""A table cell shows at most two lines; longer texts are cut with '…' (and given whole in the notes)."""
CELL_MARGIN = Inches(0.04)
"""Top and bottom margin of a table cell."""


def _cell_text(value: object) -> str:
    """A table value as text: dates as ISO (Swedish standard), numbers Swedish, missing as '–'."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return fmt.MISSING
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return fmt.number(float(value))
    return " ".join(str(value).split())


def _table(page: PptxSlide, style: _Style, table: pd.DataFrame, box: Box, notes: list[str]) -> None:
    """The activities or commitments as a native table (smaller type before cutting rows); the rest in notes."""
    headers = [str(column) for column in table.columns]
    texts = [[_cell_text(value) for value in row] for row in table.itertuples(index=False)]
    for size in TABLE_SIZES:
        widths = _column_widths(headers, texts, box.width, size)
        per_line = [_chars_per_line(width, size) for width in widths]
        cells = [[_clip_lines(text, TABLE_LINES, per_line[c]) for c, text in enumerate(row)]
                 for row in [headers, *texts]]
        heights = [_row_height(row, per_line, size) for row in cells]
        if sum(heights) <= box.height:
            break
    more_height = _row_height(["…"], [1], size)
    shown = len(texts)
    while shown > 1 and sum(heights[: shown + 1]) + (more_height if shown < len(texts) else 0) > box.height:
        shown -= 1
    rows = shown + 1 + (shown < len(texts))
    row_heights = heights[: shown + 1] + ([more_height] if shown < len(texts) else [])
    graphic = page.shapes.add_table(rows, len(headers), box.left, box.top, box.width, sum(row_heights))
    graphic.name = "Tabell"
    grid = graphic.table
    for index, width in enumerate(widths):
        grid.columns[index].width = width
    for index, height in enumerate(row_heights):
        grid.rows[index].height = height
    for r, values in enumerate(cells[: shown + 1]):
        for c, value in enumerate(values):
            _cell(grid.cell(r, c), value, style, size, header=r == 0, band=r % 2 == 0)
    if shown < len(texts):
        more = grid.cell(rows - 1, 0)
        more.merge(grid.cell(rows - 1, len(headers) - 1))
        _cell(more, f"… och {len(texts) - shown} rader till (hela tabellen finns i anteckningarna)", style, size,
              header=False, band=False)
    if shown < len(texts) or cells[1:] != texts:
        notes.append("\n".join(" | ".join(row) for row in [headers, *texts]))


def _row_height(row: Sequence[str], per_line: Sequence[int], size: int) -> int:
    """Estimated height of a table row: its tallest cell's lines at `size` plus the cell margins."""
    lines = max(min(TABLE_LINES, _line_count(text, per_line[c])) for c, text in enumerate(row))
    return int(lines * size * LINE_HEIGHT * 12700) + 2 * CELL_MARGIN + Inches(0.04)


def _column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], total: int, size: int) -> list[int]:
    """Column widths summing to `total`: short columns (dates, status) exactly one line, the rest by length."""
    natural = [max([len(header), *(len(row[index]) for row in rows)]) for index, header in enumerate(headers)]
    char = size * CHAR_WIDTH * 1.1 * 12700  # a little wider: the header is bold
    fixed = {index: int((length + 1) * char) + 2 * INSET
             for index, length in enumerate(natural) if length <= SHORT_COLUMN}
    if len(fixed) == len(natural) or sum(fixed.values()) > total * 0.6:
        fixed = {}
    free = total - sum(fixed.values())
    weights = {index: min(60, length) + 4 for index, length in enumerate(natural) if index not in fixed}
    widths = [fixed.get(index) or int(free * weights[index] / sum(weights.values())) for index in range(len(natural))]
    widths[-1] += total - sum(widths)
    return widths


def _cell(cell: object, text: str, style: _Style, size: int, *, header: bool, band: bool) -> None:
    """One table cell's text at `size` points; product colours (ink header, light bands) without a template."""
    cell.text = text
    colour = ("#FFFFFF" if header else theme.INK) if style.own else None
    for paragraph in cell.text_frame.paragraphs:
        for run in paragraph.runs:
            _set_look(run, style, size, header, colour)
    cell.margin_top = cell.margin_bottom = CELL_MARGIN
    if style.own:
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(theme.INK if header else "#F2F2F2" if band else "#FFFFFF")
