"""Deterministic demo data ("Exempeldata"): invented but believable follow-up data, 2019 to DEMO_TODAY.

Every number here is made up; the database says so in database_info ('demo' = 'true') and the UI shows
"Exempeldata" wherever it is used. The shapes follow the seed documents: the open drug scenes at Hässelby
torg and Maltesholmstorget (platssamverkan from March 2024), the security-guard areas, safety walks and
night walks in Hägersten-Älvsjö, SSPF, field workers, Meningsfull fritid.

Time. Nothing reads the clock: the data's "today" is DEMO_TODAY (Friday 2025-10-31) and each source
is published with a realistic lag behind it:

    EST reports (events)      weekly, through the last whole week (Mon 2025-10-20 to Sun 2025-10-26)
    police / Brå, monthly     through September 2025; September is preliminary
    social services, tertial  through T2 2025 (May–Aug); the police's tertial figures are preliminary
    yearly figures            through 2024; the joint situation picture (öppna drogscener) has 2025, preliminary
    city safety survey        2020 and 2023 (the real schedule is every third year: 2017, 2020, 2023, 2026)
    Stockholmsenkäten         2020, 2022 and 2024 (every other year, even years; 2020 with a lower response)

Areas of their time. Hägersten-Älvsjö was formed on 2020-01-01, so its places and figures start in 2020.
Rinkeby-Kista, Spånga-Tensta, Norrmalm and Östermalm have values until June 2023, Järva and Norra
innerstaden from July 2023 (a period belongs to the areas in force on its first day); a successor's value
is the sum of its predecessors' (read from district_successor), so the series join up. City values
(pseudo district 'stockholm') are the sum over the areas of each period (an n-weighted share for surveys).

Randomness. Only numpy.random.default_rng: each series draws from default_rng([seed, crc32(key)]), so a
series stays the same when another one is added or tuned, and the same seed always gives the same tables.
The hand-made series that make every status occur in Hässelby-Vällingby are listed in SCENARIOS and
TARGETS below.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from followup import db, est_summary, reference
from followup.model import (
    CITY_DISTRICT,
    DistrictKind,
    ActivityStatus,
    EventSource,
    Frequency,
    Grain,
    Level,
    LoadKind,
    PreventionLevel,
    PreventionType,
    Unit,
)
from followup.periods import Period, period_of, periods_between

DEFAULT_SEED = 20251031
"""The seed of the shipped demo database (any int gives a different but equally shaped data set)."""
DEMO_TODAY = date(2025, 10, 31)
"""The demo data's fixed 'today': data runs from DATA_START up to this day, never past it."""
DATA_START = date(2019, 1, 1)
"""The first day of the demo data."""
GENERATED_FOR = "Exempeldata – påhittade siffror"
"""database_info 'generated_for': what the data is, in the UI's words."""
DEMO_USER = "demo"
"""user_name of the demo load and created_by fallback."""

LAST_WEEK = period_of(DEMO_TODAY - timedelta(days=7), Grain.WEEK).start
"""Monday of the last whole week before DEMO_TODAY: EST reports are loaded weekly."""
LAST_PERIOD = {
    Grain.WEEK: LAST_WEEK,
    Grain.MONTH: date(2025, 9, 1),
    Grain.TERTIAL: date(2025, 5, 1),
    Grain.YEAR: date(2024, 1, 1),
}
"""The latest published period per grain at DEMO_TODAY."""
SURVEY_YEARS = {
    "Stockholms stads trygghetsundersökning": (2020, 2023),
    "Stockholmsenkäten": (2020, 2022, 2024),
}
"""Survey years per source (indicator.source); another survey gets DEFAULT_SURVEY_YEARS."""
DEFAULT_SURVEY_YEARS = (2020, 2023)
PRELIMINARY_TERTIAL_SOURCES = frozenset({"Polisen"})
"""Sources whose latest tertial is still preliminary at DEMO_TODAY."""
LATE_YEAR_SOURCES = {"Lokal lägesbild (polis och stadsdelsförvaltning)": date(2025, 1, 1)}
"""Yearly sources that already have a (preliminary) value for the current year: the autumn lägesbild."""


def _d(text: str) -> date:
    """A date from 'YYYY-MM-DD' (tables below stay readable)."""
    return date.fromisoformat(text)


