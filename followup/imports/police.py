"""The Swedish Police's public events feed (JSON) as events in Stockholm, placed by the names in their text.

The feed is a JSON array of objects {id, datetime, name, summary, url, type, location {name, gps}}:
- `datetime` is the publication time ('2025-03-01 21:14:03 +01:00'; the hour is not always zero-padded);
  the incident's own day and time are in `name` ('1 mars 21.14, Rån, Stockholm'), without a year: the year
  is the publication's, or the one before when that would put the incident after its publication (an
  incident of 31 December published on 1 January).
- the municipality is the last comma-separated part of `name` (since January 2026 `location.name` is the
  county), so only events whose name ends in 'Stockholm' are kept.
- 'Sammanfattning …' objects summarise a night or a weekend; they are not incidents and are left out.
- `gps` is the municipality's or county's centre, never the incident's place, so the district and place
  come from the place names in `summary`: place_alias rows, place names and district names, the longest
  match winning, an alias never over another district's own name, and no alias that is in every event's
  text (reserved_names; see match_place and data/reference/README.md).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from followup.imports.base import (EVENT_COLUMNS, MAX_JSON_DIGITS, Batch, Catalogue, JsonUnreadable, Problem,
                                   checksum, read_json, without_controls)
from followup.imports.text import normalise
from followup.model import CITY_DISTRICT, DistrictKind, EventSource, LoadKind
from followup.periods import MONTH_NAMES, MONTH_SHORT

CITY_MUNICIPALITY = "stockholm"
"""normalise() of the municipality whose events are kept."""
REPORTER = "Polisen"
CATEGORY_PREFIX = "polisen-"
REQUIRED_FIELDS: tuple[str, ...] = ("id", "datetime", "name", "summary", "type", "location")
"""Fields every object must have (url and location.gps are not used and may be missing)."""

_PUBLISHED = re.compile(
    r"^\s*(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2}))?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)
_NAME = re.compile(
    r"^\s*(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?\s+(?P<hour>\d{1,2})[.:](?P<minute>\d{2})\s*,"
    r"(?P<middle>.*),(?P<municipality>[^,]*)$"
)
_MONTHS: dict[str, int] = {
    **{normalise(name): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{normalise(name): number for number, name in enumerate(MONTH_SHORT, start=1)},
    "mar": 3, "jun": 6, "jul": 7, "sept": 9,
}  # fmt: skip
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_SEPARATOR = r"[\s\-\u2013\u2014/]+"
_FOLD = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")  # same length, keeps case: positions stay valid


@dataclass(frozen=True)
class Target:
    """Where an alias points: a district and maybe a place, and the district's validity [start, end)."""

    district: str
    place: str | None
    start: date | None
    end: date | None
    alias: bool = False  # from the editable place_alias table, not the reference names of places and areas

    def in_force(self, day: date) -> bool:
        """Whether the target's district existed on DAY."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Matcher:
    """All alias names compiled into one pattern, and the targets of each name's key, best first."""

    pattern: re.Pattern[str]
    targets: dict[str, list[Target]]


@dataclass(frozen=True)
class Match:
    """The place an event was mapped to; out_of_time: a name matched, but its area did not exist then."""

    district: str | None
    place: str | None
    out_of_time: bool = False


RESERVED_NAMES: frozenset[str] = frozenset({
    "stockholm", "stockholms stad", "stockholms kommun", "stockholms lan", "stockholms city", "sverige",
    "polisen", "region stockholm", "city",
})
"""Keys of names that say nothing about a district area (the municipality, county, country, the police): in
every event's text, so an alias with one would capture the whole city's events."""


