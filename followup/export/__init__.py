"""Exports of a meeting Pack: a PowerPoint deck (deck), the year-end workbook (workbook), images and tables.

Every writer takes a followup.pack.Pack (already suppressed) and returns bytes; nothing here queries.
Text goes through followup.fmt.printable (no control characters that XML, so .pptx, .xlsx and SVG,
cannot hold; a bell character in a chart title used to crash the deck), and text in spreadsheets (xlsx and
csv) through `neutralise` here: no formulas.
"""

from __future__ import annotations

from followup.fmt import printable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel (or LibreOffice) read a cell as a formula (OWASP CSV injection list)."""
GUARD = "'"
"""Put before such text: Excel then shows the text and never evaluates it; the apostrophe stays visible."""


def neutralise(text: str) -> str:
    """Text that no spreadsheet evaluates: printable, then an apostrophe before a leading =, +, -, @, tab or return."""
    text = printable(text)
    return GUARD + text if text.startswith(FORMULA_START) else text
