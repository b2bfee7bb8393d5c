"""The view's scope in the URL: pickers bound to query parameters, with a friendly word for bad ones.

Every picker is a Streamlit widget with `bind="query-params"`: the address follows the widget and
`?key=label` opens the same view for a colleague. Streamlit ignores a value that matches no option
and shows the default; these helpers then say so in Swedish instead of leaving the user guessing.
Query parameter names are short Swedish words: omrade, prio, plats, platser, indikator, fran, till,
niva, jamforelse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import datetime as dt

import streamlit as st

from followup import periods
from followup.model import Grain
from followup.periods import Period
from webapp import state
from webapp.components import DEFAULT_DISTRICT, DISTRICT_KEY, plain, verbatim

AREA_KEY = "prio"
PLACE_KEY = "plats"
PLACES_KEY = "platser"
INDICATOR_KEY = "indikator"
FROM_KEY = "fran"
TO_KEY = "till"
GRAIN_KEY = "niva"
COMPARISON_KEY = "jamforelse"

PARAM_NAMES = {
    AREA_KEY: "prioriterat område",
    PLACE_KEY: "plats",
    PLACES_KEY: "platser",
    INDICATOR_KEY: "nyckeltal",
    FROM_KEY: "från",
    TO_KEY: "till",
    GRAIN_KEY: "nivå",
    COMPARISON_KEY: "jämförelse",
    "omrade": "stadsdelsområde",
    "omraden": "stadsdelsområden",
    "glidande": "glidande medelvärde",
    "invanare": "per 1 000 invånare",
    "fjol": "förra årets linje",
    "mal": "mål",
    "status": "status",
    "flik": "flik",
}

GRAIN_LABELS: dict[Grain, str] = {
    Grain.WEEK: "Vecka",
    Grain.MONTH: "Månad",
    Grain.TERTIAL: "Tertial",
    Grain.YEAR: "År",
}


def invalid_param_notice(key: str, raw: str, shown: str) -> None:
    """Tell the user that the address named something that does not exist and what is shown instead."""
    name = PARAM_NAMES.get(key, key)
    st.info(
        f"Adressen anger {plain(name)} {verbatim(raw)}, som inte finns här. Visar {plain(shown)} i stället.",
        icon=":material/link_off:",
    )


def _raw(key: str) -> list[str]:
    """The values the URL gives for a parameter (none, one or several)."""
    return st.query_params.get_all(key)


def select(
    label: str,
    options: Mapping[str, str],
    *,
    key: str,
    default: str | None = None,
    sidebar: bool = True,
    help: str | None = None,
) -> str | None:
    """A select box over options (code -> label) bound to ?key=label; the chosen code."""
    if not options:
        return None
    codes = list(options)
    index = codes.index(default) if default in options else 0
    where = st.sidebar if sidebar else st
    raw = _raw(key)
    code = where.selectbox(
        label, codes, index=index, format_func=lambda c: options.get(c, c), key=key, bind="query-params", help=help
    )
    if raw and raw[0].strip() and raw[0] not in options.values():
        invalid_param_notice(key, raw[0], options[code])
    return code


def multiselect(
    label: str,
    options: Mapping[str, str],
    *,
    key: str,
    default: Sequence[str] = (),
    max_selections: int | None = None,
    sidebar: bool = False,
) -> list[str]:
    """A multiselect over options (code -> label) bound to ?key=label&key=label; the chosen codes."""
    where = st.sidebar if sidebar else st
    raw = _raw(key)
    chosen = where.multiselect(
        label,
        list(options),
        default=[c for c in default if c in options],
        format_func=lambda c: options.get(c, c),
        key=key,
        bind="query-params",
        max_selections=max_selections,
        placeholder="Välj …",
    )
    unknown = [value for value in raw if value.strip() and value not in options.values()]
    if unknown:
        invalid_param_notice(key, ", ".join(unknown), ", ".join(options[c] for c in chosen) or "inget val")
    return list(chosen)


def district_picker() -> str | None:
    """Sidebar select box of the district areas in force today, bound to ?omrade=; the chosen code."""
    districts = state.query("current_districts", on=dt.date.today())
    names: dict[str, str] = dict(zip(districts["code"], districts["name"], strict=True))
    return select("Stadsdelsområde", names, key=DISTRICT_KEY, default=DEFAULT_DISTRICT)


def month_options(first: date, last: date) -> dict[str, str]:
    """Months from first to last as code ('2025-03') -> Swedish label ('mars 2025')."""
    months = periods.periods_between(first, last, Grain.MONTH)
    return {p.code: p.label for p in months}


def period_range(first: date, last: date, *, default_years: int = 3) -> tuple[Period, Period]:
    """Sidebar 'Från'/'Till' months bound to ?fran=&till=; defaults to the last few years of data."""
    options = month_options(first, last)
    codes = list(options)
    last_code = codes[-1]
    default_from = periods.period_of(date(max(first.year, last.year - default_years + 1), 1, 1), Grain.MONTH).code
    if default_from not in options:
        default_from = codes[0]
    start = select("Från", options, key=FROM_KEY, default=default_from)
    end = select("Till", options, key=TO_KEY, default=last_code)
    from_period, to_period = periods.parse_period(start), periods.parse_period(end)
    if from_period > to_period:
        st.info("Från-månaden ligger efter till-månaden; de har bytt plats.", icon=":material/swap_horiz:")
        from_period, to_period = to_period, from_period
    return from_period, to_period


def grain(allowed: Sequence[Grain], *, default: Grain, sidebar: bool = False) -> Grain:
    """A segmented control for the period length, bound to ?niva=Månad."""
    options = {g.value: GRAIN_LABELS[g] for g in allowed}
    where = st.sidebar if sidebar else st
    raw = _raw(GRAIN_KEY)
    chosen = where.segmented_control(
        "Nivå",
        list(options),
        default=default.value if default.value in options else next(iter(options)),
        format_func=lambda g: options.get(g, g),
        key=GRAIN_KEY,
        bind="query-params",
        required=True,
    )
    if raw and raw[0].strip() and raw[0] not in options.values():
        invalid_param_notice(GRAIN_KEY, raw[0], options[chosen])
    return Grain(chosen)


def query_string(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters for st.page_link/st.switch_page, dropping empty values."""
    return {k: v for k, v in params.items() if v not in (None, "", [], ())}
