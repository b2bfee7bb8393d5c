"""EST incident lists: one row per incident (date and time, place, category, reporter, free text).

EST (Stockholm's "en stad som tar ansvar" reporting) lists come from .xlsx or .csv. Places are matched to
the catalogue's places (code, name or alias) or to a district name (then the place is None); categories
to the catalogue's event categories (code, name, or a documented synonym such as 'mörk plats' or
'annat'), never guessed. Without an id column each incident gets a stable id from its contents, so that
loading the same file twice adds nothing. The format is documented in docs/import-formats.md
(## EST-rapporter).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from followup.imports import parsing
from followup.imports.base import (CONTROL_CHARACTERS, EVENT_COLUMNS, Batch, Catalogue, Problem, checksum,
                                   without_controls)
from followup.imports.observations import district_lookup, place_lookup
from followup.imports.tabular import read_table
from followup.imports.text import Suggestions, normalise
from followup.model import EventSource, LoadKind

REQUIRED = {
    "datum": ("date", "händelsedatum", "datum och tid", "datum-tid", "datum tid", "tidpunkt", "inträffade"),
    "plats": ("place", "adress", "plats/område", "platsnamn"),
    "kategori": ("category", "typ", "händelsetyp", "rapporttyp"),
}
"""Required columns: canonical heading -> other accepted headings (case and å/ä/ö do not matter)."""

OPTIONAL = {
    "område": ("stadsdelsområde", "district"),
    "tid": ("klockslag", "kl", "time", "tid på dygnet"),
    "rapportör": ("organisation", "rapporterande organisation", "rapporterad av", "inrapporterad av", "reporter"),
    "beskrivning": ("fritext", "text", "kommentar", "händelse", "description"),
    "id": ("ärendenummer", "ärendenr", "ärende", "rapport-id", "rapportid", "löpnummer"),
}
"""Optional columns: time of day, reporting organisation, free text and the report's own id."""

CATEGORY_SYNONYMS = {
    "otrygg plats": "otrygg-plats",
    "mörk plats": "otrygg-plats",
    "otrygg/mörk plats": "otrygg-plats",
    "belysning": "otrygg-plats",
    "trasig belysning": "otrygg-plats",
    "narkotika": "narkotika",
    "narkotikahantering": "narkotika",
    "hot mot anställd": "hot-vald-anstalld",
    "våld mot anställd": "hot-vald-anstalld",
    "hot och våld mot anställd": "hot-vald-anstalld",
    "annat": "ovrigt",
    "annan": "ovrigt",
    "övrigt": "ovrigt",
    "skräp": "nedskrapning",
    "störande personer": "storande-samling",
}
"""Other words for the event categories (used only when the target code is in the catalogue)."""

_TEXT_START = ("=", "+", "-", "@")


def category_lookup(catalogue: Catalogue) -> dict[str, str]:
    """Normalised category codes, names and synonyms -> category code."""
    frame = catalogue.categories
    codes = set(frame["code"])
    lookup = {normalise(code): code for code in frame["code"]}
    lookup.update({normalise(name): code for name, code in zip(frame["name"], frame["code"], strict=True)})
    for word, code in CATEGORY_SYNONYMS.items():
        if code in codes:
            lookup.setdefault(normalise(word), code)
    return lookup