# ---------------------------------------------------------------------------------------------------
# Shapes and the scenario table
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A level over time: factors at dates, linear in between, flat before the first and after the last."""

    knots: tuple[tuple[str, float], ...] = (("2019-01-01", 1.0),)

    def at(self, days: Sequence[date]) -> np.ndarray:
        """The factor on each day."""
        xp = [_d(day).toordinal() for day, _ in self.knots]
        fp = [factor for _, factor in self.knots]
        return np.interp([day.toordinal() for day in days], xp, fp)


@dataclass(frozen=True)
class Scenario:
    """One hand-made series and the status it is made to show (a Trend value, or '' when not assessed)."""

    indicator: str
    district: str
    place: str | None
    intent: str
    story: str
    shape: Shape = Shape()
    missing: tuple[tuple[str, str], ...] = ()  # inclusive ranges of period starts that are left out
    series_break: str | None = None  # the period flagged series_break (and the level shifts there)
    values: tuple[tuple[str, float], ...] = ()  # exact values per period start (small counts)


HV = "hasselby-vallingby"
HA = "hagersten-alvsjo"

# Every status of the product occurs in Hässelby-Vällingby (tests/test_demo.py checks each intent with
# followup.status.assess; weeks: rolling 52 weeks, months/tertials/years: the same period last year,
# surveys: the previous survey):
#
#   improving   reported crimes at Hässelby torg, EST drug reports at Hässelby torg, unsafe in the evening
#   worsening   fraud against the elderly, EST disturbing gatherings at Maltesholmstorget
#   unchanged   reported crimes in the district, crimes in close relationships, open drug scenes
#   no_data     welfare-crime reports (gap T2–T3 2024), crimes at Maltesholmstorget (series break 2025-01)
#   on_track    crimes at Hässelby torg (target met), young people in SSPF, unsafe in the evening
#   at_risk     open drug scenes (2 against the path's 1, tolerance 1.2)
#   off_track   fraud against the elderly
SCENARIOS: tuple[Scenario, ...] = (
    # --- Hässelby-Vällingby: one series per status the product shows --------------------------------
    Scenario("anmalda-brott-plats", HV, "hasselby-torg", "improving",
             "platssamverkan from March 2024, guards and cameras: crimes on the square fall by half from "
             "the autumn of 2024",
             Shape((("2019-01-01", 1.0), ("2021-06-01", 1.1), ("2024-02-01", 1.25), ("2024-10-01", 1.25),
                    ("2025-04-01", 0.4)))),
    Scenario("est-narkotika", HV, "hasselby-torg", "improving",
             "drug-dealing reports fall after platssamverkan starts (March 2024)",
             Shape((("2019-01-01", 0.9), ("2023-06-01", 1.2), ("2024-03-01", 1.2), ("2025-03-01", 0.45)))),
    Scenario("est-storande-samling", HV, "maltesholmstorget", "worsening",
             "gatherings move from Hässelby torg to Maltesholmstorget (displacement) from mid 2024",
             Shape((("2019-01-01", 1.0), ("2024-05-01", 1.0), ("2025-08-01", 2.2)))),
    Scenario("bedragerier-aldre", HV, None, "worsening",
             "phone fraud against the elderly rises from the autumn of 2024",
             Shape((("2019-01-01", 1.0), ("2024-10-01", 1.0), ("2025-06-01", 2.6)))),
    Scenario("anmalda-brott-omrade", HV, None, "unchanged",
             "reported crimes in the whole district: flat, only chance variation"),
    Scenario("anmalda-brott-nara-relation", HV, None, "unchanged",
             "crimes in close relationships: flat"),
    Scenario("valfardsbrott-anmalningar", HV, None, "no_data",
             "new case system in 2024: T2 and T3 2024 were never reported, so T2 2025 has nothing to "
             "compare with",
             Shape((("2019-01-01", 0.7), ("2025-08-01", 1.6))),
             missing=(("2024-05-01", "2024-09-01"),)),
    Scenario("anmalda-brott-plats", HV, "maltesholmstorget", "no_data",
             "the place was widened in January 2025 (park and Maltesholmsvägen included): series break, "
             "so 2025 is not compared with 2024",
             Shape((("2019-01-01", 1.0), ("2024-12-31", 1.15), ("2025-01-01", 1.7))),
             series_break="2025-01-01"),
    Scenario("sspf-unga", HV, None, "",
             "more young people get an SSPF plan as the cooperation with schools widens",
             Shape((("2019-01-01", 0.45), ("2022-01-01", 0.7), ("2025-08-01", 1.9)))),
    Scenario("oppna-drogscener", HV, None, "unchanged",
             "two open drug scenes (Hässelby torg, Maltesholmstorget); a third in 2022",
             values=(("2019-01-01", 1), ("2020-01-01", 2), ("2021-01-01", 2), ("2022-01-01", 3),
                     ("2023-01-01", 2), ("2024-01-01", 2), ("2025-01-01", 2))),
    Scenario("otrygg-utomhus-kvall", HV, None, "improving",
             "fewer feel unsafe in 2023 than in 2020",
             Shape((("2019-01-01", 1.2), ("2020-06-01", 1.2), ("2023-06-01", 0.75)))),
    # --- Hägersten-Älvsjö and others: stories from the seeds -----------------------------------------
    Scenario("est-otrygg-plats", HA, "fruangen", "improving",
             "new lighting in the pedestrian tunnel in November 2024",
             Shape((("2019-01-01", 1.0), ("2024-10-01", 1.0), ("2025-01-01", 0.4)))),
    Scenario("est-storande-samling", HA, "alvsjo-solberga", "improving",
             "night walkers from autumn 2024 (idéburet partnerskap)",
             Shape((("2019-01-01", 1.0), ("2024-09-01", 1.1), ("2025-06-01", 0.55)))),
    Scenario("est-klotter", HA, "liljeholmen", "worsening",
             "a graffiti wave in 2025",
             Shape((("2019-01-01", 1.0), ("2024-10-01", 1.0), ("2025-06-01", 1.9)))),
    Scenario("anmalda-brott-plats", HA, "axelsberg", "unchanged",
             "security guards from February 2025: fewer crimes, but the counts are so small that a month "
             "against the same month last year stays within chance variation",
             Shape((("2019-01-01", 1.0), ("2025-01-01", 1.1), ("2025-06-01", 0.6)))),
)
"""The hand-made series. intent is the Trend the status engine should give the latest period."""


@dataclass(frozen=True)
class TargetSpec:
    """A numeric target (target_factor × baseline by target_start) or a directional one (no factor)."""

    indicator: str
    district: str
    place: str | None
    baseline_start: str
    grain: Grain
    intent: str  # the TargetStatus it is made to show, or '' for a directional goal
    target_start: str | None = None
    target_factor: float | None = None
    tolerance: float | None = None  # a share of the baseline value; stored in the indicator's unit
    note: str = ""


TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec("anmalda-brott-plats", HV, "hasselby-torg", "2023-05-01", Grain.TERTIAL, "on_track",
               "2026-05-01", 0.7, 0.1, "Lokal samverkansöverenskommelse: 30 % färre anmälda brott på "
               "Hässelby torg per tertial till 2026."),
    TargetSpec("sspf-unga", HV, None, "2023-05-01", Grain.TERTIAL, "on_track",
               "2026-05-01", 1.4, 0.15, "Fler unga ska fångas upp tidigt genom SSPF."),
    TargetSpec("bedragerier-aldre", HV, None, "2023-05-01", Grain.TERTIAL, "off_track",
               "2026-05-01", 0.8, 0.05, "Färre bedrägerier mot äldre."),
    TargetSpec("oppna-drogscener", HV, None, "2023-01-01", Grain.YEAR, "at_risk",
               "2027-01-01", 0.0, 0.6, "Inga öppna drogscener 2027."),
    TargetSpec("otrygg-utomhus-kvall", HV, None, "2020-01-01", Grain.YEAR, "on_track",
               "2026-01-01", 0.8, 0.1, "Andelen otrygga ska minska med en femtedel till 2026."),
    TargetSpec("est-narkotika", HV, "maltesholmstorget", "2024-01-01", Grain.YEAR, "",
               note="Riktningsmål: färre rapporter om narkotikahantering."),
    TargetSpec("anmalda-brott-omrade", HV, None, "2023-01-01", Grain.YEAR, "",
               note="Riktningsmål: brottsligheten ska minska."),
    TargetSpec("anmalda-brott-plats", HA, "liljeholmen", "2023-01-01", Grain.YEAR, "",
               note="Riktningsmål: färre anmälda brott vid Liljeholmen."),
    TargetSpec("otrygg-utomhus-kvall", HA, None, "2020-01-01", Grain.YEAR, "",
               note="Riktningsmål: tryggheten ska öka."),
    TargetSpec("anmalda-brott-plats", "bromma", "brommaplan", "2023-01-01", Grain.YEAR, "",
               target_start="2026-01-01", target_factor=0.85, tolerance=0.05,
               note="15 % färre anmälda brott vid Brommaplan till 2026."),
)
"""Targets per indicator and district or place; intent names the TargetStatus the data should give."""


# ---------------------------------------------------------------------------------------------------
# Levels: areas, places, indicators, seasons
# ---------------------------------------------------------------------------------------------------

AREA_PROFILE: dict[str, tuple[float, float]] = {
    "bromma": (83, 0.70),
    "enskede-arsta-vantor": (105, 0.95),
    "farsta": (62, 1.05),
    "hagersten-alvsjo": (129, 0.90),
    "hasselby-vallingby": (76, 1.15),
    "kungsholmen": (71, 0.85),
    "skarpnack": (46, 0.90),
    "skarholmen": (38, 1.35),
    "sodermalm": (130, 1.05),
    "rinkeby-kista": (52, 1.60),
    "spanga-tensta": (43, 1.45),
    "norrmalm": (72, 1.50),
    "ostermalm": (83, 0.95),
}
"""Base areas (no successor areas): population in thousands (about 2024) and a relative burden."""
DEFAULT_PROFILE = (60.0, 1.0)

PLACE_PROFILE: dict[str, tuple[float, float]] = {
    "hasselby-torg": (2.6, 45),
    "maltesholmstorget": (2.3, 26),
    "vallingby-centrum": (1.6, 70),
    "racksta": (0.9, 14),
    "liljeholmen": (1.4, 58),
    "fruangen": (1.1, 24),
    "vastertorp": (0.7, 12),
    "alvsjo-solberga": (0.9, 21),
    "vastberga": (0.5, 10),
    "axelsberg": (0.6, 11),
    "ornsberg": (0.5, 8),
    "sjovikskajen-marievik": (0.5, 9),
    "brommaplan": (0.8, 33),
    "alvik": (0.7, 27),
    "islandstorget": (0.5, 10),
}
"""Places: EST activity (1 = an ordinary square) and reported crimes per month."""
DEFAULT_PLACE = (0.7, 15)

EST_START = {HV: _d("2019-01-07"), HA: _d("2020-01-06"), "bromma": _d("2021-03-01")}
"""When each district began EST reporting (the first Monday); other districts from DATA_START."""

SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 12,
    "crime": (0.92, 0.86, 0.95, 0.96, 1.04, 1.08, 1.08, 1.08, 1.04, 1.0, 0.97, 1.02),
    "summer": (0.80, 0.80, 0.90, 1.00, 1.15, 1.25, 1.30, 1.25, 1.05, 0.95, 0.85, 0.80),
    "outdoor": (0.60, 0.60, 0.75, 0.95, 1.30, 1.50, 1.60, 1.50, 1.10, 0.85, 0.70, 0.65),
    "dark": (1.50, 1.30, 1.10, 0.80, 0.60, 0.50, 0.50, 0.60, 0.90, 1.20, 1.50, 1.60),
    "fire": (1.60, 0.80, 0.80, 1.00, 1.10, 1.20, 1.20, 1.10, 0.90, 0.80, 0.80, 1.50),
}
"""Month factors (January first): summer peaks for outdoor problems, dark months for unlit places."""


@dataclass(frozen=True)
class Model:
    """How one indicator's values are drawn (counts per 100,000 inhabitants and natural period)."""

    base: float  # counts and per_1000 rates: mean per 100,000 inhabitants per period; shares: percent at burden 1
    burden: float = 1.0  # elasticity to the area's burden (negative: better where burden is high)
    season: str = "flat"
    first: date = DATA_START  # no values before (a routine or survey that started later)
    drift: float = 0.08  # spread of the random long-term drift (log scale)
    respondents: float = 0.0  # shares: n per 1,000 inhabitants
    amount_of: str | None = None  # kronor: the sum of amounts for this count indicator's cases
    place_base: bool = False  # counts per place: base from PLACE_PROFILE (reported crimes per month)


MODELS: dict[str, Model] = {
    "stockholmsenkaten-brott": Model(19.0, 0.5, respondents=12.0),
    "stockholmsenkaten-trygg-skola": Model(86.0, -0.6, respondents=12.0),
    "unga-misstankta-vald": Model(9.0, 1.5),
    "orosanmalningar-13-17": Model(220.0, 0.8),
    "sspf-unga": Model(20.0, 1.0),
    "oppna-drogscener": Model(1.5, 2.0, drift=0.0),
    "anmalda-brott-plats": Model(1.0, season="crime", place_base=True),
    "anmalda-brott-omrade": Model(850.0, 1.0, season="crime", drift=0.05),
    "otrygg-utomhus-kvall": Model(22.0, 1.3, respondents=12.0),
    "valfardsbrott-anmalningar": Model(8.0, 0.5),
    "felaktiga-utbetalningar": Model(30.0, 0.8),
    "felaktiga-utbetalningar-belopp": Model(0.0, amount_of="felaktiga-utbetalningar"),
    "otillaten-paverkan-utbildade": Model(20.0, 0.0, first=date(2020, 1, 1), respondents=3.0),
    "misstankta-nara-relation": Model(35.0, 0.8),
    "anmalda-brott-nara-relation": Model(30.0, 0.8, season="crime"),
    "bedragerier-aldre": Model(22.0, 0.3),
    "brottsoffer-stod": Model(40.0, 0.8),
    "oro-radikalisering": Model(5.0, 1.0),
    "avhoppare": Model(6.0, 2.0),
    # Brå, per district and month (about Brå 2023: Bromma, burden 0.70, has some 150 crimes against the
    # person and 45 assaults a month; the base is at burden 1)
    "bra-brott-mot-person": Model(220.0, 0.5, season="crime", drift=0.05),
    "bra-misshandel": Model(65.0, 0.5, season="crime", drift=0.05),
    # Kolada N07403, city level, per year: about 1 200 violent crimes per 100,000 inhabitants in the city
    # (12 per 1,000); the base is at burden 1 (the city's population-weighted burden is about 1.06)
    "kolada-valdsbrott": Model(1130.0, 1.0, drift=0.05),
}
"""Per indicator code; an indicator missing here gets a model from its unit (see Indicator.model)."""

