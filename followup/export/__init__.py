"""Exports of a meeting Pack: a PowerPoint deck (deck), the year-end workbook (workbook), images and tables.

Every writer takes a followup.pack.Pack (already suppressed) and returns bytes; nothing here queries.
One shared rule for text written to spreadsheets (xlsx and csv) lives here: `neutralise`.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel (or LibreOffice) read a cell as a formula (OWASP CSV injection list)."""
GUARD = "'"
"""Put before such text: Excel then shows the text and never evaluates it; the apostrophe stays visible."""


def neutralise(text: str) -> str:
    """Text that no spreadsheet evaluates: an apostrophe before a leading =, +, -, @, tab or return."""
    return GUARD + text if text.startswith(FORMULA_START) else text
