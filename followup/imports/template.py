"""Downloadable .xlsx templates: indicator values (with instructions and lists) and EST incident lists.

The values template has no example rows, so loading it unchanged adds nothing: the example lives in the
instructions sheet. Its text columns are formatted as text so that Excel keeps '2025-03' a period
instead of turning it into a date.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from followup import config
from followup.imports.base import Catalogue
from followup.imports.observations import EXAMPLE_CODE
from followup.model import Frequency, Grain
from followup.periods import grain_fits_frequency, grain_name, natural_grain

VALUES_SHEET = "Värden"
VALUES_HEADINGS = ("indikator", "område", "plats", "period", "värde", "n")
EST_SHEET = "EST-rapporter"
EST_HEADINGS = ("datum", "tid", "plats", "kategori", "rapportör", "beskrivning", "id")
TEXT_ROWS = 2000
"""Rows below the header formatted as text (period and names stay as typed)."""

_UNITS = {"antal": "antal", "andel": "andel i procent (0–100)", "per_1000": "per 1 000 invånare",
          "kronor": "kronor", "index": "index"}

VALUES_INSTRUCTIONS = (
    "Så fyller du i mallen för indikatorvärden",
    "",
    "Skriv en rad per indikator, område, plats och period på fliken Värden. Låt rubrikraden stå kvar.",
    "indikator: indikatorns kod eller namn (fliken Indikatorer).",
    "område: stadsdelsområdets namn eller kod (fliken Områden och platser); Stockholms stad för hela staden.",
    "plats: platsens namn eller kod; lämna tom för hela området. Platsen måste ligga i området.",
    "period: 2025 (år), 2025-T2 (tertial), 2025-Q2 (kvartal), 2025-03 (månad) eller 2025-W12 (ISO-vecka). "
    "Indikatorn bestämmer vilka periodtyper som går (fliken Indikatorer).",
    "värde: ett tal; decimalkomma eller decimalpunkt går bra, mellanslag som tusentalsavgränsare också. "
    "Andelar skrivs i procent (45,5), med eller utan %-tecken.",
    "n: antal svarande (andelar) eller befolkning (per 1 000 invånare); lämna tom för övriga indikatorer.",
    "",
    "Exempel (skriv inte in exemplet om värdet inte är verkligt):",
    "indikator: Anmälda brott i stadsdelsområdet | område: Farsta | plats: (tom) | period: 2025-03 | värde: 412",
    "indikator: Otrygga utomhus sent en kväll | område: Skarpnäck | plats: (tom) | period: 2024 | "
    "värde: 23,5 | n: 812",
    "",
    "När du laddar filen kontrolleras varje rad. Finns det fel visas alla, med rad och kolumn, och inget "
    "sparas. Annars visas en förhandsgranskning: nya värden, ändrade värden (skriver över det som finns, "
    "först när du bekräftar) och oförändrade. Varje laddning loggas och kan ångras.",
    "Formler räknas inte ut: klistra in som värden. Sammanfogade rubrikceller går inte.",
    "CSV går också bra: semikolon- eller kommaavgränsad, UTF-8 eller Windows-1252, som Excel sparar den.",
)

EST_INSTRUCTIONS = (
    "Så fyller du i mallen för EST-rapporter",
    "",
    "En rad per rapport på fliken EST-rapporter. Låt rubrikraden stå kvar.",
    "datum: ÅÅÅÅ-MM-DD (t.ex. 2025-03-01); datum och tid i samma cell går också (2025-03-01 21:14).",
    "tid: TT:MM (21:14 eller 21.14); kan lämnas tom.",
    "plats: platsens namn eller kod, eller stadsdelsområdets namn om platsen inte finns i listan.",
    "kategori: en av kategorierna på fliken Kategorier.",
    "rapportör: organisationen som rapporterade (valfri).",
    "beskrivning: fritext (valfri); sparas som text, formler räknas inte ut.",
    "id: rapportens ärendenummer (valfri). Utan nummer känns en rapport igen på sitt innehåll, så samma fil "
    "kan laddas två gånger utan att något dubbleras.",
)


def template_xlsx(catalogue: Catalogue) -> bytes:
    """The indicator values template: Värden, Instruktioner, Indikatorer, Områden och platser."""
    workbook = Workbook()
    values = workbook.active
    values.title = VALUES_SHEET
    _header(values, VALUES_HEADINGS, widths=(38, 24, 24, 12, 12, 10))
    _text_columns(values, columns=(1, 2, 3, 4), rows=TEXT_ROWS)

    _lines(workbook.create_sheet("Instruktioner"), VALUES_INSTRUCTIONS)

    indicators = workbook.create_sheet("Indikatorer")
    _header(indicators, ("kod", "namn", "enhet", "frekvens", "perioder som går", "anmärkning"),
            widths=(30, 48, 22, 12, 34, 40))
    frame = catalogue.indicators.sort_values("name")
    for row in frame.itertuples(index=False):
        computed = isinstance(row.event_category, str) and row.event_category
        indicators.append([
            row.code, row.name, _UNITS.get(row.unit, row.unit), _frequency_name(row.frequency),
            _allowed_periods(row.frequency),
            "räknas från EST-rapporter; ladda EST-listan" if computed else "",
        ])

    places = workbook.create_sheet("Områden och platser")
    _header(places, ("område", "områdeskod", "giltigt", "plats", "platskod"), widths=(26, 24, 26, 26, 24))
    districts = catalogue.districts.sort_values(["kind", "name"], ascending=[False, True])
    for district in districts.itertuples(index=False):
        places.append([district.name, district.code, _validity(district.valid_from, district.valid_to), "", ""])
        for place in catalogue.places[catalogue.places["district"] == district.code].sort_values("name").itertuples():
            places.append([district.name, district.code, "", place.name, place.code])

    last = len(frame) + 1
    choose = DataValidation(type="list", formula1=f"=Indikatorer!$B$2:$B${last}", allow_blank=True)
    choose.error = "Välj en indikator från fliken Indikatorer (eller skriv dess kod)."
    choose.showErrorMessage = False  # codes are allowed too; the import checks
    values.add_data_validation(choose)
    choose.add(f"A2:A{TEXT_ROWS + 1}")
    return _bytes(workbook)


def est_template_xlsx(catalogue: Catalogue | None = None) -> bytes:
    """The EST incident list template: EST-rapporter, Instruktioner and Kategorier."""
    categories = catalogue.categories if catalogue is not None else _reference_categories()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = EST_SHEET
    _header(sheet, EST_HEADINGS, widths=(12, 8, 26, 28, 24, 50, 14))
    _text_columns(sheet, columns=(2, 3, 4, 5, 6, 7), rows=TEXT_ROWS)
    for row in range(2, TEXT_ROWS + 2):
        sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd"
    _lines(workbook.create_sheet("Instruktioner"), EST_INSTRUCTIONS)
    listing = workbook.create_sheet("Kategorier")
    _header(listing, ("kategori", "kod"), widths=(34, 22))
    for row in categories.itertuples(index=False):
        listing.append([row.name, row.code])
    choose = DataValidation(type="list", formula1=f"=Kategorier!$A$2:$A${len(categories) + 1}", allow_blank=True)
    choose.showErrorMessage = False
    sheet.add_data_validation(choose)
    choose.add(f"D2:D{TEXT_ROWS + 1}")
    return _bytes(workbook)


def _reference_categories() -> pd.DataFrame:
    """The event categories of data/reference/event_category.csv."""
    return pd.read_csv(config.REFERENCE_DIR / "event_category.csv", dtype=str, keep_default_na=False)


def _header(sheet: Worksheet, headings: Sequence[str], widths: Sequence[int]) -> None:
    """A bold, frozen header row with column widths."""
    sheet.append(list(headings))
    for index, width in enumerate(widths, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _text_columns(sheet: Worksheet, columns: Sequence[int], rows: int) -> None:
    """Format the cells below the header as text ('@'), so Excel keeps what is typed."""
    for row in range(2, rows + 2):
        for column in columns:
            sheet.cell(row=row, column=column).number_format = "@"


def _lines(sheet: Worksheet, lines: Sequence[str]) -> None:
    """One line of text per row in column A, the first in bold."""
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 120


def _frequency_name(frequency: str) -> str:
    """Swedish name of an indicator's frequency."""
    if frequency == Frequency.SURVEY.value:
        return "enkät (år)"
    return grain_name(natural_grain(Frequency(frequency)))


def _allowed_periods(frequency: str) -> str:
    """The period formats an indicator of this frequency accepts, with examples."""
    allowed = [grain for grain in Grain if grain_fits_frequency(grain, Frequency(frequency))]
    return ", ".join(f"{grain_name(grain)} ({EXAMPLE_CODE[grain]})" for grain in allowed)


def _validity(valid_from: object, valid_to: object) -> str:
    """'från 2023-07-01', 'till och med 2023-06-30' or ''."""
    start = pd.Timestamp(valid_from) if valid_from is not None and not pd.isna(valid_from) else None
    end = pd.Timestamp(valid_to) if valid_to is not None and not pd.isna(valid_to) else None
    if start is not None and end is not None:
        return f"{start:%Y-%m-%d} – {end - pd.Timedelta(days=1):%Y-%m-%d}"
    if start is not None:
        return f"från {start:%Y-%m-%d}"
    if end is not None:
        return f"till och med {end - pd.Timedelta(days=1):%Y-%m-%d}"
    return ""


def _bytes(workbook: Workbook) -> bytes:
    """The workbook saved to bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