SHARE_TRENDS: dict[str, Shape] = {
    "otillaten-paverkan-utbildade": Shape((("2020-01-01", 1.0), ("2022-01-01", 4.0), ("2024-01-01", 14.0))),
}
"""City-wide odds factors over time for shares that move everywhere (the training rolled out)."""

EST_RATES: dict[str, tuple[float, str]] = {
    "klotter": (1.2, "summer"),
    "skadegorelse": (0.8, "summer"),
    "nedskrapning": (1.5, "outdoor"),
    "otrygg-plats": (0.4, "dark"),
    "storande-samling": (0.6, "outdoor"),
    "narkotika": (0.35, "summer"),
    "brand": (0.12, "fire"),
    "hot-vald-anstalld": (0.06, "flat"),
    "ovrigt": (0.4, "flat"),
}
"""EST reports per week at an ordinary place (activity 1) and the category's season."""
EST_HOTSPOTS: dict[tuple[str, str], float] = {
    ("hasselby-torg", "narkotika"): 5.0,
    ("maltesholmstorget", "narkotika"): 4.5,
    ("hasselby-torg", "storande-samling"): 2.0,
    ("maltesholmstorget", "storande-samling"): 2.0,
    ("vallingby-centrum", "skadegorelse"): 1.5,
    ("liljeholmen", "klotter"): 1.6,
    ("fruangen", "otrygg-plats"): 2.5,
    ("alvsjo-solberga", "storande-samling"): 1.8,
    ("sjovikskajen-marievik", "nedskrapning"): 1.6,
}
"""Extra factors where a place is known for a problem."""

# ---------------------------------------------------------------------------------------------------
# EST reporters and texts
# ---------------------------------------------------------------------------------------------------

REPORTER_KINDS = ("sdf", "polis", "fastighet", "sl", "nattvandrare", "svoa")
REPORTER_NAMES = {
    "sdf": "Stadsdelsförvaltningen",
    "polis": "Polisen",
    "sl": "SL/Trafikförvaltningen",
    "nattvandrare": "Nattvandrare",
    "svoa": "Stockholm Vatten och Avfall",
}
LANDLORDS = {
    HV: ("Svenska Bostäder", "Familjebostäder"),
    HA: ("Familjebostäder", "Stockholmshem"),
    "bromma": ("Svenska Bostäder", "Stockholmshem"),
}
"""Property owners that report in each district (others: 'Fastighetsägare')."""
NO_STATION = frozenset({"maltesholmstorget", "vastberga", "sjovikskajen-marievik"})
"""Places without a metro or train station: SL does not report there."""
REPORTER_MIX: dict[str, tuple[float, ...]] = {  # weights in REPORTER_KINDS order
    "klotter": (0.25, 0.05, 0.35, 0.20, 0.05, 0.10),
    "skadegorelse": (0.20, 0.15, 0.35, 0.20, 0.05, 0.05),
    "nedskrapning": (0.35, 0.00, 0.20, 0.05, 0.05, 0.35),
    "otrygg-plats": (0.35, 0.10, 0.20, 0.10, 0.25, 0.00),
    "storande-samling": (0.20, 0.25, 0.15, 0.15, 0.25, 0.00),
    "narkotika": (0.20, 0.40, 0.15, 0.10, 0.15, 0.00),
    "brand": (0.10, 0.30, 0.40, 0.05, 0.10, 0.05),
    "hot-vald-anstalld": (0.40, 0.10, 0.20, 0.30, 0.00, 0.00),
    "ovrigt": (0.30, 0.15, 0.25, 0.10, 0.10, 0.10),
}
WORKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.15, 0.1)
REPORTER_DAYS = {  # Monday first
    "sdf": WORKDAY,
    "fastighet": WORKDAY,
    "svoa": WORKDAY,
    "polis": (1.0, 1.0, 1.0, 1.0, 1.3, 1.5, 1.1),
    "sl": (1.0,) * 7,
    "nattvandrare": (0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0),
}
REPORTER_HOURS = {  # first hour, last hour (inclusive; 24 and 25 are past midnight)
    "sdf": (7, 16),
    "fastighet": (7, 16),
    "svoa": (6, 15),
    "polis": (0, 23),
    "sl": (5, 23),
    "nattvandrare": (20, 25),
}
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "klotter": ("Klotter på fasad vid entrén", "Nytt klotter på busskuren", "Tags på elskåp",
                "Klotter i gångtunneln", "Klotter på bänkar och papperskorgar", "Stort klotter på plank"),
    "skadegorelse": ("Krossad glasruta i entrédörr", "Sönderslagen belysningsarmatur",
                     "Trasig parkbänk", "Uppbruten cykel i stället", "Vandaliserad papperskorg",
                     "Sönderskuren reklamskylt"),
    "nedskrapning": ("Nedskräpning runt bänkarna", "Överfulla papperskorgar", "Matavfall och burkar på torget",
                     "Skräp i buskagen", "Nedskräpat vid återvinningsstationen", "Fimpar och glasflaskor"),
    "otrygg-plats": ("Trasig gatubelysning", "Mörk gångväg mot tunnelbanan", "Släckt belysning i tunneln",
                     "Igenvuxna buskar skymmer sikten", "Mörkt parkstråk", "Trasig lampa vid entrén"),
    "storande-samling": ("Grupp ungdomar som stör förbipasserande", "Högljutt sällskap vid bänkarna sent",
                         "Samling vid entrén, boende upplever otrygghet", "Stökigt vid busshållplatsen",
                         "Större grupp med mopeder på torget"),
    "narkotika": ("Misstänkt försäljning vid bänkarna", "Misstänkta överlämningar vid tunnelbaneuppgången",
                  "Kanyler hittade i buskage", "Personer som verkar langa vid torgets hörn",
                  "Folie och sprutor i trappuppgång", "Misstänkt narkotikaförsäljning, flera personer"),
    "brand": ("Brand i papperskorg", "Containerbrand", "Brand i soprum", "Bränd moped på gångvägen",
              "Brand i återvinningskärl"),
    "hot-vald-anstalld": ("Personal hotad vid utryckning", "Ordningsvakt knuffad", "Väktare hotad vid entrén",
                          "Fältassistent utsatt för hot"),
    "ovrigt": ("Övergiven cykel", "Kundvagnar på gångvägen", "Trasigt staket", "Klottrad skylt nedmonterad",
               "Borttappade nycklar lämnade till polisen"),
}


# ---------------------------------------------------------------------------------------------------
# Random streams and small helpers
# ---------------------------------------------------------------------------------------------------


def _rng(seed: int, *key: object) -> np.random.Generator:
    """The random stream of one series: default_rng seeded by the seed and a stable hash of its key."""
    return np.random.default_rng([seed, zlib.crc32("/".join(map(str, key)).encode("utf-8"))])


def _drift(rng: np.random.Generator, spread: float) -> Shape:
    """A gentle random long-term drift: factor 1 in 2019, random walk at mid 2022 and at DEMO_TODAY."""
    middle = float(np.exp(rng.normal(0, spread)))
    end = middle * float(np.exp(rng.normal(0, spread)))
    return Shape((("2019-01-01", 1.0), ("2022-07-01", middle), (DEMO_TODAY.isoformat(), end)))


def _season(name: str, periods: Sequence[Period]) -> np.ndarray:
    """The mean month factor over each period (a week takes its Thursday's month)."""
    months = np.array(SEASONS[name])
    factors = []
    for period in periods:
        if period.grain is Grain.WEEK:
            factors.append(months[(period.start + timedelta(days=3)).month - 1])
        else:
            first = period.start.month - 1
            factors.append(months[first : first + _months_in(period)].mean())
    return np.array(factors)


def _months_in(period: Period) -> int:
    """Number of months in a month, quarter, tertial or year period."""
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month


def _middles(periods: Sequence[Period]) -> list[date]:
    """The middle day of each period (where shapes are read)."""
    return [p.start + (p.end - p.start) / 2 for p in periods]


def _month_length(periods: Sequence[Period]) -> np.ndarray:
    """Days in each monthly period over the mean month (February has fewer crimes); 1 for other grains."""
    return np.array([(p.end - p.start).days / 30.44 if p.grain is Grain.MONTH else 1.0 for p in periods])


def _in_ranges(day: date, ranges: Iterable[tuple[str, str]]) -> bool:
    """Whether a day lies in one of the inclusive (from, to) ranges."""
    return any(_d(first) <= day <= _d(last) for first, last in ranges)


# ---------------------------------------------------------------------------------------------------
# Reference data as read from the database
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geography:
    """Districts, places and successor areas as loaded from the reference data."""

    validity: dict[str, tuple[date | None, date | None]]  # ordinary areas: valid_from, valid_to (exclusive)
    places: list[tuple[str, str]]  # (place, district), sorted
    parts: dict[str, list[str]] = field(default_factory=dict)  # successor area -> its predecessors

    def valid(self, district: str, day: date) -> bool:
        """Whether a district area was in force on a day (null dates: open-ended)."""
        start, end = self.validity.get(district, (None, None))
        return (start is None or start <= day) and (end is None or day < end)

    def base_areas(self) -> list[str]:
        """The areas values are drawn for: every ordinary area that is not the sum of others."""
        return sorted(code for code in self.validity if code not in self.parts)

    def reported_areas(self) -> list[str]:
        """Every ordinary area, successors included."""
        return sorted(self.validity)


