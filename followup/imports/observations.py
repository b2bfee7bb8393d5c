"""Indicator values (observations) in the long format: indikator, område, plats, period, värde, n.

One row per indicator, district area, place (empty: the whole area) and period. Every column is checked
over its unique values and the result mapped back to the rows, so a million rows parse in seconds; a
Problem (Swedish, with row and column) is built only for a bad cell. The format is documented in
docs/import-formats.md (## Indikatorvärden).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from followup.imports import parsing
from followup.imports.base import (MAX_COUNT, MAX_COUNT_TEXT, MAX_VALUE, OBSERVATION_COLUMNS, Batch, Catalogue, Problem,
                                   checksum)
from followup.imports.tabular import Table, read_table
from followup.imports.text import Suggestions, normalise
from followup.model import CITY_DISTRICT, Frequency, Grain, LoadKind, Unit
from followup.periods import Period, grain_name, natural_grain

REQUIRED = {
    "indikator": ("indikatorkod", "indikatornamn", "nyckeltal", "indicator"),
    "område": ("stadsdelsområde", "stadsdel", "district"),
    "period": ("tidsperiod",),
    "värde": ("value",),
}
"""Required columns: canonical heading -> other accepted headings (case and å/ä/ö do not matter)."""

OPTIONAL = {
    "plats": ("place",),
    "n": ("antal svarande", "svarande", "nämnare", "befolkning"),
}
"""Optional columns: without plats every row is for the whole district; n is the denominator."""

CITY_NAMES = ("stockholm", "stockholms stad", "staden", "hela staden", "stockholms kommun")
"""Names accepted for the pseudo district that holds city-level values."""

EXAMPLE_CODE = {
    Grain.WEEK: "2025-W12",
    Grain.MONTH: "2025-03",
    Grain.QUARTER: "2025-Q2",
    Grain.TERTIAL: "2025-T2",
    Grain.YEAR: "2025",
}
"""An example period code per grain, for messages and the template."""

_N_UNITS = {Unit.SHARE.value, Unit.PER_1000.value}
_NON_NEGATIVE = {Unit.COUNT.value, Unit.PER_1000.value, Unit.SEK.value}


@dataclass
class _Found:
    """Problems found so far, and which rows have one (those rows are left out of the batch)."""

    file_name: str
    table: Table
    bad_row: np.ndarray
    order: dict[str, int]
    items: list[tuple[int, int, Problem]] = field(default_factory=list)

    def add(self, mask: pd.Series | np.ndarray, key: str | None, messages: str | pd.Series) -> None:
        """Add a problem for every row in MASK, in column KEY, with one message or a message per row."""
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(where):
            return
        self.bad_row[where] = True
        rows = self.table.row_numbers[where]
        column = self.table.heading(key) if key else None
        position = self.order.get(key or "", -1)
        if isinstance(messages, str):
            texts = [messages] * len(where)
        else:  # a Series indexed by row position, holding at least the masked rows
            texts = list(messages.reindex(where).fillna(""))
        self.items.extend(
            (int(row), position, Problem(self.file_name, int(row), column, text))
            for row, text in zip(rows, texts, strict=True)
        )

    def problems(self) -> list[Problem]:
        """All problems in file order: by row, then by column."""
        return [problem for _, _, problem in sorted(self.items, key=lambda item: (item[0], item[1]))]


def parse(data: bytes, file_name: str, catalogue: Catalogue) -> Batch:
    """Read an observations file (.xlsx or .csv) into a Batch; every bad cell is a Problem."""
    table = read_table(data, file_name, required=REQUIRED, optional=OPTIONAL)
    batch = Batch(LoadKind.OBSERVATIONS, file_name, checksum(data))
    keys = table.match({**REQUIRED, **OPTIONAL})
    rows = table.rows
    found = _Found(
        file_name, table, np.zeros(len(rows), dtype=bool), {key: i for i, key in enumerate(table.rows.columns)}
    )
    if not len(rows):
        batch.notes.append("Filen har inga rader med värden under rubrikraden.")
        batch.problems = list(table.problems)
        return batch

    def cells(name: str) -> pd.Series:
        """The column's cells, or '' for every row when the optional column is missing."""
        return rows[keys[name]] if name in keys else pd.Series("", index=rows.index, dtype=object)

    indicators = catalogue.indicators.set_index("code")
    indicator = _indicator_codes(cells("indikator"), keys["indikator"], catalogue, found)
    district = _district_codes(cells("område"), keys["område"], catalogue, found)
    place = _place_codes(cells("plats"), keys.get("plats"), district, catalogue, found)

    unit = _lookup(indicator, indicators["unit"])
    frequency = _lookup(indicator, indicators["frequency"])
    computed = _lookup(indicator, indicators["event_category"])
    from_events = computed.notna() & computed.ne("")
    names = _lookup(indicator, indicators["name"])
    found.add(
        from_events,
        keys["indikator"],
        names[from_events].map(lambda name: f"indikatorn '{name}' räknas från EST-rapporter; ladda EST-listan i stället."),
    )

    start, grain = _periods(cells("period"), keys["period"], frequency, indicator, catalogue, found)
    _district_in_force(district, start, grain, keys["område"], catalogue, found)
    value = _values(cells("värde"), keys["värde"], unit, names, found)
    n = _denominators(cells("n"), keys.get("n"), unit, names, found)
    _duplicates(indicator, district, place, start, grain, keys, found)

    batch.problems = sorted(
        table.problems + found.problems(), key=lambda problem: (problem.row or 0)
    )
    good = ~found.bad_row
    batch.observations = _frame(indicator, district, place, start, grain, value, n, table, good)
    return batch