POLICE_TYPES: tuple[str, ...] = (
    "Alkohollagen", "Anträffad död", "Anträffat gods", "Arbetsplatsolycka", "Bedrägeri", "Bombhot", "Brand",
    "Brand automatlarm", "Bråk", "Detonation", "Djur skadat/omhändertaget", "Ekobrott", "Farligt föremål",
    "Fylleri/LOB", "Förfalskningsbrott", "Försvunnen person", "Gränskontroll", "Häleri", "Inbrott", "Knivlagen",
    "Kontroll person/fordon", "Larm inbrott", "Larm överfall", "Miljöbrott", "Missbruk av urkund", "Misshandel",
    "Mord/dråp", "Motorfordon", "Narkotikabrott", "Naturkatastrof", "Ofog barn/ungdom", "Ofredande/förargelse",
    "Olaga hot", "Olaga intrång", "Olovlig körning", "Olyckor", "Polisinsats/kommendering", "Rattfylleri", "Rån",
    "Rån väpnat", "Rån övrigt", "Räddningsinsats", "Sedlighetsbrott", "Skadegörelse", "Skottlossning", "Stöld",
    "Stöld/inbrott", "Trafikbrott", "Trafikhinder", "Trafikkontroll", "Trafikolycka", "Uppdatering",
    "Utlänningslagen", "Vapenlagen", "Våld/hot mot tjänsteman", "Våldtäkt", "Vållande till kroppsskada",
)
"""The event types of the police feed (the part before a comma): each starts a sentence in many summaries."""


def reserved_names(catalogue: Catalogue) -> set[str]:
    """Keys no alias may have: RESERVED_NAMES, the police's event types, every event category and the names of
    the district areas in force on catalogue.today (an ended area's name may point at its successor:
    aliases.add_alias checks that)."""
    names = set(RESERVED_NAMES) | {alias_key(name) for name in POLICE_TYPES}
    for row in catalogue.districts.itertuples(index=False):
        start, end = _as_date(row.valid_from), _as_date(row.valid_to)
        if (start is None or start <= catalogue.today) and (end is None or catalogue.today < end):
            names.add(alias_key(str(row.name)))
    for code, name in zip(catalogue.categories["code"], catalogue.categories["name"], strict=True):
        names.add(alias_key(str(name).removesuffix(" (polisen)")))
        names.add(alias_key(str(code).removeprefix("polisen-")))
    return names - {""}


def alias_key(text: str) -> str:
    """The matching key of a name: normalised, every run of spaces, hyphens and slashes one space."""
    return re.sub(r"[^a-z0-9]+", " ", normalise(text)).strip()