def _date_or_none(value: object) -> date | None:
    """A date from a table cell, None for null."""
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _geography(con: duckdb.DuckDBPyConnection) -> Geography:
    """Read districts, places and successors from the loaded reference tables."""
    districts = con.table("district").df()
    ordinary = districts.loc[districts["kind"] != DistrictKind.CITY]
    validity = {
        row.code: (_date_or_none(row.valid_from), _date_or_none(row.valid_to)) for row in ordinary.itertuples()
    }
    parts: dict[str, list[str]] = {}
    for row in con.table("district_successor").df().sort_values(["successor", "district"]).itertuples():
        parts.setdefault(row.successor, []).append(row.district)
    places = sorted((row.code, row.district) for row in con.table("place").df().itertuples())
    return Geography(validity, places, parts)


# ---------------------------------------------------------------------------------------------------
# Observations
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """The catalogue fields the generator needs."""

    code: str
    unit: Unit
    frequency: Frequency
    level: Level
    source: str
    event_category: str | None

    @property
    def model(self) -> Model:
        """The indicator's model, or a plain one from its unit when the catalogue has a new indicator."""
        if self.code in MODELS:
            return MODELS[self.code]
        return Model(30.0, 0.5, respondents=10.0) if self.unit is Unit.SHARE else Model(20.0, 1.0)


def _catalogue(con: duckdb.DuckDBPyConnection) -> list[Indicator]:
    """The indicator catalogue, sorted by code."""
    frame = con.table("indicator").df().sort_values("code")
    return [
        Indicator(row.code, Unit(row.unit), Frequency(row.frequency), Level(row.level), row.source,
                  None if pd.isna(row.event_category) else row.event_category)
        for row in frame.itertuples()
    ]


@dataclass(frozen=True)
class Axis:
    """An indicator's published periods with what every series over them needs."""

    periods: list[Period]
    middles: list[date]  # where shapes are read
    season: np.ndarray  # season factor × month length

    @classmethod
    def of(cls, periods: list[Period], season: str) -> Axis:
        """The axis over some periods with a named season."""
        return cls(periods, _middles(periods), _season(season, periods) * _month_length(periods))


def _periods_for(indicator: Indicator) -> list[Period]:
    """The published periods of an indicator at DEMO_TODAY: its grain, survey years, lags."""
    first = max(indicator.model.first, DATA_START)
    if indicator.frequency is Frequency.SURVEY:
        years = SURVEY_YEARS.get(indicator.source, DEFAULT_SURVEY_YEARS)
        return [Period(date(year, 1, 1), Grain.YEAR) for year in years if date(year, 1, 1) >= first]
    grain = Grain(indicator.frequency.value)
    last = LAST_PERIOD.get(grain, LAST_PERIOD[Grain.MONTH])
    if grain is Grain.YEAR:
        last = LATE_YEAR_SOURCES.get(indicator.source, last)
    return periods_between(first, last, grain)


def _is_preliminary(indicator: Indicator, period: Period) -> bool:
    """Whether a value is still preliminary at DEMO_TODAY (the latest month, tertial or year)."""
    match indicator.frequency:
        case Frequency.MONTH:
            return period.start == LAST_PERIOD[Grain.MONTH]
        case Frequency.TERTIAL:
            return period.start == LAST_PERIOD[Grain.TERTIAL] and indicator.source in PRELIMINARY_TERTIAL_SOURCES
        case Frequency.YEAR:
            return period.start.year == DEMO_TODAY.year
    return False


def _scenario(indicator: str, district: str, place: str | None) -> Scenario | None:
    """The hand-made scenario of a series, if any."""
    for scenario in SCENARIOS:
        if (scenario.indicator, scenario.district, scenario.place) == (indicator, district, place):
            return scenario
    return None


@dataclass(frozen=True)
class Draw:
    """One drawn series over its periods: values, and for shares numerator/denominator."""

    value: np.ndarray
    numerator: np.ndarray | None = None
    denominator: np.ndarray | None = None


def _area_draw(indicator: Indicator, axis: Axis, area: str, seed: int, cases: Draw | None) -> Draw:
    """One base area's series: exact scenario values, amounts for cases, counts or survey shares."""
    model = indicator.model
    rng = _rng(seed, "observation", indicator.code, area)
    scenario = _scenario(indicator.code, area, None)
    if scenario and scenario.values:
        exact = dict(scenario.values)
        return Draw(np.array([float(exact.get(p.start.isoformat(), 0)) for p in axis.periods]))
    if cases is not None:  # kronor: the sum of a typical amount per case
        amounts = [rng.lognormal(np.log(30_000), 0.9, size=int(k)).sum() for k in cases.value]
        return Draw(np.round(np.array(amounts, dtype=float), -2))
    population, burden = AREA_PROFILE.get(area, DEFAULT_PROFILE)
    shape = scenario.shape if scenario else _drift(rng, model.drift)
    level = shape.at(axis.middles) * SHARE_TRENDS.get(indicator.code, Shape()).at(axis.middles)
    level *= burden**model.burden * float(np.exp(rng.normal(0, 0.12)))
    if model.respondents:
        odds = model.base / (100 - model.base) * level
        response = np.array([0.8 if p.year == 2020 else 1.0 for p in axis.periods])  # 2020: the pandemic
        n = np.maximum(np.round(population * model.respondents * response), 30)
        hits = rng.binomial(n.astype(int), np.clip(odds / (1 + odds), 0.001, 0.999)).astype(float)
        return Draw(np.round(100 * hits / n, 1), hits, n)
    mean = model.base * population / 100 * axis.season * level
    counts = rng.poisson(np.maximum(mean, 0.0)).astype(float)
    if indicator.unit is Unit.PER_1000:  # a rate: the area's count over its population, combined in _combine
        return Draw(counts, counts, np.full(len(counts), population * 1000.0))
    return Draw(counts)


def _combine(draws: Sequence[Draw], index: int, unit: Unit) -> tuple[float, float | None, float | None]:
    """Several areas' values in one period: the sum, for shares the n-weighted share, for rates per 1,000.

    A rate is stored as Kolada delivers it: the value only (per 100,000 rounded to a whole number, so two
    decimals per 1,000), without the count and population.
    """
    if draws[0].numerator is None:
        return float(sum(d.value[index] for d in draws)), None, None
    hits = float(sum(d.numerator[index] for d in draws))
    n = float(sum(d.denominator[index] for d in draws))
    if unit is Unit.PER_1000:
        return round(100_000 * hits / n) / 100, None, None
    return round(100 * hits / n, 1), hits, n


def _district_rows(
    indicator: Indicator, geo: Geography, seed: int, drawn: dict[str, dict[str, Draw]]
) -> list[dict]:
    """Observation rows of a district- or city-level indicator: areas of their time plus the city."""
    model = indicator.model
    axis = Axis.of(_periods_for(indicator), model.season)
    cases = drawn.get(model.amount_of or "", {})
    base_areas = geo.base_areas()
    draws = {area: _area_draw(indicator, axis, area, seed, cases.get(area)) for area in base_areas}
    drawn[indicator.code] = draws
    areas = [] if indicator.level is Level.CITY else geo.reported_areas()
    rows: list[dict] = []
    for index, period in enumerate(axis.periods):
        preliminary = _is_preliminary(indicator, period)
        # the base areas always cover the whole city, also where one was not yet or no longer reported
        value, hits, n = _combine([draws[a] for a in base_areas], index, indicator.unit)
        rows.append(_row(indicator, CITY_DISTRICT, None, period, value, hits, n, preliminary, False))
        for area in areas:
            scenario = _scenario(indicator.code, area, None)
            if not geo.valid(area, period.start) or _left_out(indicator.code, area, scenario, period):
                continue
            value, hits, n = _combine([draws[p] for p in geo.parts.get(area, [area])], index, indicator.unit)
            rows.append(_row(indicator, area, None, period, value, hits, n, preliminary,
                             _is_break(scenario, period)))
    return rows


def _place_rows(indicator: Indicator, geo: Geography, seed: int) -> list[dict]:
    """Observation rows of a place-level indicator (reported crimes per place and month)."""
    model = indicator.model
    axis = Axis.of(_periods_for(indicator), model.season)
    rows: list[dict] = []
    for place, district in geo.places:
        rng = _rng(seed, "observation", indicator.code, place)
        scenario = _scenario(indicator.code, district, place)
        shape = scenario.shape if scenario else _drift(rng, model.drift)
        per_month = PLACE_PROFILE.get(place, DEFAULT_PLACE)[1] if model.place_base else model.base
        mean = per_month * float(np.exp(rng.normal(0, 0.05))) * axis.season * shape.at(axis.middles)
        values = rng.poisson(mean)
        for period, value in zip(axis.periods, values, strict=True):
            if geo.valid(district, period.start) and not _left_out(indicator.code, place, scenario, period):
                rows.append(_row(indicator, district, place, period, float(value), None, None,
                                 _is_preliminary(indicator, period), _is_break(scenario, period)))
    return rows


def _left_out(code: str, scope: str, scenario: Scenario | None, period: Period) -> bool:
    """Whether a value is missing: a scenario's gap or one of GAPS."""
    ranges = (scenario.missing if scenario else ()) + GAPS.get((code, scope), ())
    return _in_ranges(period.start, ranges)


def _is_break(scenario: Scenario | None, period: Period) -> bool:
    """Whether the period is a scenario's series break."""
    return bool(scenario and scenario.series_break == period.start.isoformat())


def _row(
    indicator: Indicator, district: str, place: str | None, period: Period, value: float,
    numerator: float | None, denominator: float | None, preliminary: bool, series_break: bool,
) -> dict:
    """One observation row as a dict of column values."""
    return {
        "indicator": indicator.code, "unit": indicator.unit.value, "district": district, "place": place,
        "period_start": period.start, "grain": period.grain.value, "value": value,
        "numerator": numerator, "denominator": denominator, "preliminary": preliminary,
        "series_break": series_break,
    }


