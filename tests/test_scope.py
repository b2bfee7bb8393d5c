"""webapp/scope.py: pickers bound to the URL restore the view, and bad parameters get a Swedish notice."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def picker_app() -> None:
    """A page with every kind of scope picker; prints what they chose."""
    from datetime import date

    import streamlit as st

    from followup.model import Grain
    from webapp import scope

    places = {"hasselby-torg": "Hässelby torg", "maltesholmstorget": "Maltesholmstorget", "racksta": "Råcksta"}
    place = scope.select("Plats", places, key=scope.PLACE_KEY, default="hasselby-torg")
    compared = scope.multiselect("Jämför", places, key=scope.PLACES_KEY, default=["hasselby-torg"])
    start, end = scope.period_range(date(2019, 1, 1), date(2025, 9, 1))
    grain = scope.grain([Grain.WEEK, Grain.MONTH, Grain.YEAR], default=Grain.MONTH)
    st.text(f"plats={place} jamfor={','.join(compared)} fran={start.code} till={end.code} niva={grain.value}")


def run(params: dict[str, str | list[str]]) -> AppTest:
    """Run the picker page with the given URL query parameters."""
    at = AppTest.from_function(picker_app)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run(timeout=60)  # a ceiling for a loaded machine, not an assertion


def chosen(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return at.text[0].value


def notices(at: AppTest) -> list[str]:
    return [info.value for info in at.info]


def test_defaults_without_parameters() -> None:
    at = run({})
    assert chosen(at) == "plats=hasselby-torg jamfor=hasselby-torg fran=2023-01 till=2025-09 niva=month"
    assert notices(at) == []


def test_parameters_restore_the_view() -> None:
    at = run({"plats": "Maltesholmstorget", "platser": ["Hässelby torg", "Råcksta"], "fran": "mars 2024",
              "till": "juni 2025", "niva": "Vecka"})
    assert chosen(at) == "plats=maltesholmstorget jamfor=hasselby-torg,racksta fran=2024-03 till=2025-06 niva=week"
    assert notices(at) == []


@pytest.mark.parametrize(
    ("params", "expected", "notice"),
    [
        ({"plats": "Atlantis"}, "plats=hasselby-torg", "plats ` Atlantis `"),
        ({"plats": "<script>alert(1)</script>"}, "plats=hasselby-torg", "script"),
        ({"plats": "x'; drop table place; --"}, "plats=hasselby-torg", "drop table"),
        ({"platser": ["Råcksta", "Okänd"]}, "jamfor=racksta", "platser ` Okänd `"),
        ({"fran": "2031-01"}, "fran=2023-01", "från ` 2031-01 `"),
        ({"niva": "Sekund"}, "niva=month", "nivå ` Sekund `"),
    ],
)
def test_bad_parameters_fall_back_with_a_notice(params: dict[str, str], expected: str, notice: str) -> None:
    at = run(params)
    assert expected in chosen(at)
    assert any(notice in text.replace("\\", "") for text in notices(at)), notices(at)


def test_reversed_period_is_swapped_with_a_notice() -> None:
    at = run({"fran": "juni 2025", "till": "mars 2024"})
    assert "fran=2024-03 till=2025-06" in chosen(at)
    assert any("bytt plats" in text for text in notices(at))