def slug(text: str) -> str:
    """A code slug ('Mord/dråp, försök' -> 'mord-drap-forsok')."""
    ascii_text = unicodedata.normalize("NFKD", normalise(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def category_code(event_type: str) -> str:
    """The event category of a police event type: 'Rån' -> 'polisen-ran'."""
    return CATEGORY_PREFIX + (slug(event_type) or "ovrigt")


def category_name(event_type: str) -> str:
    """The category's name: 'Rån' -> 'Rån (polisen)'."""
    return f"{_SPACE.sub(' ', event_type).strip()} (polisen)"


def _as_date(value: object) -> date | None:
    """A validity bound as a date (None for null/NaT)."""
    if value is None or value != value or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    return date.fromisoformat(text[:10]) if text else None


def _pattern_of(name: str) -> str:
    """Regex for one alias: first letter as written (place names are capitalised), the rest any case."""
    words = [re.escape(part.translate(_FOLD)) for part in re.split(_SEPARATOR, name.strip()) if part]
    body = _SEPARATOR.join(words)
    if not body:
        return ""
    head, rest = body[0], body[1:]
    return f"{head}(?i:{rest})" if head.isalpha() else f"(?i:{body})"


def build_matcher(catalogue: Catalogue) -> Matcher:
    """Compile the alias table, the place names and the district names into one Matcher."""
    validity = {
        str(row.code): (_as_date(row.valid_from), _as_date(row.valid_to))
        for row in catalogue.districts.itertuples(index=False)
    }
    city = {
        str(row.code) for row in catalogue.districts.itertuples(index=False)
        if str(row.kind) == DistrictKind.CITY or str(row.code) == CITY_DISTRICT
    }  # fmt: skip
    reserved = reserved_names(catalogue)
    sources: list[tuple[str, str, str | None, bool]] = []
    for row in catalogue.aliases.itertuples(index=False):
        place = None if row.place is None or row.place != row.place or str(row.place) == "" else str(row.place)
        if alias_key(str(row.alias)) not in reserved:  # one stored before names were checked captures nothing
            sources.append((str(row.alias), str(row.district), place, True))
    sources += [(str(r.name), str(r.district), str(r.code), False) for r in catalogue.places.itertuples(index=False)]
    sources += [(str(r.name), str(r.code), None, False) for r in catalogue.districts.itertuples(index=False)]
    targets: dict[str, list[Target]] = {}
    patterns: dict[str, str] = {}
    for name, district, place, alias in sources:
        key = alias_key(name)
        if not key or district in city or district not in validity:
            continue
        target = Target(district, place, *validity[district], alias=alias)
        if target not in targets.setdefault(key, []):
            targets[key].append(target)
        patterns.setdefault(key, _pattern_of(name))
    ordered = sorted(patterns, key=lambda k: (-len(k), k))
    alternatives = "|".join(patterns[key] for key in ordered if patterns[key]) or "(?!)"
    pattern = re.compile(rf"(?=(?<!\w)(?P<name>{alternatives})s?(?!\w))")
    return Matcher(pattern, targets)


def match_place(text: str, day: date, matcher: Matcher) -> Match:
    """The district and place a text names on DAY.

    The longest name wins (ties: a place before an area, then the first mention); when it names only an
    area, a place the text also names inside that area refines it ('Maltesholm, Hässelby strand').
    Names whose area did not exist on DAY are passed over.
    """
    found_targets: list[tuple[tuple[int, int, int], Target]] = []
    out_of_time = False
    for found in matcher.pattern.finditer(text.translate(_FOLD)):
        key = alias_key(found.group("name"))
        target = next((t for t in matcher.targets.get(key, []) if t.in_force(day)), None)
        if target is None:
            out_of_time = out_of_time or key in matcher.targets
            continue
        found_targets.append(((-len(key), 0 if target.place else 1, found.start()), target))
    if not found_targets:
        return Match(None, None, out_of_time)
    named = {target.district for _, target in found_targets if not target.alias}
    if named:  # an alias never outranks the text's own place or area names of another district
        found_targets = [(rank, t) for rank, t in found_targets if not t.alias or t.district in named]
    ranked = [target for _, target in sorted(found_targets, key=lambda pair: pair[0])]
    chosen = ranked[0]
    if chosen.place is None:
        chosen = next((t for t in ranked if t.place and t.district == chosen.district), chosen)
    return Match(chosen.district, chosen.place)


def parse_published(text: str) -> datetime | None:
    """The publication time as local wall-clock time, or None when it is not 'YYYY-MM-DD H:MM:SS +HH:MM'."""
    found = _PUBLISHED.match(text)
    if not found:
        return None
    try:
        return datetime(
            int(found["year"]), int(found["month"]), int(found["day"]), int(found["hour"]), int(found["minute"]),
            int(found["second"] or 0),
        )
    except ValueError:
        return None


def incident_time(day: int, month: int, hour: int, minute: int, published: datetime) -> datetime:
    """The incident's time in the publication's year, or the year before if it would lie after publication.

    ValueError when the day does not exist (30 februari) or the clock is impossible (25.10).
    """
    candidate = datetime(published.year, month, 1, hour, minute)
    if candidate.date() > published.date() + timedelta(days=1):
        candidate = candidate.replace(year=published.year - 1)
    return candidate.replace(day=day)


def plain_text(text: str) -> str:
    """Summary text as plain text: tags removed, entities decoded, white space collapsed."""
    return _SPACE.sub(" ", without_controls(html.unescape(_TAGS.sub(" ", text)))).strip()


def _problem(file_name: str, row: int | None, column: str | None, message: str) -> Problem:
    return Problem(file_name, row, column, message)


def _load_json(data: bytes, file_name: str) -> tuple[object | None, list[Problem]]:
    """The parsed JSON, or a problem saying where it breaks."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_problem(file_name, None, None,
                               "filen är inte UTF-8-kodad JSON. Hämta händelserna igen från polisen.se:s "
                               "API och spara filen utan att ändra den.")]  # fmt: skip
    if not text.strip():
        return None, [_problem(file_name, None, None, "filen är tom. Välj en fil med Polisens händelser.")]
    try:
        return read_json(text), []
    except JsonUnreadable as exc:
        return None, [_problem(file_name, None, None, f"{exc} Polisens händelser hämtas från polisen.se:s API.")]


def _check_object(obj: object, row: int, file_name: str) -> list[Problem]:
    """Problems with one object's shape: not an object, missing or empty fields."""
    if not isinstance(obj, dict):
        return [_problem(file_name, row, None,
                         "posten är inte ett JSON-objekt. Varje händelse ska vara ett objekt med id, datetime, "
                         "name, summary, type och location.")]  # fmt: skip
    problems = []
    for field in REQUIRED_FIELDS:
        if field not in obj or obj[field] is None:
            problems.append(_problem(file_name, row, field,
                                     f"fältet '{field}' saknas. Varje händelse behöver id, datetime, name, "
                                     "summary, type och location; hämta filen igen."))
    for field in ("datetime", "name", "type", "summary"):
        if field in obj and obj[field] is not None and not isinstance(obj[field], str):
            problems.append(_problem(file_name, row, field, f"fältet '{field}' ska vara text."))
    for field in ("datetime", "name", "type"):
        if isinstance(obj.get(field), str) and not obj[field].strip():
            problems.append(_problem(file_name, row, field, f"fältet '{field}' är tomt."))
    location = obj.get("location")
    if "location" in obj and location is not None and not (isinstance(location, dict) and "name" in location):
        problems.append(_problem(file_name, row, "location",
                                 "fältet 'location' ska vara ett objekt med 'name' (och 'gps')."))
    event_id = obj.get("id")
    if "id" in obj and event_id is not None and not _valid_id(event_id):
        problems.append(_problem(file_name, row, "id",
                                 f"id {_shown(event_id)} är inget händelse-id. Det ska vara ett heltal med högst "
                                 f"{MAX_JSON_DIGITS} siffror, t.ex. 371971."))
    return problems


def _valid_id(value: object) -> bool:
    """Whether an id is a whole number (as a number or as digits)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value and len(str(value)) <= MAX_JSON_DIGITS
    return isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= MAX_JSON_DIGITS


def _shown(value: object, limit: int = 40) -> str:
    """A value as it is quoted in a message, cut to LIMIT characters (an id can be thousands of digits)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} tecken)"