GAPS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("anmalda-brott-nara-relation", "farsta"): (("2021-06-01", "2021-08-01"),),
    ("bedragerier-aldre", "skarholmen"): (("2022-01-01", "2022-02-01"),),
    ("anmalda-brott-plats", "islandstorget"): (("2021-07-01", "2021-09-01"),),
    ("felaktiga-utbetalningar", "kungsholmen"): (("2022-05-01", "2022-05-01"),),
    ("felaktiga-utbetalningar-belopp", "kungsholmen"): (("2022-05-01", "2022-05-01"),),
    ("orosanmalningar-13-17", "skarpnack"): (("2020-01-01", "2020-05-01"),),
}
"""Missing values outside the scenarios: (indicator, district or place) -> inclusive ranges of period starts."""


def observations(con: duckdb.DuckDBPyConnection, seed: int) -> pd.DataFrame:
    """Observation rows for every indicator that is not computed from events."""
    geo = _geography(con)
    stored = [i for i in _catalogue(con) if i.event_category is None]
    # amounts (kronor) are sums over their count indicator's cases, so counts are drawn first
    stored.sort(key=lambda i: i.model.amount_of is not None)
    rows: list[dict] = []
    drawn: dict[str, dict[str, Draw]] = {}
    for indicator in stored:
        if indicator.level is Level.PLACE:
            rows += _place_rows(indicator, geo, seed)
        else:
            rows += _district_rows(indicator, geo, seed, drawn)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------
# EST events
# ---------------------------------------------------------------------------------------------------


def _first_monday(day: date) -> date:
    """The first Monday on or after a day."""
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _est_weeks(geo: Geography, district: str) -> list[Period]:
    """The weeks a district's places report EST: from its EST start while the area is in force."""
    start = _first_monday(EST_START.get(district, DATA_START))
    return [w for w in periods_between(start, LAST_WEEK, Grain.WEEK) if geo.valid(district, w.start)]


def _reporter_weights(category: str, place: str) -> np.ndarray:
    """Who reports a category at a place (SL only where there is a station), summing to 1."""
    weights = np.array(REPORTER_MIX.get(category, (1.0,) * len(REPORTER_KINDS)), dtype=float)
    if place in NO_STATION:
        weights[REPORTER_KINDS.index("sl")] = 0.0
    return weights / weights.sum()