def _unique_map(cells: pd.Series, lookup: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Per row the code its text maps to (None when unknown or empty) and the stripped text."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    texts = np.array([str(value).strip() if isinstance(value, str) else "" for value in uniques], dtype=object)
    mapped = np.array([lookup.get(normalise(text)) if text else None for text in texts], dtype=object)
    return (
        pd.Series(mapped[codes], index=cells.index, dtype=object),
        pd.Series(texts[codes], index=cells.index, dtype=object),
    )


def _lookup(codes: pd.Series, attribute: pd.Series) -> pd.Series:
    """Per row the ATTRIBUTE (a Series indexed by code) of the row's code, looked up once per distinct code."""
    positions, uniques = pd.factorize(codes)
    values = np.array(
        [attribute.get(code) if isinstance(code, str) else None for code in uniques] + [None], dtype=object
    )
    values = np.where(pd.isna(values), None, values)
    return pd.Series(values[positions], index=codes.index, dtype=object)


def _unknown(texts: pd.Series, mask: pd.Series, message: Callable[[str], str]) -> pd.Series:
    """Messages for the masked rows, computed once per distinct text."""
    chosen = texts[np.asarray(mask, dtype=bool)]
    distinct = {text: message(text) for text in pd.unique(chosen)}
    return chosen.map(distinct)


def _check_text(texts: pd.Series, key: str, found: _Found, what: str) -> tuple[pd.Series, pd.Series]:
    """Masks of empty cells and formula cells in a text column (formulas reported as problems)."""
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    empty = pd.Series(distinct.eq("").to_numpy(dtype=bool)[codes], index=texts.index)
    formula = pd.Series(distinct.str.startswith("=").to_numpy(dtype=bool)[codes], index=texts.index)
    found.add(formula, key, texts[formula].map(lambda text: parsing.FORMULA.format(value=text)))
    return empty, formula


def _indicator_codes(cells: pd.Series, key: str, catalogue: Catalogue, found: _Found) -> pd.Series:
    """Indicator codes from codes or exact names; problems for empty, formula and unknown cells."""
    frame = catalogue.indicators
    lookup = {normalise(code): code for code in frame["code"]}
    lookup.update({normalise(name): code for name, code in zip(frame["name"], frame["code"], strict=True)})
    codes, texts = _unique_map(cells, lookup)
    empty, formula = _check_text(texts, key, found, "indikator")
    found.add(empty, key, "indikator saknas. Skriv indikatorns kod eller namn (se mallens flik Indikatorer).")
    unknown = codes.isna() & ~empty & ~formula
    by_name, by_code = Suggestions(frame["name"]), Suggestions(frame["code"])
    found.add(
        unknown,
        key,
        _unknown(
            texts,
            unknown,
            lambda text: f"okänd indikator '{text}'.{by_name(text) or by_code(text)} "
            "Giltiga koder och namn finns i mallens flik Indikatorer.",
        ),
    )
    return codes


def district_lookup(catalogue: Catalogue) -> dict[str, str]:
    """Normalised district codes and names (and 'Stockholm', 'Stockholms stad' …) -> district code."""
    frame = catalogue.districts
    lookup = {normalise(code): code for code in frame["code"]}
    for name, code in zip(frame["name"], frame["code"], strict=True):
        lookup[normalise(name)] = code
        lookup.setdefault(normalise(f"{name} stadsdelsområde"), code)
        lookup.setdefault(normalise(f"stadsdelsområde {name}"), code)
    if CITY_DISTRICT in set(frame["code"]):
        for name in CITY_NAMES:
            lookup.setdefault(normalise(name), CITY_DISTRICT)
    return lookup


def place_lookup(catalogue: Catalogue) -> dict[str, str]:
    """Normalised place codes, names and aliases (those naming a place) -> place code."""
    frame = catalogue.places
    lookup = {normalise(code): code for code in frame["code"]}
    lookup.update({normalise(name): code for name, code in zip(frame["name"], frame["code"], strict=True)})
    aliases = catalogue.aliases
    if len(aliases):
        for alias, place in zip(aliases["alias"], aliases["place"], strict=True):
            if isinstance(place, str) and place:
                lookup.setdefault(normalise(alias), place)
    return lookup


def _district_codes(cells: pd.Series, key: str, catalogue: Catalogue, found: _Found) -> pd.Series:
    """District codes from codes or names; problems for empty, formula and unknown cells."""
    codes, texts = _unique_map(cells, district_lookup(catalogue))
    empty, formula = _check_text(texts, key, found, "område")
    found.add(
        empty,
        key,
        "område saknas. Skriv stadsdelsområdets namn, eller Stockholms stad för värden för hela staden.",
    )
    unknown = codes.isna() & ~empty & ~formula
    names = list(catalogue.districts["name"])
    hint = Suggestions(names)
    found.add(
        unknown,
        key,
        _unknown(
            texts,
            unknown,
            lambda text: f"okänt område '{text}'.{hint(text)} Giltiga områden finns i mallens "
            "flik Områden och platser.",
        ),
    )
    return codes


def _place_codes(
    cells: pd.Series, key: str | None, district: pd.Series, catalogue: Catalogue, found: _Found
) -> pd.Series:
    """Place codes (None for the whole district); problems for unknown places and places in another district."""
    if key is None:
        return pd.Series(None, index=cells.index, dtype=object)
    codes, texts = _unique_map(cells, place_lookup(catalogue))
    empty, formula = _check_text(texts, key, found, "plats")
    unknown = codes.isna() & ~empty & ~formula
    places = catalogue.places
    hint = Suggestions(places["name"])
    found.add(
        unknown,
        key,
        _unknown(
            texts,
            unknown,
            lambda text: f"okänd plats '{text}'.{hint(text)} Lämna plats tom för hela "
            "området; giltiga platser finns i mallens flik Områden och platser.",
        ),
    )
    home = _lookup(codes, places.set_index("code")["district"])
    elsewhere = codes.notna() & district.notna() & home.ne(district)
    if elsewhere.any():
        place_names = places.set_index("code")["name"]
        district_names = catalogue.districts.set_index("code")["name"]
        pairs = codes.astype(str) + "\x1f" + district.astype(str)
        found.add(
            elsewhere,
            key,
            _unknown(
                pairs,
                elsewhere,
                lambda pair: _elsewhere_message(pair, place_names, district_names, places),
            ),
        )
    return codes.where(~empty, None)


def _elsewhere_message(pair: str, place_names: pd.Series, district_names: pd.Series, places: pd.DataFrame) -> str:
    """The message for a place that lies in another district than the row's."""
    place, district = pair.split("\x1f")
    home = places.set_index("code").at[place, "district"]
    return (
        f"platsen '{place_names[place]}' ligger i {district_names.get(home, home)}, inte i "
        f"{district_names.get(district, district)}. Rätta området eller platsen."
    )


def _periods(
    cells: pd.Series, key: str, frequency: pd.Series, indicator: pd.Series, catalogue: Catalogue, found: _Found
) -> tuple[pd.Series, pd.Series]:
    """Period starts and grains; problems for bad, empty, future and ill-fitting periods."""
    parsed = parsing.parse_periods(cells)
    found.add(parsed.bad, key, parsed.error)
    found.add(parsed.empty, key, "period saknas. Skriv perioden som 2025, 2025-T2, 2025-Q2, 2025-03 eller 2025-W12.")
    today = np.datetime64(catalogue.today, "ns")
    future = parsed.start.notna() & (parsed.start.to_numpy() > today)
    texts = pd.Series(cells.to_numpy(dtype=object), index=cells.index, dtype=object)
    found.add(
        future,
        key,
        _unknown(
            texts,
            future,
            lambda text: f"perioden '{text.strip()}' har inte börjat än (i dag är det {catalogue.today.isoformat()}). "
            "Värden kan bara laddas för perioder som har börjat.",
        ),
    )
    misfit = _misfits(frequency, parsed.grain)
    if misfit.any():
        names = indicator[misfit].map(catalogue.indicators.set_index("code")["name"]).astype(str)
        details = frequency[misfit].astype(str) + "|" + parsed.grain[misfit].astype(str) + "|" + names
        details = details + "|" + texts[misfit].str.strip()
        found.add(misfit, key, details.map({text: _misfit_message(text) for text in pd.unique(details)}))
    return parsed.start, parsed.grain


def _misfits(frequency: pd.Series, grain: pd.Series) -> pd.Series:
    """True where a known grain does not fit the row's indicator frequency (a lookup per distinct pair)."""
    f_codes, f_values = pd.factorize(frequency)
    g_codes, g_values = pd.factorize(grain)
    table = np.array(
        [[Grain(g) != natural_grain(Frequency(f)) for g in g_values] for f in f_values], dtype=bool
    ).reshape(len(f_values), len(g_values))
    known = (f_codes >= 0) & (g_codes >= 0)
    result = np.zeros(len(frequency), dtype=bool)
    result[known] = table[f_codes[known], g_codes[known]]
    return pd.Series(result, index=frequency.index)


_ARTICLE = {Grain.WEEK: "en", Grain.MONTH: "en", Grain.QUARTER: "ett", Grain.TERTIAL: "en", Grain.YEAR: "ett"}
"""The Swedish indefinite article of each grain's name (en vecka, ett kvartal, ett år)."""


def _misfit_message(text: str) -> str:
    """The message for a period whose grain does not fit the indicator's frequency."""
    freq, grain, name, period = text.split("|", 3)
    natural = natural_grain(Frequency(freq))
    return (
        f"perioden '{period}' är {_ARTICLE[Grain(grain)]} {grain_name(Grain(grain))}, men indikatorn '{name}' redovisas per "
        f"{grain_name(natural)}. Skriv perioden som {grain_name(natural)} (t.ex. {EXAMPLE_CODE[natural]})."
    )


def _district_in_force(
    district: pd.Series, start: pd.Series, grain: pd.Series, key: str, catalogue: Catalogue, found: _Found
) -> None:
    """Problems for periods that fall wholly outside the district's lifetime (valid_from, valid_to)."""
    districts = catalogue.districts.set_index("code")
    valid_from = pd.to_datetime(_lookup(district, districts["valid_from"]), errors="coerce")
    valid_to = pd.to_datetime(_lookup(district, districts["valid_to"]), errors="coerce")
    known = district.notna() & start.notna() & grain.notna()
    if not (known & (valid_from.notna() | valid_to.notna())).any():
        return
    end = _period_ends(start, grain)
    before = known & valid_from.notna() & (end <= valid_from)
    after = known & valid_to.notna() & (start >= valid_to)
    outside = before | after
    if not outside.any():
        return
    names = district[outside].map(districts["name"]).astype(str)
    span = valid_from[outside].dt.strftime("%Y-%m-%d").fillna("") + "|"
    span = span + valid_to[outside].dt.strftime("%Y-%m-%d").fillna("")
    texts = names + "|" + span + "|" + _labels(start, grain, outside)[outside]
    found.add(outside, key, texts.map({text: _outside_message(text) for text in pd.unique(texts)}))


def _labels(start: pd.Series, grain: pd.Series, mask: pd.Series) -> pd.Series:
    """Swedish period labels for the masked rows ('' elsewhere)."""
    labels = pd.Series("", index=start.index, dtype=object)
    labels[mask] = [Period(pd.Timestamp(s).date(), Grain(g)).label for s, g in zip(start[mask], grain[mask], strict=True)]
    return labels


def _outside_message(text: str) -> str:
    """The message for a district that did not exist in the row's period."""
    name, valid_from, valid_to, label = text.split("|", 3)
    if valid_from and valid_to:
        span = f"fanns {valid_from}–{_day_before(valid_to)}"
    elif valid_from:
        span = f"finns från {valid_from}"
    else:
        span = f"fanns till och med {_day_before(valid_to)}"
    return (
        f"området {name} fanns inte under {label} (det {span}). Använd det stadsdelsområde som gällde då."
    )


def _day_before(day: str) -> str:
    """The ISO day before an ISO date (valid_to is exclusive; people read the last day)."""
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def _period_ends(start: pd.Series, grain: pd.Series) -> pd.Series:
    """Each period's exclusive end, computed once per distinct (start, grain)."""
    pairs = pd.DataFrame({"start": start, "grain": grain})
    distinct = pairs.dropna().drop_duplicates()
    ends = {
        (s, g): pd.Timestamp(Period(pd.Timestamp(s).date(), Grain(g)).end)
        for s, g in zip(distinct["start"], distinct["grain"], strict=True)
    }
    index = pd.MultiIndex.from_frame(pairs)
    return pd.Series(index.map(lambda pair: ends.get(pair, pd.NaT)), index=start.index, dtype="datetime64[ns]")


def _values(cells: pd.Series, key: str, unit: pd.Series, names: pd.Series, found: _Found) -> pd.Series:
    """Values as floats; problems for empty, text, shares outside 0–100 and negative counts."""
    share = unit.eq(Unit.SHARE.value) | unit.isna()
    parsed = parsing.parse_numbers(cells, percent_ok=share)
    found.add(parsed.bad, key, parsed.error)
    found.add(parsed.empty, key, "värde saknas. Skriv värdet, eller ta bort raden om värdet inte finns.")
    value = parsed.values
    out_of_range = unit.eq(Unit.SHARE.value) & value.notna() & ((value < 0) | (value > 100))
    found.add(
        out_of_range,
        key,
        value[out_of_range].map(
            lambda number: f"andelen {_number(number)} ligger utanför 0–100. Skriv andelar i procent "
            "(t.ex. 45,5 för 45,5 %)."
        ),
    )
    negative = unit.isin(_NON_NEGATIVE) & value.notna() & (value < 0)
    found.add(
        negative,
        key,
        pd.Series(
            [
                f"negativt värde ({_number(number)}) går inte för indikatorn '{name}', som räknar antal eller "
                "belopp. Rätta värdet."
                for number, name in zip(value[negative], names[negative], strict=True)
            ],
            index=value.index[negative],
            dtype=object,
        ),
    )
    _check_bounds(cells, key, unit, value, found)
    return value


_THOUSANDS = r"^[+\-\u2212]?\d{1,3}(?:[.,]\d{3})+$"
"""'1.234' or '1,234,567': in a Swedish file a point (or comma) before three digits is usually a thousands
separator, so for a count it is ambiguous."""


def _check_bounds(cells: pd.Series, key: str, unit: pd.Series, value: pd.Series, found: _Found) -> None:
    """Problems for counts that are not whole numbers, look like thousands, or are too large, and for any value
    beyond MAX_VALUE (pages and exports format values as integers)."""
    count = unit.eq(Unit.COUNT.value) & value.notna()
    text = cells.astype(str).str.strip()
    ambiguous = count & text.str.match(_THOUSANDS)
    found.add(ambiguous, key, text[ambiguous].map(
        lambda t: f"'{t}' går inte att tolka säkert som antal: punkt eller komma före tre siffror kan vara "
        f"tusentalsavgränsare. Skriv antalet utan avgränsare, t.ex. {re.sub(r'[.,]', '', t)} (mellanslag går bra)."))
    fraction = count & ~ambiguous & (value % 1 != 0)
    found.add(fraction, key, value[fraction].map(
        lambda number: f"{_number(number)} är inget helt tal; ett antal räknas i hela tal. Rätta värdet."))
    too_large = (count & (value > MAX_COUNT)) | (value.notna() & (value.abs() > MAX_VALUE))
    found.add(too_large & ~ambiguous & ~fraction, key,
              f"värdet är orimligt stort. Ett antal får vara högst {MAX_COUNT_TEXT} och andra värden högst "
              "1 000 000 000 000. Rätta värdet.")


def _denominators(
    cells: pd.Series, key: str | None, unit: pd.Series, names: pd.Series, found: _Found
) -> pd.Series:
    """n (respondents or population) as floats, NaN when empty; problems for bad or misplaced n."""
    if key is None:
        return pd.Series(np.nan, index=cells.index, dtype=float)
    parsed = parsing.parse_numbers(cells)
    found.add(parsed.bad, key, parsed.error)
    value = parsed.values
    not_positive = value.notna() & (value <= 0)
    found.add(
        not_positive,
        key,
        "n ska vara ett positivt tal (antal svarande eller befolkning). Lämna n tom om det saknas.",
    )
    misplaced = value.notna() & unit.notna() & ~unit.isin(_N_UNITS)
    found.add(
        misplaced,
        key,
        names[misplaced].astype(str).map(
            lambda name: f"n (antal svarande eller befolkning) används bara för andelar och värden per 1 000 "
            f"invånare. Lämna n tom för indikatorn '{name}'."
        ),
    )
    return value


def _duplicates(
    indicator: pd.Series,
    district: pd.Series,
    place: pd.Series,
    start: pd.Series,
    grain: pd.Series,
    keys: dict[str, str],
    found: _Found,
) -> None:
    """Problems for rows with the same indicator, district, place and period as an earlier row."""
    frame = pd.DataFrame(
        {
            "indicator": indicator,
            "district": district,
            "place": place.fillna(""),
            "start": start,
            "grain": grain,
        }
    )
    complete = frame[["indicator", "district", "start", "grain"]].notna().all(axis=1)
    subset = frame[complete]
    repeated = subset.duplicated(keep="first")
    if not repeated.any():
        return
    numbers = pd.Series(found.table.row_numbers[complete.to_numpy()], index=subset.index)
    first = numbers.groupby([subset[c] for c in subset.columns], sort=False).transform("min")
    mask = pd.Series(False, index=frame.index)
    mask[repeated[repeated].index] = True
    messages = pd.Series("", index=frame.index, dtype=object)
    messages[mask] = first[repeated].map(
        lambda row: f"samma indikator, område, plats och period som rad {row} (dubblett). Ta bort en av raderna."
    )
    found.add(mask, keys["period"], messages)


def _number(value: float) -> str:
    """A number as a Swedish writes it in a message (decimal comma, no needless decimals)."""
    text = f"{value:.10g}"
    return text.replace(".", ",").replace("-", "−")


def _none_if_missing(series: pd.Series) -> np.ndarray:
    """The values of a column with None (never NaN) where missing."""
    values = series.to_numpy(dtype=object)
    return np.where(pd.isna(values), None, values)


def _frame(
    indicator: pd.Series,
    district: pd.Series,
    place: pd.Series,
    start: pd.Series,
    grain: pd.Series,
    value: pd.Series,
    n: pd.Series,
    table: Table,
    good: np.ndarray,
) -> pd.DataFrame:
    """Batch.observations for the rows without problems (period_start as datetime.date)."""
    keep = pd.Series(good, index=indicator.index)
    count = int(good.sum())
    denominator = n[keep].to_numpy(dtype=float)
    starts = start[keep]
    codes, uniques = pd.factorize(starts)
    days = np.array([pd.Timestamp(day).date() for day in uniques], dtype=object)
    period_start: list[date] | np.ndarray = days[codes] if len(codes) else np.array([], dtype=object)
    frame = pd.DataFrame(
        {
            "indicator": pd.Series(indicator[keep].to_numpy(dtype=object), dtype=object),
            "district": pd.Series(district[keep].to_numpy(dtype=object), dtype=object),
            "place": pd.Series(_none_if_missing(place[keep]), dtype=object),
            "period_start": pd.Series(period_start, dtype=object),
            "grain": pd.Series(grain[keep].to_numpy(dtype=object), dtype=object),
            "value": value[keep].astype(float).to_numpy(),
            "numerator": pd.arrays.FloatingArray(np.zeros(count), np.ones(count, dtype=bool)),
            "denominator": pd.arrays.FloatingArray(denominator, np.isnan(denominator)),
            "preliminary": np.zeros(count, dtype=bool),
            "series_break": np.zeros(count, dtype=bool),
            "source_row": table.row_numbers[good].astype(np.int64),
        },
        columns=list(OBSERVATION_COLUMNS),
    )
    return frame
