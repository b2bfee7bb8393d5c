"""Brå's statistics database export: reported crimes per district area and month as observations.

The export is ISO-8859-1 text separated by ';' with the header `Region;Brott;År;Period;Antal;/100 000 inv`
(lines may end with a ';'). Only `Antal` is read: the rate per 100 000 inhabitants is derived from it.
- Region: 'Stadsdelsområde Bromma (Sthlm)', 'Hässelby - Vällingby (Sthlm)', 'Norrmalm stadsdel (upphörde
  2024-01-01)' -> that district area; 'Stockholms kommun' -> the city ('stockholm'); other municipalities
  ('Botkyrka kommun') and other regions are skipped and counted. A Stockholm district name that matches no
  district is a problem.
- Brå keeps its own region set: it reports Norrmalm, Östermalm, Rinkeby-Kista and Spånga-Tensta for all
  of 2023 (the city merged them on 2023-07-01), and Hägersten-Liljeholmen and Älvsjö until 2020-12-31.
  Rows are mapped by Brå's region, not by the reform date. The two old Söderort areas are not districts
  of the catalogue; for 2020 their sum is exactly Hägersten-Älvsjö, so each crime type and period is
  loaded as their sum (see _merge_old_areas); earlier years are skipped with a note.
- Brott (crime type) -> indicator through source_code rows of source 'bra'.
- År: '2023' or '2023 prel.' (preliminary). Period: 'Jan' … 'Dec' (also full names) -> month;
  'Helår', 'Hela året' or empty -> the year; 'Kvartal 1'/'Kv 1' -> quarter.
- Antal: a non-negative whole number; '..' (suppressed or empty) is missing, never zero, and so is a 0 for
  an area in a period outside Brå's years for it (before the area existed or after it ended).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from followup.imports.base import MAX_COUNT, MAX_COUNT_TEXT, OBSERVATION_COLUMNS, Batch, Catalogue, LoadRefused, Problem, checksum
from followup.imports.text import did_you_mean, normalise
from followup.model import CITY_DISTRICT, DistrictKind, Grain, LoadKind, Unit
from followup.periods import MAX_YEAR, MIN_YEAR, MONTH_NAMES, grain_fits_frequency

SOURCE = "bra"
"""source_code.source of Brå's crime types."""
HEADER: tuple[str, ...] = ("Region", "Brott", "År", "Period", "Antal")
"""The columns read (the optional sixth, '/100 000 inv', is derived from Antal and ignored)."""
MISSING = {"..", ""}
"""Antal cells that mean 'no value' (suppressed or empty): no row, never zero."""
REGION_SWITCH = {date(2023, 7, 1): date(2024, 1, 1)}
"""The city's reform date -> the date Brå switched its own region set (Järva, Norra innerstaden in 2024)."""
OLD_AREAS = {"hagersten-liljeholmen": "Hägersten-Liljeholmen", "alvsjo": "Älvsjö"}
"""Brå regions until 2020-12-31 that together are Hägersten-Älvsjö (normalised name -> name)."""
OLD_AREAS_TARGET = "hagersten-alvsjo"
OLD_AREAS_END = date(2021, 1, 1)
"""Brå reports the two old areas until 2020-12-31 and Hägersten-Älvsjö from 2021."""

_MONTHS = {normalise(name): number for number, name in enumerate(MONTH_NAMES, start=1)}
_MONTHS |= {key[:3]: number for key, number in _MONTHS.items()} | {"sept": 9}
_YEAR_WORDS = {"", "helar", "hela aret", "ar", "totalt", "summa"}
_QUARTER = re.compile(r"^(?:kv|kvartal|q)\s*\.?\s*(?P<number>[1-4])$")
_YEAR = re.compile(r"^(?P<year>\d{4})(?:\s*(?P<prel>prel\.?|preliminar|preliminart))?$")
_STOCKHOLM_MARKERS = re.compile(r"\(sthlm\)|^stadsdelsomrade\b|\bstadsdel\b|\bstadsdelsomrade\b")
_REGION_NOISE = re.compile(
    r"\(sthlm\)|\(upphorde[^)]*\)|^stadsdelsomrade\s+|\s+stadsdelsomrade$|\s+stadsdel$|\s+stadsdelsnamnd$"
)
_INTEGER = re.compile(r"^\d+$")
_GROUP_SPACES = re.compile(r"(?<=\d)[\s\u00a0\u202f\u2009](?=\d{3}\b)")


