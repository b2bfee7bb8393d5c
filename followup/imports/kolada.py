"""Kolada (the municipal KPI database) JSON as city-level yearly observations for Stockholm.

Both API shapes are read: v2 and v3 answer /data/kpi/{kpi}/municipality/{id} with
{"count": n, "values": [{"kpi": "N07403", "municipality": "0180", "period": 2023,
"values": [{"gender": "T", "status": "", "value": 12.3, "count": 1}, …]}], "next_page"/"next_url": …}.
A bare list of such records, "municipality_id" for "municipality" and a "period" inside the value items
are accepted too. Kept: gender T (total) of municipality 0180 (Stockholm) -> district 'stockholm', place
None, year grain. K/M (women/men), other municipalities and organisational units (ou) are skipped and
counted; a null value (status 'missing') is no row. KPI -> indicator through source_code rows of source
'kolada'; a KPI published per 100 000 inhabitants (PER_100_000) is stored per 1 000 (divided by 100).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pandas as pd

from followup.imports.base import (MAX_VALUE, OBSERVATION_COLUMNS, Batch, Catalogue, JsonUnreadable, Problem, checksum,
                                   read_json)
from followup.model import CITY_DISTRICT, Grain, LoadKind, Unit
from followup.periods import MAX_YEAR, MIN_YEAR

SOURCE = "kolada"
"""source_code.source of Kolada KPIs."""
STOCKHOLM = "0180"
"""Stockholm's municipality code in Kolada (SCB's kommunkod)."""
TOTAL = "T"
"""The gender code of the total (K = women, M = men)."""
PER_100_000: frozenset[str] = frozenset({"N07403"})
"""KPIs Kolada publishes per 100 000 inhabitants; stored per 1 000 (value / 100) in per_1000 indicators."""
NON_NEGATIVE = {Unit.COUNT.value, Unit.PER_1000.value, Unit.SEK.value, Unit.SHARE.value}
"""Units whose values cannot be negative (the schema checks the same)."""


def _problem(file_name: str, row: int | None, column: str | None, message: str) -> Problem:
    return Problem(file_name, row, column, message)


def _records(data: bytes, file_name: str) -> tuple[list | None, list[Problem]]:
    """The list of records, or the problem with the file as a whole."""
    try:
        parsed = read_json(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, [_problem(file_name, None, None, "filen är inte UTF-8-kodad JSON. Hämta den igen från "
                                                      "Koladas API (api.kolada.se).")]  # fmt: skip
    except JsonUnreadable as exc:
        return None, [_problem(file_name, None, None, f"{exc} Koladas värden hämtas från api.kolada.se.")]
    records = parsed.get("values") if isinstance(parsed, dict) else parsed
    if not isinstance(records, list):
        return None, [_problem(file_name, None, None,
                               "filen har inte Koladas form: ett objekt med en lista 'values' (svaret från "
                               "/v2/data/… eller /v3/data/…) eller en lista med värden. Hämta den igen.")]  # fmt: skip
    return records, []


def _municipality(record: dict) -> str | None:
    """The record's municipality code, zero-padded ('180' -> '0180'), or None when it has none."""
    value = record.get("municipality", record.get("municipality_id"))
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text.zfill(4) if text.isdigit() else text or None


def _year(value: object) -> int | None:
    """A period as a year (2023 or '2023'), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value.strip())
    else:
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _cut(text: str, limit: int = 40) -> str:
    """TEXT cut to LIMIT characters for a message (a value can be thousands of digits)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _number(value: object) -> float | None:
    """A finite number within ±MAX_VALUE (also a numeric string with a decimal comma), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_VALUE else None  # 1e300 overflows the pages


def parse(data: bytes, file_name: str, catalogue: Catalogue) -> Batch:
    """Read Kolada values: Stockholm's totals per KPI and year as city-level observations."""
    batch = Batch(kind=LoadKind.KOLADA, file_name=file_name, checksum=checksum(data))
    records, problems = _records(data, file_name)
    if records is None:
        batch.problems.extend(problems)
        return batch
    codes = catalogue.source_codes[catalogue.source_codes["source"] == SOURCE]
    by_kpi = {str(code).strip().upper(): str(indicator) for code, indicator in zip(codes["code"], codes["indicator"])}
    units = dict(zip(catalogue.indicators["code"], catalogue.indicators["unit"]))
    known = ", ".join(sorted(by_kpi)) or "inga"
    rows: list[dict[str, object]] = []
    skipped: Counter[str] = Counter()
    for row, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            batch.problems.append(_problem(file_name, row, None, "posten är inte ett JSON-objekt med kpi, "
                                                                 "municipality, period och values."))  # fmt: skip
            continue
        if "ou" in record and "municipality" not in record and "municipality_id" not in record:
            skipped["ou"] += 1
            continue
        missing = [f for f in ("kpi", "values") if f not in record]
        municipality = _municipality(record)
        if municipality is None:
            missing.append("municipality")
        for field in missing:
            batch.problems.append(_problem(file_name, row, field, f"fältet '{field}' saknas. Varje post i Kolada "
                                                                   "har kpi, municipality, period och values."))  # fmt: skip
        if missing:
            continue
        if municipality != STOCKHOLM:
            skipped["municipality"] += 1
            continue
        kpi = str(record["kpi"]).strip().upper()
        indicator = by_kpi.get(kpi)
        if indicator is None:
            batch.problems.append(_problem(
                file_name, row, "kpi",
                f"nyckeltalet '{record['kpi']}' är inte kopplat till någon indikator. Kända nyckeltal: {known}. "
                f"Lägg till en rad 'kolada,{kpi},<indikatorkod>' i data/reference/source_code.csv.",
            ))
            continue
        if units.get(indicator) == Unit.PER_1000 and kpi not in PER_100_000:
            batch.problems.append(_problem(
                file_name, row, "kpi",
                f"indikatorn '{indicator}' räknas per 1 000 invånare men nyckeltalet {kpi} finns inte i "
                "kolada.PER_100_000; ange hur värdet ska räknas om innan det läses in.",
            ))
            continue
        items = record["values"]
        if not isinstance(items, list):
            batch.problems.append(_problem(file_name, row, "values", "fältet 'values' ska vara en lista med "
                                                                      "värden per kön (gender T, K, M)."))  # fmt: skip
            continue
        rows.extend(_values(record, items, row, indicator, units.get(indicator), kpi, file_name, batch, skipped))
    frame = pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))
    frame = _drop_duplicates(frame, file_name, batch, skipped)
    _check_future(frame, file_name, batch, catalogue.today)
    batch.observations = frame.reset_index(drop=True)
    batch.skipped = skipped["municipality"] + skipped["gender"] + skipped["ou"] + skipped["duplicate"]
    batch.notes.extend(_notes(len(frame), skipped))
    return batch