def parse(data: bytes, file_name: str, catalogue: Catalogue) -> Batch:
    """Read an EST incident list (.xlsx or .csv) into a Batch of events; every bad cell is a Problem."""
    table = read_table(data, file_name, required=REQUIRED, optional=OPTIONAL)
    batch = Batch(LoadKind.EST, file_name, checksum(data))
    keys = table.match({**REQUIRED, **OPTIONAL})
    rows = table.rows
    numbers = table.row_numbers
    problems: list[tuple[int, int, Problem]] = []
    order = {key: i for i, key in enumerate(rows.columns)}
    bad = np.zeros(len(rows), dtype=bool)

    def add(mask: pd.Series | np.ndarray, key: str | None, messages: str | list[str]) -> None:
        """Record a problem for each masked row."""
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        bad[where] = True
        texts = [messages] * len(where) if isinstance(messages, str) else messages
        column = table.heading(key) if key else None
        for i, text in zip(where, texts, strict=True):
            problems.append((int(numbers[i]), order.get(key or "", -1), Problem(file_name, int(numbers[i]), column, text)))

    def cells(name: str) -> pd.Series:
        """The stripped cells of a column ('' for every row when the optional column is missing)."""
        if name not in keys:
            return pd.Series("", index=rows.index, dtype=object)
        return pd.Series(rows[keys[name]].to_numpy(dtype=object), index=rows.index, dtype=object).str.strip()

    if not len(rows):
        batch.notes.append("Filen har inga rapporter under rubrikraden.")
        batch.problems = list(table.problems)
        return batch

    occurred = _occurred_at(cells("datum"), cells("tid"), keys, add)
    future = occurred.notna() & (occurred.dt.normalize() > pd.Timestamp(catalogue.today))
    add(
        future,
        keys["datum"],
        [
            f"datumet {stamp:%Y-%m-%d} ligger i framtiden (i dag är det {catalogue.today.isoformat()}). Rätta datumet."
            for stamp in occurred[future]
        ],
    )

    district, place = _places(cells("plats"), keys["plats"], catalogue, add)
    if "område" in keys:
        district = _with_district(cells("område"), keys["område"], district, place, catalogue, add)
    category = _categories(cells("kategori"), keys["kategori"], catalogue, add)
    reporter = _without_controls(cells("rapportör"))  # ESC and the like would act in a terminal or export
    description = _without_controls(cells("beskrivning"))
    source_id = _source_ids(cells("id"), occurred, district, place, category, reporter, description)
    if "id" in keys:
        repeated = source_id.duplicated(keep="first") & cells("id").ne("")
        first = pd.Series(numbers, index=rows.index).groupby(source_id).transform("min")
        add(
            repeated,
            keys["id"],
            [f"ärendenumret '{value}' finns redan på rad {row}. Varje rapport ska ha ett eget nummer." for value, row in zip(source_id[repeated], first[repeated], strict=True)],
        )
    formula_like = description.str.startswith(_TEXT_START) & description.ne("")
    if formula_like.any():
        batch.notes.append(
            f"{int(formula_like.sum())} beskrivningar börjar med =, +, - eller @. De sparas som text; formler "
            "räknas inte ut."
        )

    batch.problems = [problem for _, _, problem in sorted(problems, key=lambda item: (item[0], item[1]))]
    batch.problems = sorted(table.problems + batch.problems, key=lambda problem: problem.row or 0)
    keep = ~bad
    batch.events = pd.DataFrame(
        {
            "source": pd.Series([EventSource.EST.value] * int(keep.sum()), dtype=object),
            "source_id": pd.Series(source_id[keep].to_numpy(dtype=object), dtype=object),
            "occurred_at": occurred[keep].reset_index(drop=True),
            "district": pd.Series(_none_if_missing(district[keep]), dtype=object),
            "place": pd.Series(_none_if_missing(place[keep]), dtype=object),
            "category": pd.Series(_none_if_missing(category[keep]), dtype=object),
            "reporter": pd.Series(_none_if_empty(reporter[keep]), dtype=object),
            "description": pd.Series(_none_if_empty(description[keep]), dtype=object),
            "source_row": numbers[keep].astype(np.int64),
        },
        columns=list(EVENT_COLUMNS),
    )
    return batch


def _without_controls(texts: pd.Series) -> pd.Series:
    """TEXTS without control characters; only the cells that have one are copied."""
    dirty = texts.str.contains(CONTROL_CHARACTERS.pattern, regex=True)
    if not dirty.any():
        return texts
    cleaned = texts.copy()
    cleaned[dirty] = texts[dirty].map(without_controls)
    return cleaned


def _none_if_missing(series: pd.Series) -> np.ndarray:
    """The values of a column with None for missing ones (never NaN)."""
    values = series.to_numpy(dtype=object)
    return np.where(pd.isna(values), None, values)


def _none_if_empty(series: pd.Series) -> np.ndarray:
    """The strings of a column with None for empty cells."""
    values = series.to_numpy(dtype=object)
    return np.where(series.eq("").to_numpy(), None, values)


def _occurred_at(day: pd.Series, clock: pd.Series, keys: dict[str, str], add: object) -> pd.Series:
    """The incident's date-time from the date column (maybe with a time) and the optional time column."""
    dates = parsing.parse_datetimes(day)
    add(dates.bad, keys["datum"], list(dates.error[dates.bad]))
    add(dates.empty, keys["datum"], "datum saknas. Skriv datumet som ÅÅÅÅ-MM-DD (t.ex. 2025-03-01).")
    occurred = dates.values
    if "tid" in keys:
        times = parsing.parse_times(clock)
        add(times.bad, keys["tid"], list(times.error[times.bad]))
        given = times.values.notna()
        occurred = occurred.where(~given, occurred.dt.normalize() + times.values)
    return occurred


