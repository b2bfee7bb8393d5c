"""The domain's vocabularies as enums; their values are what the database stores (CHECK lists or, for
VOCABULARIES, rows of vocabulary tables)."""

from enum import StrEnum


class Direction(StrEnum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class Unit(StrEnum):
    COUNT = "antal"
    SHARE = "andel"  # a percentage 0-100
    PER_1000 = "per_1000"
    SEK = "kronor"
    INDEX = "index"


class Frequency(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    TERTIAL = "tertial"
    YEAR = "year"
    SURVEY = "survey"  # a survey year, usually every third year


class Grain(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    TERTIAL = "tertial"
    YEAR = "year"


class Aggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    RATE = "rate"


class Level(StrEnum):
    PLACE = "place"
    DISTRICT = "district"
    CITY = "city"


class EventSource(StrEnum):
    EST = "est"
    POLICE = "polisen"
    OTHER = "annan"


class PreventionType(StrEnum):
    SOCIAL = "social"
    SITUATIONAL = "situational"


class PreventionLevel(StrEnum):
    UNIVERSAL = "universal"
    SELECTIVE = "selective"
    INDICATED = "indicated"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    DONE = "done"
    CANCELLED = "cancelled"


class LoadKind(StrEnum):
    DEMO = "demo"
    REFERENCE = "reference"
    OBSERVATIONS = "observations"
    EST = "est"
    POLICE = "police"
    BRA = "bra"
    KOLADA = "kolada"


VOCABULARIES: dict[str, type[StrEnum]] = {"load_kind": LoadKind, "event_source": EventSource}
"""Vocabulary tables (schema version 4) whose codes are exactly an enum's values (tests/test_schema.py ties them).
place_kind is a vocabulary table too but has no enum: no code depends on a kind of place, so a new one is data."""


class GoalScope(StrEnum):
    CITY = "city"  # one of the agreement's 14 city-wide goals
    LOCAL = "local"  # a goal a district adds


class DistrictKind(StrEnum):
    DISTRICT_AREA = "stadsdelsomrade"
    CITY = "stad"  # the pseudo district that holds city-level values


CITY_DISTRICT = "stockholm"
"""Code of the pseudo district that holds city-level observations."""


class CommitmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