def _values(
    record: dict, items: list, row: int, indicator: str, unit: str | None, kpi: str, file_name: str,
    batch: Batch, skipped: Counter[str],
) -> list[dict[str, object]]:
    """The observation rows of one record's value items (gender T only)."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            batch.problems.append(_problem(file_name, row, "values", "ett värde i 'values' är inte ett objekt."))
            continue
        gender = str(item.get("gender", TOTAL)).strip().upper()
        if gender != TOTAL:
            skipped["gender"] += 1
            continue
        year = _year(item.get("period", record.get("period")))
        if year is None:
            batch.problems.append(_problem(file_name, row, "period",
                                           f"perioden {record.get('period', item.get('period'))!r} är inget år "
                                           "(Kolada redovisar per år, t.ex. 2023)."))
            continue
        value = item.get("value")
        if value is None or str(item.get("status", "")).strip().lower() == "missing":
            skipped["missing"] += 1
            continue
        number = _number(value)
        if number is None:
            batch.problems.append(_problem(file_name, row, "value",
                                           f"värdet {_cut(repr(value))} för {kpi} år {year} är inget tal (eller orimligt stort)."))
            continue
        if number < 0 and unit in NON_NEGATIVE:
            batch.problems.append(_problem(file_name, row, "value",
                                           f"värdet {number} för {kpi} år {year} är negativt, men indikatorn "
                                           f"'{indicator}' kan inte vara mindre än 0. Kontrollera nyckeltalet."))
            continue
        if unit == Unit.SHARE and number > 100:
            batch.problems.append(_problem(file_name, row, "value",
                                           f"värdet {number} för {kpi} år {year} är en andel över 100 %. "
                                           "Kontrollera att nyckeltalet är kopplat till rätt indikator."))
            continue
        out.append({
            "indicator": indicator, "district": CITY_DISTRICT, "place": None, "period_start": date(year, 1, 1),
            "grain": Grain.YEAR.value, "value": number / 100 if kpi in PER_100_000 else number,
            "numerator": None, "denominator": None, "preliminary": False, "series_break": False, "source_row": row,
        })  # fmt: skip
    return out


def _drop_duplicates(frame: pd.DataFrame, file_name: str, batch: Batch, skipped: Counter[str]) -> pd.DataFrame:
    """The same KPI and year twice: kept once when equal, a problem when the values differ."""
    keys = ["indicator", "period_start"]
    first = frame.drop_duplicates(keys, keep="first")
    repeated = frame[frame.duplicated(keys, keep="first")]
    if repeated.empty:
        return frame
    merged = repeated.merge(first[[*keys, "value", "source_row"]], on=keys, suffixes=("", "_first"))
    for item in merged.itertuples(index=False):
        if item.value != item.value_first:
            batch.problems.append(_problem(
                file_name, int(item.source_row), "value",
                f"samma nyckeltal och år finns redan i post {int(item.source_row_first)} med ett annat värde. "
                "Ta bort den ena posten.",
            ))
        else:
            skipped["duplicate"] += 1
    return first


def _check_future(frame: pd.DataFrame, file_name: str, batch: Batch, today: date) -> None:
    """A year after today's is a problem."""
    for item in frame[frame["period_start"].map(lambda d: d.year > today.year)].itertuples(index=False):
        batch.problems.append(_problem(file_name, int(item.source_row), "period",
                                       f"året {item.period_start.year} ligger i framtiden. Kontrollera filen."))


def _notes(loaded: int, skipped: Counter[str]) -> list[str]:
    """The report lines."""
    notes = [f"{loaded} årsvärden för Stockholms stad (kommun 0180, båda könen)."]
    if skipped["gender"]:
        notes.append(f"{skipped['gender']} värden för kvinnor (K) eller män (M) hoppades över; bara totalen (T) läses in.")
    if skipped["municipality"]:
        notes.append(f"{skipped['municipality']} poster för andra kommuner hoppades över.")
    if skipped["ou"]:
        notes.append(f"{skipped['ou']} poster för organisatoriska enheter hoppades över.")
    if skipped["missing"]:
        notes.append(f"{skipped['missing']} värden saknas i Kolada (tomma) och lästes inte in: saknat är inte noll.")
    if skipped["duplicate"]:
        notes.append(f"{skipped['duplicate']} värden fanns två gånger med samma värde; de lästes in en gång.")
    return notes