def _is_summary(obj: dict) -> bool:
    """Whether the object is a 'Sammanfattning …' (a summary of a night or weekend, not an incident)."""
    texts = (str(obj.get("type") or ""), str(obj.get("name") or ""))
    return any("sammanfattning" in normalise(text) for text in texts)


def _occurred(obj: dict, row: int, file_name: str, today: date) -> tuple[datetime | None, str, list[Problem]]:
    """The incident's time and municipality from name and datetime, or the problems with them."""
    published = parse_published(obj["datetime"])
    problems = []
    if published is None:
        problems.append(_problem(file_name, row, "datetime",
                                 f"'{obj['datetime']}' är ingen publiceringstid. Formatet är "
                                 "'ÅÅÅÅ-MM-DD TT:MM:SS +01:00', t.ex. '2025-03-01 21:14:03 +01:00'."))
    found = _NAME.match(obj["name"])
    month = _MONTHS.get(normalise(found["month"])) if found else None
    if not found or month is None:
        problems.append(_problem(file_name, row, "name",
                                 f"'{obj['name']}' har inte formen 'dag månad tt.mm, typ, kommun' "
                                 "(t.ex. '1 mars 21.14, Rån, Stockholm'); datum och tid för händelsen "
                                 "kan inte läsas."))
        return None, "", problems
    municipality = found["municipality"].strip()
    if problems or published is None:
        return None, municipality, problems
    try:
        when = incident_time(int(found["day"]), month, int(found["hour"]), int(found["minute"]), published)
    except ValueError:
        return None, municipality, [_problem(
            file_name, row, "name",
            f"'{obj['name']}': dagen eller klockslaget finns inte. Kontrollera händelsen på polisen.se.",
        )]
    if when.date() > today:
        return None, municipality, [_problem(
            file_name, row, "name",
            f"händelsen är daterad {when:%Y-%m-%d}, efter dagens datum {today:%Y-%m-%d}. Kontrollera "
            "publiceringstiden (datetime) och datorns datum.",
        )]
    return when, municipality, []