def _places(cells: pd.Series, key: str, catalogue: Catalogue, add: object) -> tuple[pd.Series, pd.Series]:
    """District and place per row: a known place (its district) or a district name (place None)."""
    places = place_lookup(catalogue)
    districts = district_lookup(catalogue)
    home = catalogue.places.set_index("code")["district"]
    distinct = pd.unique(cells)
    resolved = {}
    for text in distinct:
        key_text = normalise(text)
        if key_text in places:
            resolved[text] = (home[places[key_text]], places[key_text])
        elif key_text in districts:
            resolved[text] = (districts[key_text], None)
        else:
            resolved[text] = (None, None)
    district = cells.map(lambda text: resolved[text][0])
    place = cells.map(lambda text: resolved[text][1])
    empty = cells.eq("")
    add(empty, key, "plats saknas. Skriv platsens namn, eller stadsdelsområdets namn om platsen inte finns i listan.")
    unknown = district.isna() & ~empty
    names = [*catalogue.places["name"], *catalogue.districts["name"]]
    hint = Suggestions(names)
    add(
        unknown,
        key,
        [
            f"okänd plats '{text}'.{hint(text)} Skriv en plats eller ett stadsdelsområde från "
            "mallens lista, eller stadsdelsområdets namn om platsen saknas."
            for text in cells[unknown]
        ],
    )
    return district.astype(object), place.astype(object)


def _with_district(
    cells: pd.Series, key: str, district: pd.Series, place: pd.Series, catalogue: Catalogue, add: object
) -> pd.Series:
    """Check the optional område column against the place's district (an empty cell leaves it be)."""
    lookup = district_lookup(catalogue)
    given = cells.map(lambda text: lookup.get(normalise(text)) if text else None).astype(object)
    unknown = given.isna() & cells.ne("")
    names = list(catalogue.districts["name"])
    hint = Suggestions(names)
    add(unknown, key, [f"okänt område '{text}'.{hint(text)}" for text in cells[unknown]])
    clash = given.notna() & district.notna() & given.ne(district)
    district_names = catalogue.districts.set_index("code")["name"]
    add(
        clash,
        key,
        [
            f"platsen ligger i {district_names.get(home, home)}, inte i {district_names.get(other, other)}. "
            "Rätta platsen eller området."
            for home, other in zip(district[clash], given[clash], strict=True)
        ],
    )
    return district.where(district.notna(), given)


def _categories(cells: pd.Series, key: str, catalogue: Catalogue, add: object) -> pd.Series:
    """Category codes; unknown categories are problems with suggestions, never guessed."""
    lookup = category_lookup(catalogue)
    category = cells.map(lambda text: lookup.get(normalise(text)) if text else None).astype(object)
    empty = cells.eq("")
    add(empty, key, "kategori saknas. Skriv en av kategorierna i mallens lista.")
    unknown = category.isna() & ~empty
    names = list(catalogue.categories["name"])
    valid = ", ".join(names)
    hint = Suggestions([*names, *CATEGORY_SYNONYMS])
    add(
        unknown,
        key,
        [
            f"okänd kategori '{text}'.{hint(text)} Giltiga kategorier: {valid}."
            for text in cells[unknown]
        ],
    )
    return category


def _source_ids(
    ids: pd.Series,
    occurred: pd.Series,
    district: pd.Series,
    place: pd.Series,
    category: pd.Series,
    reporter: pd.Series,
    description: pd.Series,
) -> pd.Series:
    """The report's own id, or a stable hash of its contents plus its occurrence number among identical rows."""
    parts = pd.DataFrame(
        {
            "occurred": occurred.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna(""),
            "where": place.fillna(district).fillna("").astype(str),
            "category": category.fillna("").astype(str),
            "reporter": reporter.map(normalise),
            "description": description.str.replace(r"\s+", " ", regex=True),
        }
    )
    joined = parts["occurred"]
    for column in ("where", "category", "reporter", "description"):  # vectorised: agg(axis=1) makes a Series a row
        joined = joined + "\x1f" + parts[column]
    digests = joined.map(lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()[:24])
    occurrence = digests.groupby(digests).cumcount() + 1
    hashed = "est-" + digests + "-" + occurrence.astype(str)
    return ids.where(ids.ne(""), hashed)