def _timestamps(weeks: np.ndarray, kinds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A time within its week for each report, by the reporter's (index in REPORTER_KINDS) days and hours."""
    offsets = np.zeros(len(weeks), dtype="timedelta64[m]")
    for index, kind in enumerate(REPORTER_KINDS):
        mask = kinds == index
        m = int(mask.sum())
        if not m:
            continue
        days = np.array(REPORTER_DAYS[kind]) / sum(REPORTER_DAYS[kind])
        first, last = REPORTER_HOURS[kind]
        minutes = (rng.choice(7, size=m, p=days) * 24 * 60 + rng.integers(first, last + 1, size=m) * 60
                   + rng.integers(0, 60, size=m))
        offsets[mask] = minutes.astype("timedelta64[m]")
    return weeks.astype("datetime64[m]") + offsets


def _place_events(place: str, district: str, weeks: list[Period], categories: list[str],
                  indicator_of: dict[str, str], seed: int) -> list[dict[str, np.ndarray]]:
    """EST reports at one place, one set of columns per category."""
    columns = []
    activity = PLACE_PROFILE.get(place, DEFAULT_PLACE)[0]
    week_days = np.array([w.start for w in weeks], dtype="datetime64[D]")
    middles = _middles(weeks)
    seasons = {name: _season(name, weeks) for name in {season for _, season in EST_RATES.values()} | {"flat"}}
    reporter_names = np.array([REPORTER_NAMES.get(kind, "") for kind in REPORTER_KINDS], dtype=object)
    landlords = np.array(LANDLORDS.get(district, ("Fastighetsägare",)), dtype=object)
    for category in categories:
        rng = _rng(seed, "est", place, category)
        rate, season = EST_RATES.get(category, (0.2, "flat"))
        scenario = _scenario(indicator_of.get(category, ""), district, place)
        shape = scenario.shape if scenario else _drift(rng, 0.12)
        mean = rate * activity * EST_HOTSPOTS.get((place, category), 1.0) * seasons[season] * shape.at(middles)
        counts = rng.poisson(mean)
        n = int(counts.sum())
        if not n:
            continue
        kinds = rng.choice(len(REPORTER_KINDS), size=n, p=_reporter_weights(category, place))
        reporters = reporter_names[kinds]
        is_landlord = kinds == REPORTER_KINDS.index("fastighet")
        reporters[is_landlord] = landlords[rng.integers(0, len(landlords), size=int(is_landlord.sum()))]
        texts = np.array(DESCRIPTIONS.get(category, ("Rapport",)), dtype=object)
        columns.append({
            "occurred_at": _timestamps(np.repeat(week_days, counts), kinds, rng),
            "district": np.full(n, district, dtype=object),
            "place": np.full(n, place, dtype=object),
            "category": np.full(n, category, dtype=object),
            "reporter": reporters,
            "description": texts[rng.integers(0, len(texts), size=n)],
        })
    return columns


def events(con: duckdb.DuckDBPyConnection, seed: int) -> pd.DataFrame:
    """EST reports at every place: weekly counts by category with seasons, trends and hotspots."""
    geo = _geography(con)
    categories = sorted(con.table("event_category").df()["code"])
    indicator_of = {i.event_category: i.code for i in _catalogue(con) if i.event_category}
    parts: list[dict[str, np.ndarray]] = []
    for place, district in geo.places:
        weeks = _est_weeks(geo, district)
        if weeks:
            parts += _place_events(place, district, weeks, categories, indicator_of, seed)
    result = pd.DataFrame({name: np.concatenate([part[name] for part in parts]) for name in parts[0]})
    result = result.sort_values(["occurred_at", "place", "category", "reporter", "description"], kind="stable")
    result.insert(0, "source", EventSource.EST.value)
    result.insert(1, "source_id", [f"EST-{i:06d}" for i in range(1, len(result) + 1)])
    return result.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------------


def _period_total(indicator: Indicator, district: str, place: str | None, period: Period,
                  obs: pd.DataFrame, est: pd.DataFrame) -> float | None:
    """An indicator's value for one period: events counted, counts summed, a share as stored."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    if indicator.event_category:
        scope = est["place"] == place if place else est["district"] == district
        chosen = est.loc[scope & (est["category"] == indicator.event_category)]
        return float(((chosen["occurred_at"] >= start) & (chosen["occurred_at"] < end)).sum())
    scope = obs["place"] == place if place else (obs["district"] == district) & obs["place"].isna()
    chosen = obs.loc[scope & (obs["indicator"] == indicator.code)]
    days = pd.to_datetime(chosen["period_start"])
    inside = chosen.loc[(days >= start) & (days < end)]
    if inside.empty:
        return None
    if indicator.unit is Unit.SHARE:
        return float(inside["value"].iloc[0]) if len(inside) == 1 else None
    return float(inside["value"].sum())


def targets(con: duckdb.DuckDBPyConnection, obs: pd.DataFrame, est: pd.DataFrame) -> pd.DataFrame:
    """Target rows from TARGETS, with baselines taken from the generated values."""
    catalogue = {indicator.code: indicator for indicator in _catalogue(con)}
    rows = []
    for spec in TARGETS:
        indicator = catalogue[spec.indicator]
        baseline_period = Period(_d(spec.baseline_start), spec.grain)
        baseline = _period_total(indicator, spec.district, spec.place, baseline_period, obs, est)
        if baseline is None:
            raise ValueError(f"demo target {spec}: no baseline value")
        numeric = spec.target_factor is not None
        decimals = 1 if indicator.unit is Unit.SHARE else 0
        rows.append({
            "indicator": spec.indicator, "district": spec.district, "place": spec.place,
            "baseline_start": baseline_period.start, "baseline_grain": spec.grain.value,
            "baseline_value": baseline,
            "target_start": _d(spec.target_start) if numeric else None,
            "target_grain": spec.grain.value if numeric else None,
            "target_value": round(baseline * spec.target_factor, decimals) if numeric else None,
            "tolerance": round(baseline * spec.tolerance, 1) if numeric and spec.tolerance else None,
            "note": spec.note,
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------
# The action plan
# ---------------------------------------------------------------------------------------------------

SOCIAL, SITUATIONAL = PreventionType.SOCIAL, PreventionType.SITUATIONAL
UNIVERSAL, SELECTIVE, INDICATED = PreventionLevel.UNIVERSAL, PreventionLevel.SELECTIVE, PreventionLevel.INDICATED
PLANNED, ONGOING, DONE, CANCELLED = (ActivityStatus.PLANNED, ActivityStatus.ONGOING, ActivityStatus.DONE,
                                     ActivityStatus.CANCELLED)
SDF_HV = "Stadsdelsförvaltningen Hässelby-Vällingby"
SDF_HA = "Stadsdelsförvaltningen Hägersten-Älvsjö"
SDF_BR = "Stadsdelsförvaltningen Bromma"


@dataclass(frozen=True)
class ActivitySpec:
    """One action-plan activity (insats) and the goals it serves."""

    title: str
    district: str
    place: str | None
    lead_org: str
    partners: str
    prevention_type: PreventionType
    level: PreventionLevel
    status: ActivityStatus
    start: str | None
    end: str | None
    goals: tuple[str, ...]
    description: str


ACTIVITIES: tuple[ActivitySpec, ...] = (
    # Hässelby-Vällingby: the two open drug scenes and EST (seed 000)
    ActivitySpec("Platssamverkan Hässelby torg", HV, "hasselby-torg", SDF_HV,
                 "Polisen, Svenska Bostäder, Familjebostäder, SL, handlare vid torget", SITUATIONAL, UNIVERSAL,
                 ONGOING, "2024-03-01", None, ("pa2-1", "pa2-2", "pa2-3"),
                 "Arbetsgrupp enligt Brås arbetsmodell: kartläggning, orsaksanalys och gemensamma åtgärder "
                 "mot den öppna drogscenen."),
    ActivitySpec("Platssamverkan Maltesholmstorget", HV, "maltesholmstorget", SDF_HV,
                 "Polisen, Familjebostäder, fastighetsägare", SITUATIONAL, UNIVERSAL, ONGOING, "2024-09-01",
                 None, ("pa2-1", "pa2-2"), "Kartläggning och orsaksanalys klar hösten 2024; arbetsgrupp "
                 "med riktad kompetens träffas varannan vecka."),
    ActivitySpec("Platsaktivering Maltesholmstorget", HV, "maltesholmstorget", SDF_HV,
                 "Föreningar, trossamfund, Familjebostäder", SOCIAL, UNIVERSAL, ONGOING, "2025-04-01", None,
                 ("pa2-3",), "Återkommande aktiviteter på torget tillsammans med föreningar och trossamfund."),
    ActivitySpec("Sommar på Hässelby torg", HV, "hasselby-torg", SDF_HV, "Föreningar, Svenska Bostäder",
                 SOCIAL, UNIVERSAL, DONE, "2024-06-10", "2024-08-16", ("pa2-3",),
                 "Platsaktivering med musik, spontanidrott och fika på torget under sommarlovet."),
    ActivitySpec("EST-rapportering i Hässelby-Vällingby", HV, None, SDF_HV,
                 "Polisen, Svenska Bostäder, Familjebostäder, SL, Stockholm Vatten och Avfall, nattvandrare",
                 SITUATIONAL, UNIVERSAL, ONGOING, "2019-01-07", None, ("pa2-1", "pa2-2"),
                 "Effektiv samordning för trygghet: veckovis rapportering och gemensam lägesbild."),
    ActivitySpec("Föreningsdag 2025", HV, None, SDF_HV, "Registrerade föreningar i stadsdelsområdet", SOCIAL,
                 UNIVERSAL, DONE, "2025-02-15", "2025-02-15", ("pa1-1", "pa5-1"),
                 "Föreläsning och workshop så att föreningarna lär känna varandra och stärker samverkan."),
    ActivitySpec("Workshop om samverkan med civilsamhället", HV, None, SDF_HV,
                 "Föreningar, trossamfund, näringsidkare, Polisen", SOCIAL, UNIVERSAL, PLANNED, "2025-11-20",
                 "2025-11-20", ("pa1-1", "pa2-3"), "Svar på medborgarförslaget om effektivare samverkan."),
    ActivitySpec("Belysning i Maltesholmsparken", HV, "maltesholmstorget", "Trafikkontoret", SDF_HV,
                 SITUATIONAL, UNIVERSAL, DONE, "2024-10-01", "2024-11-29", ("pa2-3",),
                 "Ny belysning längs gångvägen mellan torget och parken."),
    ActivitySpec("Kamerabevakning Hässelby torg", HV, "hasselby-torg", "Polisen", SDF_HV, SITUATIONAL,
                 UNIVERSAL, ONGOING, "2024-05-01", None, ("pa2-2",), "Polisens kameror vid torget och "
                 "tunnelbaneuppgången."),
    ActivitySpec("Kameror i Vällingby centrum", HV, "vallingby-centrum", "Polisen", "Fastighetsägaren",
                 SITUATIONAL, UNIVERSAL, CANCELLED, "2024-02-01", "2024-06-30", ("pa2-2",),
                 "Avbruten: platsen prioriterades ned i den gemensamma lägesbilden."),
    ActivitySpec("Ordningsvakter Hässelby torg", HV, "hasselby-torg", SDF_HV, "Polisen", SITUATIONAL,
                 UNIVERSAL, ONGOING, "2024-04-01", None, ("pa2-2", "pa2-3"),
                 "Ordningsvakter kvällstid i tillståndsområdet kring torget."),
    ActivitySpec("Fältassistenter kvällstid", HV, None, f"{SDF_HV} (fältassistenter)", "Polisen, nattvandrare",
                 SOCIAL, SELECTIVE, ONGOING, "2019-01-01", None, ("pa1-1", "pa1-3"),
                 "Uppsökande arbete fredag och lördag kväll där ungdomar samlas."),
    ActivitySpec("SSPF Hässelby-Vällingby", HV, None, f"{SDF_HV} (socialtjänsten)", "Skolor, Polisen, fritid",
                 SOCIAL, INDICATED, ONGOING, "2019-01-01", None, ("pa1-2", "pa1-3"),
                 "Samverkan socialtjänst, skola, polis och fritid kring unga med tidiga tecken."),
    ActivitySpec("Nattvandring Hässelby gård", HV, "hasselby-torg", "Nattvandrarna Hässelby", SDF_HV, SOCIAL,
                 UNIVERSAL, ONGOING, "2023-09-01", None, ("pa2-3",), "Vuxna på stan fredag och lördag kväll."),
    ActivitySpec("Sommarlovsprogram 2025", HV, None, SDF_HV, "Föreningar, RF-SISU", SOCIAL, UNIVERSAL, DONE,
                 "2025-06-16", "2025-08-15", ("pa1-1",), "Kostnadsfria lovaktiviteter för barn och unga."),
    ActivitySpec("Utbildning om otillåten påverkan", HV, None, SDF_HV, "Stadsledningskontoret", SITUATIONAL,
                 UNIVERSAL, ONGOING, "2022-01-15", None, ("pa3-3",),
                 "Alla medarbetare i myndighetsutövning går utbildningen; uppföljning per år."),
    ActivitySpec("Rutin för polisanmälan av välfärdsbrott", HV, None, SDF_HV, "Polisen", SITUATIONAL,
                 UNIVERSAL, DONE, "2024-01-15", "2024-06-30", ("pa3-1",),
                 "Ny rutin och mall för anmälan; ärendesystemet byttes samtidigt."),
    ActivitySpec("Kontroll av utbetalningar av ekonomiskt bistånd", HV, None, f"{SDF_HV} (socialtjänsten)",
                 "Försäkringskassan", SITUATIONAL, UNIVERSAL, ONGOING, "2023-03-01", None, ("pa3-1", "pa3-2"),
                 "Stickprov och samkörning för att upptäcka felaktiga utbetalningar."),
    ActivitySpec("Informationsträffar om bedrägerier mot äldre", HV, None, "Polisen",
                 f"{SDF_HV} (äldreomsorgen)", SOCIAL, SELECTIVE, ONGOING, "2025-03-01", None, ("pa4-2",),
                 "Kommunpolis och äldreomsorg på träffpunkter: telefonbedrägerier och falska bankmän."),
    ActivitySpec("Våld i nära relation: utbildning för hemtjänsten", HV, None, SDF_HV, "Kvinnojouren",
                 SOCIAL, SELECTIVE, DONE, "2023-02-01", "2023-11-30", ("pa4-1", "pa4-3"),
                 "Personalen lär sig se tecken och vart de ska vända sig."),
    ActivitySpec("Uppsökande brottsofferstöd", HV, None, f"{SDF_HV} (socialtjänsten)",
                 "Polisen, Brottsofferjouren", SOCIAL, INDICATED, ONGOING, "2024-01-01", None, ("pa4-3",),
                 "Brottsutsatta kontaktas efter polisanmälan med erbjudande om stöd."),
    ActivitySpec("Avhopparverksamhet", HV, None, "Socialförvaltningen", "Polisen, Kriminalvården", SOCIAL,
                 INDICATED, ONGOING, "2019-01-01", None, ("pa5-2",), "Stöd till personer som vill lämna "
                 "kriminella miljöer."),
    # Hägersten-Älvsjö: concrete measures (seed 004)
    ActivitySpec("Platssamverkan Liljeholmen", HA, "liljeholmen", SDF_HA, "Polisen, fastighetsägare, företagare",
                 SITUATIONAL, UNIVERSAL, ONGOING, "2023-03-01", None, ("pa2-1", "pa2-2"),
                 "Löpande möten med samverkansparterna kring torget och bussterminalen."),
    ActivitySpec("Ordningsvakter Västberga", HA, "vastberga", SDF_HA, "Polisen", SITUATIONAL, UNIVERSAL,
                 ONGOING, "2025-01-01", None, ("pa2-2",), "Nytt tillståndsområde för ordningsvakter."),
    ActivitySpec("Ordningsvakter Axelsberg", HA, "axelsberg", SDF_HA, "Polisen", SITUATIONAL, UNIVERSAL,
                 ONGOING, "2025-02-01", None, ("pa2-2",), "Nytt tillståndsområde för ordningsvakter."),
    ActivitySpec("Ordningsvakter Örnsberg", HA, "ornsberg", SDF_HA, "Polisen", SITUATIONAL, UNIVERSAL,
                 PLANNED, "2025-12-01", None, ("pa2-2",), "Ansökan om tillståndsområde inlämnad."),
    ActivitySpec("Ordningsvakter Sjövikskajen/Marievik", HA, "sjovikskajen-marievik", SDF_HA, "Polisen",
                 SITUATIONAL, UNIVERSAL, CANCELLED, "2025-01-01", "2025-03-31", ("pa2-2",),
                 "Avbruten: ansökan om tillståndsområde avslogs."),
    ActivitySpec("Utökade ordningsvaktsområden", HA, None, SDF_HA, "Polisen", SITUATIONAL, UNIVERSAL, ONGOING,
                 "2025-01-01", None, ("pa2-2", "pa2-3"),
                 "Utökade områden i Liljeholmen, Älvsjö/Solberga, Fruängen och Västertorp."),
    ActivitySpec("Trygghetsvandring Fruängen", HA, "fruangen", SDF_HA, "Polisen, Familjebostäder, boende",
                 SITUATIONAL, UNIVERSAL, DONE, "2024-10-15", "2024-10-15", ("pa2-3",),
                 "Vandring med boende; mörka stråk och gångtunneln pekades ut."),
    ActivitySpec("Trygghetsvandring Västertorp", HA, "vastertorp", SDF_HA, "Polisen, boende", SITUATIONAL,
                 UNIVERSAL, DONE, "2024-10-22", "2024-10-22", ("pa2-3",), "Vandring med boende och polis."),
    ActivitySpec("Trygghetsvandring Liljeholmen", HA, "liljeholmen", SDF_HA, "Polisen, fastighetsägare",
                 SITUATIONAL, UNIVERSAL, DONE, "2024-11-05", "2024-11-05", ("pa2-3",), "Vandring kvällstid."),
    ActivitySpec("Trygghetsvandring Älvsjö/Solberga", HA, "alvsjo-solberga", SDF_HA, "Polisen, nattvandrare",
                 SITUATIONAL, UNIVERSAL, PLANNED, "2025-11-12", "2025-11-12", ("pa2-3",),
                 "Planerad vandring med boende och nattvandrare."),
    ActivitySpec("Belysning i gångtunneln Fruängen", HA, "fruangen", "Trafikkontoret", SDF_HA, SITUATIONAL,
                 UNIVERSAL, DONE, "2024-11-01", "2024-11-29", ("pa2-3",),
                 "Ny belysning efter trygghetsvandringen i oktober."),
    ActivitySpec("Nattvandring Älvsjö/Solberga", HA, "alvsjo-solberga", "Nattvandring.nu", SDF_HA, SOCIAL,
                 UNIVERSAL, ONGOING, "2024-10-01", None, ("pa2-3",),
                 "Nattvandringen övergick i idéburet partnerskap hösten 2024."),
    ActivitySpec("SSPF områdesmöten", HA, None, f"{SDF_HA} (socialtjänsten)", "Skolor, Polisen, fritid",
                 SOCIAL, INDICATED, ONGOING, "2024-01-15", None, ("pa1-2", "pa1-3"),
                 "Implementering under vårterminen 2024, därefter områdesmöten per skolkluster."),
    ActivitySpec("Fältassistenternas sommaraktiviteter", HA, None, f"{SDF_HA} (fältassistenter)", "Föreningar",
                 SOCIAL, SELECTIVE, DONE, "2024-06-17", "2024-08-16", ("pa1-1",),
                 "Minst två väderanpassade aktiviteter i veckan: SUP, beachvolley, frisbeegolf."),
    ActivitySpec("Sommar på torget Fruängen", HA, "fruangen", SDF_HA, "Föreningar, företag, civilsamhälle",
                 SOCIAL, UNIVERSAL, DONE, "2024-06-24", "2024-08-09", ("pa2-3",),
                 "Genomfört med medel för platssamverkan."),
    ActivitySpec("Spontanfotboll i Solberga", HA, "alvsjo-solberga", SDF_HA, "Lokal idrottsförening", SOCIAL,
                 UNIVERSAL, ONGOING, "2023-05-01", None, ("pa1-1",), "Fredagskvällar under terminerna."),
    ActivitySpec("Meningsfull fritid", HA, None, SDF_HA, "Två skolor, RF-SISU", SOCIAL, SELECTIVE, ONGOING,
                 "2024-01-08", None, ("pa1-1", "pa1-3"),
                 "Elever utan fritidssysselsättning lotsas till föreningar."),
    ActivitySpec("Utbildning Kriminalitet som livsstil", HA, None, SDF_HA, "Brå", SOCIAL, SELECTIVE, DONE,
                 "2024-03-01", "2024-05-31", ("pa5-1", "pa5-2"),
                 "Fältassistenter och fritidsledare utbildade med medel från Brå."),
    ActivitySpec("Föräldrastöd På rätt väg", HA, None, f"{SDF_HA} (fältassistenter)", "Skolor", SOCIAL,
                 SELECTIVE, ONGOING, "2024-09-01", None, ("pa1-1", "pa1-2"),
                 "Föräldragrupper om tidiga tecken och gängkriminalitet."),
    # Bromma: schools in the local cooperation (seed 002)
    ActivitySpec("Skolorna i den lokala samverkan", "bromma", None, SDF_BR, "Polisen, skolor", SOCIAL,
                 UNIVERSAL, ONGOING, "2020-09-01", None, ("pa1-1", "pa1-3"),
                 "Den lokala samverkansöverenskommelsen utvidgad med stadsdelsområdets skolor."),
    ActivitySpec("Trygghetsvandring Brommaplan", "bromma", "brommaplan", SDF_BR, "Polisen, SL", SITUATIONAL,
                 UNIVERSAL, DONE, "2023-10-10", "2023-10-10", ("pa2-3",), "Vandring runt bussterminalen."),
    ActivitySpec("Kameror vid Islandstorget", "bromma", "islandstorget", "Polisen", SDF_BR, SITUATIONAL,
                 UNIVERSAL, PLANNED, "2026-03-01", None, ("pa2-2",), "Ansökan om kamerabevakning förbereds."),
)
"""The action plan: 40-odd activities in the spirit of the seed documents."""


def _creator(district: str) -> str:
    """Who typed an activity or comment in (a role, not a person)."""
    names = {HV: "Trygghetssamordnare Hässelby-Vällingby", HA: "Trygghetssamordnare Hägersten-Älvsjö",
             "bromma": "Trygghetssamordnare Bromma"}
    return names.get(district, DEMO_USER)


def activities() -> pd.DataFrame:
    """Activity rows (without ids) in ACTIVITIES order."""
    rows = []
    for spec in ACTIVITIES:
        start = _d(spec.start) if spec.start else None
        created = min(start or DEMO_TODAY, DEMO_TODAY) - timedelta(days=30)
        rows.append({
            "title": spec.title, "description": spec.description, "district": spec.district,
            "place": spec.place, "lead_org": spec.lead_org, "partners": spec.partners,
            "prevention_type": spec.prevention_type.value, "level": spec.level.value,
            "status": spec.status.value, "start_date": start, "end_date": _d(spec.end) if spec.end else None,
            "created_by": _creator(spec.district), "created_at": datetime.combine(created, datetime.min.time()),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------
# Comments
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentSpec:
    """A steering-group comment; `revises` is the index in COMMENTS of the version it supersedes."""

    district: str
    goal: str | None
    indicator: str | None
    period_start: str
    grain: Grain
    author: str
    written: str
    body: str
    revises: int | None = None
    locked: bool = False


STYRGRUPP_HV = "Lokala styrgruppen Hässelby-Vällingby"
STYRGRUPP_HA = "Lokala styrgruppen Hägersten-Älvsjö"

COMMENTS: tuple[CommentSpec, ...] = (
    CommentSpec(HV, "pa2-2", None, "2024-09-01", Grain.TERTIAL, STYRGRUPP_HV, "2025-01-22",
                "Platssamverkan vid Hässelby torg har kommit igång. Ännu ingen tydlig minskning av anmälda "
                "brott; rapporterna om narkotikahantering har börjat minska.", locked=True),
    CommentSpec(HV, "pa2-2", None, "2025-01-01", Grain.TERTIAL, STYRGRUPP_HV, "2025-05-20",
                "Anmälda brott vid Hässelby torg har minskat kraftigt sedan årsskiftet. Vi bevakar om "
                "problemen flyttar till Maltesholmstorget.", locked=True),
    CommentSpec(HV, "pa2-2", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HV, "2025-09-18",
                "Anmälda brott vid Hässelby torg fortsätter att minska. Störande samlingar har ökat vid "
                "Maltesholmstorget."),
    CommentSpec(HV, "pa2-2", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HV, "2025-09-25",
                "Anmälda brott vid Hässelby torg har nästan halverats jämfört med samma period 2024, större "
                "än slumpvariationen. Störande samlingar har samtidigt ökat vid Maltesholmstorget, vilket "
                "tyder på förflyttning; platsaktiveringen där prioriteras hösten 2025.", revises=2),
    CommentSpec(HV, None, "anmalda-brott-plats", "2025-01-01", Grain.TERTIAL, "Kommunpolis Västerort",
                "2025-05-20", "Maltesholmstorget avgränsas från januari 2025 så att parken och "
                "Maltesholmsvägen ingår. Siffrorna före och efter är inte jämförbara (serieuppehåll).",
                locked=True),
    CommentSpec(HV, "pa2-3", None, "2023-01-01", Grain.YEAR, STYRGRUPP_HV, "2024-02-14",
                "Trygghetsmätningen 2023 visar att färre känner sig otrygga utomhus sent på kvällen än "
                "2020, men nivån är fortfarande högre än i staden som helhet.", locked=True),
    CommentSpec(HV, "pa3-1", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HV, "2025-09-25",
                "Antalet anmälningar om välfärdsbrott för maj–augusti 2024 saknas efter bytet av "
                "ärendesystem, så årets tertial kan inte jämföras med förra årets."),
    CommentSpec(HV, "pa4-2", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HV, "2025-09-25",
                "Bedrägerierna mot äldre har ökat kraftigt, främst telefonbedrägerier. "
                "Informationsträffarna på träffpunkterna fortsätter och utökas till hemtjänstens kunder."),
    CommentSpec(HV, "pa2-1", None, "2025-01-01", Grain.YEAR, STYRGRUPP_HV, "2025-10-02",
                "Den gemensamma lägesbilden hösten 2025 (preliminär) har fortfarande två öppna drogscener: "
                "Hässelby torg och Maltesholmstorget. Målet om inga öppna drogscener 2027 är i risk."),
    CommentSpec(HV, "pa1-3", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HV, "2025-09-25",
                "Fler unga har en plan inom SSPF; samverkan med skolorna har breddats."),
    CommentSpec(HA, "pa2-3", None, "2024-09-01", Grain.TERTIAL, STYRGRUPP_HA, "2025-01-28",
                "Trygghetsvandringarna i Fruängen, Västertorp och Liljeholmen är genomförda. Belysningen i "
                "gångtunneln i Fruängen byttes i november.", locked=True),
    CommentSpec(HA, "pa2-3", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HA, "2025-09-30",
                "Rapporterna om mörka och otrygga platser i Fruängen har minskat efter belysningsbytet. "
                "Nattvandringen i Älvsjö/Solberga ger färre störande samlingar."),
    CommentSpec(HA, "pa2-2", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HA, "2025-09-30",
                "Ordningsvakterna i Axelsberg sedan februari: färre anmälda brott vid torget. Ansökan för "
                "Sjövikskajen/Marievik avslogs."),
    CommentSpec(HA, "pa2-2", None, "2025-05-01", Grain.TERTIAL, STYRGRUPP_HA, "2025-10-07",
                "Ordningsvakterna i Axelsberg sedan februari: anmälda brott vid torget har minskat. Ansökan "
                "för Sjövikskajen/Marievik avslogs; klottret vid Liljeholmen har ökat och tas upp i "
                "platssamverkan.", revises=12),
)
"""Steering-group analysis; two are later versions of an earlier comment (supersedes)."""


# ---------------------------------------------------------------------------------------------------
# Writing: populate an open database, build a complete file
# ---------------------------------------------------------------------------------------------------


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a frame's rows to a table by column name (missing columns get their defaults)."""
    if not frame.empty:
        con.append(table, frame, by_name=True)


def _max_id(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The highest id in a table (0 when empty)."""
    ids = con.table(table).df()["id"]
    return int(ids.max()) if len(ids) else 0


def _write_activities(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Insert the action plan and its goal links; return (activities, links)."""
    before = _max_id(con, "activity")
    _append(con, "activity", activities())
    added = con.table("activity").df()
    added = added.loc[added["id"] > before].sort_values("id")
    links = pd.DataFrame(
        [{"activity": int(activity_id), "goal": goal}
         for activity_id, spec in zip(added["id"], ACTIVITIES, strict=True) for goal in spec.goals]
    )
    _append(con, "activity_goal", links)
    return len(added), len(links)


def _write_comments(con: duckdb.DuckDBPyConnection) -> int:
    """Insert the comments one by one, so later versions can point at the id of the one they revise."""
    ids: list[int] = []
    for spec in COMMENTS:
        _append(con, "comment", pd.DataFrame([{
            "district": spec.district, "goal": spec.goal, "indicator": spec.indicator,
            "period_start": _d(spec.period_start), "grain": spec.grain.value, "body": spec.body,
            "author": spec.author, "created_at": datetime.combine(_d(spec.written), datetime.min.time()),
            "supersedes": None if spec.revises is None else ids[spec.revises], "locked": spec.locked,
        }]))
        ids.append(_max_id(con, "comment"))
    return len(ids)


def _write_locks(con: duckdb.DuckDBPyConnection) -> int:
    """Lock every period that has a locked comment, as the steering group does after its meeting."""
    locked = sorted({(spec.district, spec.period_start, spec.grain.value, spec.written)
                     for spec in COMMENTS if spec.locked})
    first = {}
    for district, start, grain, written in locked:  # the first meeting that discussed the period locked it
        first.setdefault((district, start, grain), written)
    _append(con, "period_lock", pd.DataFrame([
        {"district": district, "period_start": _d(start), "grain": grain, "locked_by": DEMO_USER,
         "locked_at": datetime.combine(_d(written), datetime.min.time())}
        for (district, start, grain), written in first.items()
    ]))
    return len(first)


@dataclass(frozen=True)
class CommitmentSpec:
    """A decision or commitment from a steering-group meeting."""

    district: str
    meeting_date: str
    what: str
    who: str
    due_date: str | None
    status: str
    goal: str | None = None


COMMITMENTS: tuple[CommitmentSpec, ...] = (
    CommitmentSpec(HV, "2025-05-20", "Ta fram en plan för platsaktivering av Maltesholmstorget.",
                   "Stadsdelsförvaltningen, trygghetsenheten", "2025-09-01", "done", "pa2-3"),
    CommitmentSpec(HV, "2025-09-25", "Följ upp om anmälda brott flyttar från Hässelby torg till Maltesholmstorget.",
                   "Kommunpolis Västerort", "2025-11-15", "open", "pa2-2"),
    CommitmentSpec(HV, "2025-09-25", "Sprid informationen om telefonbedrägerier via hemtjänsten.",
                   "Äldreomsorgen", "2025-10-31", "open", "pa4-2"),
    CommitmentSpec(HV, "2025-09-25", "Bjud in skolorna till nästa styrgruppsmöte.", "Ordföranden", None, "open"),
    CommitmentSpec(HA, "2025-09-30", "Ny ansökan om ordningsvakter vid Sjövikskajen/Marievik.",
                   "Stadsdelsförvaltningen", "2025-12-31", "open", "pa2-2"),
)
"""Commitments of the two demo steering groups: some done, some open and due before the next meeting."""


def _write_commitments(con: duckdb.DuckDBPyConnection) -> int:
    """Insert the demo commitments."""
    _append(con, "commitment", pd.DataFrame([
        {"district": spec.district, "meeting_date": _d(spec.meeting_date), "what": spec.what, "who": spec.who,
         "due_date": None if spec.due_date is None else _d(spec.due_date), "status": spec.status, "goal": spec.goal,
         "created_by": DEMO_USER, "created_at": datetime.combine(_d(spec.meeting_date), datetime.min.time())}
        for spec in COMMITMENTS
    ]))
    return len(COMMITMENTS)


def seed_checksum(seed: int) -> str:
    """The import_log checksum of a demo load: sha256 of the seed."""
    return hashlib.sha256(str(seed).encode("ascii")).hexdigest()


def populate(con: duckdb.DuckDBPyConnection, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Fill a database that has the schema and reference data with demo data; return rows per table.

    Everything is written in one transaction under one import_log row (kind 'demo') whose id is the
    load_id of every generated observation and event.
    """
    est = events(con, seed)
    obs = observations(con, seed)
    goals = targets(con, obs, est)
    con.begin()
    try:
        _append(con, "import_log", pd.DataFrame([{
            "kind": LoadKind.DEMO.value, "file_name": "demo", "checksum": seed_checksum(seed),
            "user_name": DEMO_USER, "loaded_at": datetime.combine(DEMO_TODAY, datetime.min.time()),
            "rows_added": len(est) + len(obs),
        }]))
        load_id = _max_id(con, "import_log")
        _append(con, "event", est.assign(load_id=load_id))
        est_summary.refresh(con)
        _append(con, "observation", obs.assign(load_id=load_id))
        _append(con, "target", goals)
        activity_count, link_count = _write_activities(con)
        comment_count = _write_comments(con)
        lock_count = _write_locks(con)
        commitment_count = _write_commitments(con)
        con.commit()
    except Exception:
        con.rollback()
        raise
    return {
        "import_log": 1, "event": len(est), "observation": len(obs), "target": len(goals),
        "activity": activity_count, "activity_goal": link_count, "comment": comment_count,
        "period_lock": lock_count, "commitment": commitment_count,
    }


def build(path: Path, seed: int = DEFAULT_SEED) -> None:
    """Create a complete demo database at PATH: built in a temporary file beside it, then renamed over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.building")
    _remove_files(temp)
    try:
        con = db.open_database(temp)
        try:
            reference.load_reference(con)
            populate(con, seed)
            info = {"demo": "true", "demo_seed": str(seed), "generated_for": GENERATED_FOR}
            _append(con, "database_info", pd.DataFrame({"key": list(info), "value": list(info.values())}))
            con.checkpoint()  # everything in the main file: no write-ahead log to carry along
        finally:
            con.close()
        _check_free(path)
        Path(f"{path}.wal").unlink(missing_ok=True)  # a stale log of the old file would corrupt the new one
        os.replace(temp, path)
    finally:
        _remove_files(temp)


def _remove_files(path: Path) -> None:
    """Delete a database file and its write-ahead log if they exist."""
    for file in (path, Path(f"{path}.wal")):
        file.unlink(missing_ok=True)


def _check_free(path: Path) -> None:
    """Raise DatabaseBusyError (naming the process) when another process has PATH open."""
    if not path.exists():
        return
    try:
        db.connect(path).close()
    except db.DatabaseBusyError:
        raise
    except (db.DatabaseError, duckdb.Error):
        pass  # not a usable DuckDB file: nothing can hold it, and it is replaced anyway