def parse(data: bytes, file_name: str, catalogue: Catalogue) -> Batch:
    """Read a police events file: Stockholm's incidents as events, placed by the names in their text."""
    batch = Batch(kind=LoadKind.POLICE, file_name=file_name, checksum=checksum(data))
    parsed, problems = _load_json(data, file_name)
    if problems:
        batch.problems.extend(problems)
        return batch
    if not isinstance(parsed, list):
        what = "ett objekt ({ … })" if isinstance(parsed, dict) else f"ett enskilt värde ({parsed!r:.40})"
        batch.problems.append(_problem(
            file_name, None, None,
            f"filen ska vara en JSON-lista ([ … ]) med en händelse per objekt, som polisen.se:s API "
            f"/api/events levererar, men den är {what}. Hämta händelserna igen.",
        ))
        return batch
    matcher = build_matcher(catalogue)
    known_categories = set(catalogue.categories["code"].astype(str))
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    summaries = duplicates = 0
    elsewhere: Counter[str] = Counter()
    for row, obj in enumerate(parsed, start=1):
        shape = _check_object(obj, row, file_name)
        if shape:
            batch.problems.extend(shape)
            continue
        if _is_summary(obj):
            summaries += 1
            continue
        when, municipality, found = _occurred(obj, row, file_name, catalogue.today)
        if found:
            batch.problems.extend(found)
            continue
        if normalise(municipality) != CITY_MUNICIPALITY:
            elsewhere[municipality] += 1
            continue
        source_id = str(obj["id"]).strip()
        if source_id in seen:
            duplicates += 1
            continue
        seen.add(source_id)
        event_type = obj["type"].strip()
        code = category_code(event_type)
        if code not in known_categories:
            batch.new_categories.setdefault(code, category_name(event_type))
        summary = plain_text(obj["summary"])
        found_place = match_place(summary, when.date(), matcher)  # the name holds only time, type and municipality
        rows.append({
            "source": EventSource.POLICE.value, "source_id": source_id, "occurred_at": pd.Timestamp(when),
            "district": found_place.district, "place": found_place.place, "category": code,
            "reporter": REPORTER, "description": summary or None, "source_row": row,
            "_out_of_time": found_place.out_of_time,
        })  # fmt: skip
    events = pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "_out_of_time"])
    batch.skipped = summaries + duplicates + sum(elsewhere.values())
    batch.notes.extend(_notes(events, summaries, duplicates, elsewhere))
    batch.events = events.drop(columns="_out_of_time").reset_index(drop=True)
    return batch


def _notes(events: pd.DataFrame, summaries: int, duplicates: int, elsewhere: Counter[str]) -> list[str]:
    """The report: how many events were kept and placed, and what was left out and why."""
    with_place = int(events["place"].notna().sum())
    district_only = int((events["district"].notna() & events["place"].isna()).sum())
    unplaced = len(events) - with_place - district_only
    notes = [
        f"{len(events)} händelser i Stockholms stad: {with_place} kopplade till en plats, {district_only} "
        f"bara till ett stadsdelsområde och {unplaced} utan ortnamn vi känner igen (de visas för hela staden).",
    ]
    late = int(events["_out_of_time"].fillna(False).astype(bool).sum()) if len(events) else 0
    if late:
        notes.append(
            f"{late} av händelserna utan område nämner ett ortnamn vars stadsdelsområde inte fanns på "
            "händelsens datum (t.ex. Järva före 2023-07-01); de ligger på stadsnivå."
        )
    if summaries:
        notes.append(f"{summaries} sammanfattningar ('Sammanfattning …') hoppades över: de är inga händelser.")
    if elsewhere:
        top = ", ".join(f"{name or '(tom)'} {count}" for name, count in elsewhere.most_common(5))
        notes.append(f"{sum(elsewhere.values())} händelser i andra kommuner hoppades över ({top}).")
    if duplicates:
        notes.append(f"{duplicates} händelser fanns flera gånger i filen (samma id); den första behölls.")
    return notes