@dataclass(frozen=True)
class Region:
    """What a Region cell is: a district, one of the two old areas, the city, elsewhere, or unknown."""

    kind: str  # 'district', 'old', 'city', 'municipality', 'other', 'unknown'
    code: str | None = None
    message: str = ""


def decode(data: bytes, file_name: str) -> str:
    """The file's text: UTF-8 (with or without BOM) when it is valid UTF-8, else ISO-8859-1 as Brå writes."""
    if b"\x00" in data[:4096]:
        raise LoadRefused([Problem(file_name, None, None,
                                   "filen är ingen textfil (den innehåller binära data). Exportera tabellen "
                                   "från Brås statistikdatabas som semikolonseparerad text.")])  # fmt: skip
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _header_line(lines: list[str]) -> int | None:
    """Index of the header line (the first whose first field is 'Region'), looking at the first 20 lines."""
    for index, line in enumerate(lines[:20]):
        if normalise(line.split(";", 1)[0].strip().strip('"')) == "region":
            return index
    return None


def read(data: bytes, file_name: str) -> tuple[pd.DataFrame, int, list[Problem]]:
    """The export's cells as text (columns Region … Antal) and the file row number of its header."""
    text = decode(data, file_name)
    lines = text.splitlines()
    header_at = _header_line(lines)
    if header_at is None:
        return pd.DataFrame(columns=list(HEADER)), 1, [Problem(
            file_name, 1, None,
            "raden med kolumnrubriker saknas. En export från Brås statistikdatabas börjar med "
            "'Region;Brott;År;Period;Antal;/100 000 inv'; exportera tabellen igen som text.",
        )]
    headings = [part.strip().strip('"') for part in lines[header_at].rstrip(";").split(";")]
    keys = [normalise(heading) for heading in headings]
    missing = [name for name in HEADER if normalise(name) not in keys]
    if missing:
        return pd.DataFrame(columns=list(HEADER)), header_at + 1, [Problem(
            file_name, header_at + 1, None,
            f"kolumnen {', '.join(repr(m) for m in missing)} saknas (rubrikerna är {'; '.join(headings)}). "
            "Brå-exporten ska ha kolumnerna Region;Brott;År;Period;Antal;/100 000 inv.",
        )]
    body = "\n".join(lines[header_at + 1:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a trailing ';' makes one field more than the header: dropped
        frame = pd.read_csv(
            io.StringIO(body), sep=";", header=None, names=headings, index_col=False, dtype=str,
            keep_default_na=False, skip_blank_lines=False, quoting=3, usecols=range(len(headings)),
        ) if body.strip() else pd.DataFrame(columns=headings)  # fmt: skip
    frame.columns = [next((h for h in HEADER if normalise(h) == key), heading) for heading, key in zip(headings, keys)]
    frame = frame[list(HEADER)].fillna("").astype(str).apply(lambda column: column.str.strip().str.strip('"'))
    frame.index = pd.RangeIndex(header_at + 2, header_at + 2 + len(frame))  # the file's row numbers
    return frame, header_at + 1, []


def classify_region(text: str, districts: pd.DataFrame) -> Region:
    """What one Region cell names (see Region)."""
    key = normalise(text)
    by_name = {normalise(name): code for name, code in zip(districts["name"], districts["code"])}
    city = next((c for c, k in zip(districts["code"], districts["kind"]) if k == DistrictKind.CITY), CITY_DISTRICT)
    if key.endswith(" kommun") or key.endswith(" stad"):
        place = key.rsplit(" ", 1)[0]
        return Region("city", city) if place in ("stockholm", "stockholms") else Region("municipality")
    core, previous = key, ""
    while core != previous:  # 'x stadsdel (upphorde …)': each removal can uncover the next
        previous, core = core, _REGION_NOISE.sub("", core).strip()
    if core in by_name and by_name[core] != city:
        return Region("district", by_name[core])
    if core in OLD_AREAS:
        return Region("old", core)
    if _STOCKHOLM_MARKERS.search(key):
        names = [n for n, c in zip(districts["name"], districts["code"]) if c != city] + list(OLD_AREAS.values())
        return Region("unknown", message=(
            f"stadsdelsområdet '{text}' finns inte i katalogen.{did_you_mean(core, names)} Kontrollera "
            "regionen i exporten eller lägg till området i data/reference/district.csv."
        ))
    return Region("other")


def parse_year(text: str) -> tuple[int, bool] | None:
    """'2023' -> (2023, False); '2023 prel.' -> (2023, True); None when it is not a year."""
    found = _YEAR.match(normalise(text))
    if not found or not MIN_YEAR <= int(found["year"]) <= MAX_YEAR:
        return None
    return int(found["year"]), found["prel"] is not None


def parse_month(text: str) -> tuple[Grain, int] | None:
    """'Maj' -> (month, 5); 'Helår' or '' -> (year, 1); 'Kvartal 2' -> (quarter, 2); None otherwise."""
    key = normalise(text).rstrip(".")
    if key in _YEAR_WORDS:
        return Grain.YEAR, 1
    if key in _MONTHS:
        return Grain.MONTH, _MONTHS[key]
    found = _QUARTER.match(key)
    return (Grain.QUARTER, int(found["number"])) if found else None


def _cut(text: str, limit: int = 40) -> str:
    """TEXT cut to LIMIT characters for a message."""
    return text if len(text) <= limit else text[:limit] + "…"


def parse_count(text: str) -> int | None:
    """A non-negative whole number ('1 234' too), or None when the cell is not one."""
    compact = _GROUP_SPACES.sub("", text.strip())
    if not _INTEGER.match(compact) or len(compact.lstrip("0")) > len(str(MAX_COUNT)):  # no 5,000-digit int()
        return None
    number = int(compact)
    return number if number <= MAX_COUNT else None


def _period_start(year: int, grain: Grain, number: int) -> date:
    """The first day of the period NUMBER of GRAIN in YEAR."""
    if grain is Grain.MONTH:
        return date(year, number, 1)
    if grain is Grain.QUARTER:
        return date(year, 3 * (number - 1) + 1, 1)
    return date(year, 1, 1)


def _as_date(value: object) -> date | None:
    """A validity bound as a date (None for null/NaT)."""
    if value is None or value != value or value is pd.NaT:
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    return date.fromisoformat(text[:10]) if text else None


def bra_years(districts: pd.DataFrame) -> dict[str, tuple[date | None, date | None, date | None, date | None]]:
    """Per district: the catalogue's validity and Brå's (shifted to Brå's switch date), as [from, to)."""
    out = {}
    for row in districts.itertuples(index=False):
        start, end = _as_date(row.valid_from), _as_date(row.valid_to)
        bra_start = REGION_SWITCH.get(start, start) if start else None
        bra_end = REGION_SWITCH.get(end, end) if end else None
        if row.code == OLD_AREAS_TARGET and start is not None:
            bra_start = max(start, OLD_AREAS_END)
        out[str(row.code)] = (start, end, bra_start, bra_end)
    return out


def _within(start: pd.Series, end: pd.Series, lower: pd.Series, upper: pd.Series) -> pd.Series:
    """Whether the periods [start, end) lie within [lower, upper) (a null bound is open)."""
    after = lower.isna() | (start >= lower)
    before = upper.isna() | (end <= upper)
    return after & before


def parse(data: bytes, file_name: str, catalogue: Catalogue) -> Batch:
    """Read a Brå export: counts per district area (or the city), crime type and period as observations."""
    batch = Batch(kind=LoadKind.BRA, file_name=file_name, checksum=checksum(data))
    frame, header_row, problems = read(data, file_name)
    if problems:
        batch.problems.extend(problems)
        return batch
    blank = frame.eq("").all(axis=1)
    comment = ~blank & frame[["Brott", "År", "Period", "Antal"]].eq("").all(axis=1)
    frame = frame[~blank & ~comment]
    if frame.empty:
        batch.problems.append(Problem(file_name, None, None, "exporten innehåller inga rader under rubrikraden. "
                                                             "Exportera tabellen igen med data."))
        return batch
    rows = pd.Series(frame.index, index=frame.index)
    bad = pd.Series(False, index=frame.index)

    def report(mask: pd.Series, column: str, keys: pd.Series, message: Callable[[Any], str]) -> None:
        """A problem per row in MASK; the message is made once per distinct key."""
        texts = {key: message(key) for key in keys[mask].unique()}
        for row, key in zip(rows[mask], keys[mask]):
            batch.problems.append(Problem(file_name, int(row), column, texts[key]))

    # Region, over its unique values
    regions = {text: classify_region(text, catalogue.districts) for text in frame["Region"].unique()}
    kind = frame["Region"].map({t: r.kind for t, r in regions.items()})
    code = frame["Region"].map({t: r.code for t, r in regions.items()})
    unknown = kind.eq("unknown")
    report(unknown, "Region", frame["Region"], lambda t: regions[t].message)
    bad |= unknown
    municipalities = sorted({t for t, r in regions.items() if r.kind == "municipality"})
    others = sorted({t for t, r in regions.items() if r.kind == "other"})
    outside = kind.isin(["municipality", "other"])

    # Brott -> indicator
    codes = catalogue.source_codes[catalogue.source_codes["source"] == SOURCE]
    by_crime = {normalise(c): i for c, i in zip(codes["code"], codes["indicator"])}
    indicator = frame["Brott"].map({t: by_crime.get(normalise(t)) for t in frame["Brott"].unique()})
    # crime types the catalogue does not follow are left out and named in the report, not refused:
    # an export often holds more types than the indicators follow up
    not_followed = indicator.isna() & ~outside
    untracked = sorted(frame.loc[not_followed, "Brott"].unique())
    outside = outside | not_followed
    indicators = catalogue.indicators.set_index("code")
    unit = indicator.map(indicators["unit"].to_dict())
    wrong_unit = indicator.notna() & unit.ne(Unit.COUNT.value) & ~outside
    report(wrong_unit, "Brott", indicator, lambda i: (
        f"indikatorn '{i}' har inte enheten antal; Brås Antal kan bara läsas in i en indikator som räknar antal. "
        "Rätta kopplingen i data/reference/source_code.csv."
    ))
    bad |= wrong_unit

    # År and Period, over their unique values
    years = {text: parse_year(text) for text in frame["År"].unique()}
    year_bad = frame["År"].map({t: y is None for t, y in years.items()}) & ~outside
    report(year_bad, "År", frame["År"], lambda t: f"'{t}' är inget år. Skriv året som 2023 eller '2023 prel.'.")
    periods = {text: parse_month(text) for text in frame["Period"].unique()}
    period_bad = frame["Period"].map({t: p is None for t, p in periods.items()}) & ~outside
    report(period_bad, "Period", frame["Period"], lambda t: (
        f"'{t}' är ingen månad. Skriv månaden som Jan, Feb, Mar, Apr, Maj, Jun, Jul, Aug, Sep, Okt, Nov eller Dec "
        "(eller hela namnet), eller lämna Period tom för helår."
    ))
    bad |= year_bad | period_bad

    # Antal: a whole number, or '..' (missing)
    antal = frame["Antal"]
    missing = antal.isin(list(MISSING))
    counts = {text: parse_count(text) for text in antal[~missing].unique()}
    count_bad = ~missing & antal.map({t: c is None for t, c in counts.items()}).eq(True) & ~outside
    report(count_bad, "Antal", antal, lambda t: (
        f"'{_cut(t)}' är inget antal. Antal ska vara ett helt tal från 0 till {MAX_COUNT_TEXT}, eller '..' när "
        "värdet saknas."
    ))
    bad |= count_bad

    ok = ~bad & ~outside
    grain = frame["Period"].map({t: p[0] if p else None for t, p in periods.items()})
    start = _per_unique(frame[["År", "Period"]].where(ok, ""), lambda y, p: (
        _period_start(years[y][0], periods[p][0], periods[p][1]) if years.get(y) and periods.get(p) else None
    ))  # fmt: skip
    preliminary = frame["År"].map({t: bool(y and y[1]) for t, y in years.items()})
    value = antal.map(counts)

    # a period that does not fit the indicator's frequency, or lies in the future
    frequency = indicator.map(indicators["frequency"].to_dict())
    checks = pd.DataFrame({"indicator": indicator, "frequency": frequency, "grain": grain}).where(ok, None)
    misfit = ok & _per_unique(checks, lambda i, f, g: bool(i and f and g and not grain_fits_frequency(g, f)))
    report(misfit, "Period", indicator, lambda i: (
        f"indikatorn '{i}' har frekvensen {indicators['frequency'].get(i)}; värden per period av den här "
        "längden passar inte. Exportera per månad."
    ))
    future = ok & ~misfit & _per_unique(start.to_frame(), lambda d: d is not None and d > catalogue.today)
    report(future, "Period", start, lambda d: f"perioden som börjar {d} ligger i framtiden. Kontrollera År och Period.")
    ok &= ~misfit & ~future

    table = pd.DataFrame({
        "indicator": indicator, "district": code, "kind": kind, "period_start": start, "grain": grain,
        "value": value, "preliminary": preliminary, "source_row": rows, "missing": missing,
    })[ok]  # fmt: skip
    table["period_end"] = _per_unique(table[["period_start", "grain"]], _period_end)

    table, duplicate_problems, duplicates = _duplicates(table, file_name)
    batch.problems.extend(duplicate_problems)
    table, merge_notes, merge_skipped = _merge_old_areas(table)
    table, time_problems, outside_time = _check_years(table, catalogue, file_name)
    batch.problems.extend(time_problems)
    suppressed = int(table["missing"].sum())
    table = table[~table["missing"]]

    batch.observations = pd.DataFrame({
        "indicator": table["indicator"].astype(str), "district": table["district"].astype(str),
        "place": None, "period_start": table["period_start"], "grain": table["grain"].map(str),
        "value": table["value"].astype(float), "numerator": None, "denominator": None,
        "preliminary": table["preliminary"].astype(bool), "series_break": False,
        "source_row": table["source_row"].astype(int),
    }, columns=list(OBSERVATION_COLUMNS)).reset_index(drop=True)  # fmt: skip
    skipped_outside = int((outside & ~not_followed).sum())
    skipped_untracked = int(not_followed.sum())
    batch.skipped = skipped_outside + skipped_untracked + merge_skipped + outside_time + duplicates
    batch.notes.extend(_notes(
        len(batch.observations), skipped_outside, municipalities, others, suppressed, outside_time, duplicates,
        int(batch.observations["preliminary"].sum()),
    ))  # fmt: skip
    batch.notes.extend(merge_notes)
    if untracked:
        names = ", ".join(f"'{name}'" for name in untracked)
        batch.notes.append(
            f"{int(not_followed.sum())} rader med brottstyper som inga nyckeltal följer hoppades över ({names}). "
            "Koppla en brottstyp till ett nyckeltal i data/reference/source_code.csv om den ska följas."
        )
        followed = list(codes["code"])
        for name in untracked:  # a near miss of a followed type is probably a typo or a renamed type
            hint = did_you_mean(name, followed)
            if hint:
                batch.notes.append(f"Brottstypen '{name}' följs inte.{hint} Rätta namnet i exporten eller i "
                                   "data/reference/source_code.csv.")
    batch.problems.sort(key=lambda problem: problem.row or 0)
    return batch


def _per_unique(columns: pd.DataFrame, function: Callable[..., Any]) -> pd.Series:
    """FUNCTION applied once per distinct row of COLUMNS, mapped back to every row (None stays None)."""
    if columns.empty:
        return pd.Series([], index=columns.index, dtype="object")
    keys = pd.MultiIndex.from_frame(columns.astype(object).where(columns.notna(), None))
    codes, uniques = pd.factorize(keys)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [function(*(None if v is None or v != v else v for v in unique)) for unique in uniques]
    return pd.Series(results[codes], index=columns.index, dtype="object")


def _period_end(start: date | None, grain: Grain | None) -> date | None:
    """The first day after the period."""
    if start is None or grain is None:
        return None
    months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[Grain(grain)]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _merge_old_areas(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str], int]:
    """Hägersten-Liljeholmen + Älvsjö in 2020 -> Hägersten-Älvsjö (their sum); other years of them skipped.

    A sum needs both parts; when one is '..' or absent, the sum is missing (no row) and counted.
    """
    old = table["kind"].eq("old")
    if table.empty or not old.any():
        return table, [], 0
    parts = table[old]
    in_2020 = parts["period_start"].map(lambda d: date(2020, 1, 1) <= d < OLD_AREAS_END)
    early = parts[~in_2020 & parts["period_start"].map(lambda d: d < date(2020, 1, 1))]
    late = parts[~in_2020 & ~parts.index.isin(early.index)]
    merged = parts[in_2020]
    keys = ["indicator", "period_start", "grain"]
    groups = merged.groupby(keys, sort=False)
    summed = groups.agg(
        value=("value", lambda v: float(v.sum()) if v.notna().all() else None),
        preliminary=("preliminary", "any"), source_row=("source_row", "min"), missing=("missing", "any"),
        areas=("district", "nunique"), period_end=("period_end", "first"),
    ).reset_index()  # fmt: skip
    complete = summed["areas"].eq(len(OLD_AREAS)) & ~summed["missing"]
    summed["missing"] = ~complete
    summed["district"] = OLD_AREAS_TARGET
    summed["kind"] = "merged"
    notes = []
    if len(summed):
        notes.append(
            f"{int(complete.sum())} värden för 2020 är summan av Brås områden Hägersten-Liljeholmen och Älvsjö, "
            "som tillsammans är Hägersten-Älvsjö."
            + (f" {int((~complete).sum())} saknas eftersom ett av de två områdena saknade värde." if (~complete).any() else "")
        )
    if len(early):
        notes.append(f"{len(early)} rader för Hägersten-Liljeholmen eller Älvsjö före 2020 hoppades över: "
                     "områdena finns inte i katalogen.")  # fmt: skip
    # rows after 2020 go on to the time check as Hägersten-Älvsjö rows outside Brå's years for the old areas
    late = late.assign(district=OLD_AREAS_TARGET, kind="late-old")
    rest = table[~old]
    out = pd.concat([rest, summed[rest.columns.intersection(summed.columns)], late], ignore_index=True)
    return out, notes, len(early) + len(merged) - len(summed)


def _check_years(table: pd.DataFrame, catalogue: Catalogue, file_name: str) -> tuple[pd.DataFrame, list[Problem], int]:
    """Drop zeros outside Brå's years for the area (missing, not zero); a count there is a problem."""
    if table.empty:
        return table, [], 0
    years = bra_years(catalogue.districts)
    own_from, own_to, bra_from, bra_to = (
        table["district"].map({code: bounds[index] for code, bounds in years.items()}) for index in range(4)
    )
    late_old = table["kind"].eq("late-old")
    merged = table["kind"].eq("merged")  # Brå's own regions of 2020, summed: in Brå's years by definition
    in_bra = (_within(table["period_start"], table["period_end"], bra_from, bra_to) | merged) & ~late_old
    in_city = _within(table["period_start"], table["period_end"], own_from, own_to) & ~late_old
    zero_or_missing = table["missing"] | table["value"].eq(0)
    drop = ~in_bra & zero_or_missing
    wrong = ~in_bra & ~in_city & ~zero_or_missing
    problems = [
        Problem(file_name, int(row), "Region",
                f"området har ett värde ({value:.0f}) för perioden som börjar {start}, då det inte fanns "
                "(enligt data/reference/district.csv och Brås regionindelning). Kontrollera Region och År.")
        for row, value, start in zip(table["source_row"][wrong], table["value"][wrong], table["period_start"][wrong])
    ]  # fmt: skip
    return table[~drop & ~wrong], problems, int(drop.sum())


def _duplicates(table: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Problem], int]:
    """Identical repeated rows kept once (Brå's raw exports repeat blocks); different values are a problem."""
    keys = ["indicator", "district", "period_start", "grain"]
    if table.empty:
        return table, [], 0
    first = table.drop_duplicates(keys, keep="first")
    repeated = table[table.duplicated(keys, keep="first")]
    if repeated.empty:
        return table, [], 0
    merged = repeated.merge(first[[*keys, "value", "source_row"]], on=keys, suffixes=("", "_first"))
    conflict = merged[merged["value"].fillna(-1) != merged["value_first"].fillna(-1)]
    problems = [
        Problem(file_name, int(row), "Antal",
                f"samma område, brottstyp och period finns redan på rad {int(earlier)} med ett annat antal "
                f"({first_value:.0f} mot {value:.0f}). Ta bort den ena raden.")
        for row, earlier, first_value, value in zip(
            conflict["source_row"], conflict["source_row_first"], conflict["value_first"], conflict["value"])
    ]  # fmt: skip
    return first, problems, len(repeated) - len(conflict)


def _notes(
    loaded: int, outside: int, municipalities: list[str], others: list[str], suppressed: int,
    outside_time: int, duplicates: int, preliminary: int,
) -> list[str]:
    """The report lines: what was read, what was skipped and why."""
    notes = [f"{loaded} värden för Stockholms stad och dess stadsdelsområden"
             + (f", varav {preliminary} preliminära." if preliminary else ".")]  # fmt: skip
    if outside:
        names = ", ".join((municipalities + others)[:5]) + (" …" if len(municipalities) + len(others) > 5 else "")
        notes.append(f"{outside} rader för andra kommuner och regioner hoppades över ({names}).")
    if suppressed:
        notes.append(f"{suppressed} värden saknas ('..' i exporten) och lästes inte in: saknat är inte noll.")
    if outside_time:
        notes.append(f"{outside_time} nollor eller tomma värden för perioder då området inte fanns i Brås indelning "
                     "lästes inte in.")  # fmt: skip
    if duplicates:
        notes.append(f"{duplicates} rader fanns två gånger med samma antal; de lästes in en gång.")
    return notes
