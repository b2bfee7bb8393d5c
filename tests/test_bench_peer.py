"""The benchmark's naive peer (bench/peer_app.py) in AppTest on a copy of the demo: it draws its pages.

The counts it must show are computed here in SQL, independently of the peer's pandas code.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from followup import config

PEER = str(config.ROOT / "bench" / "peer_app.py")
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
HV = "hasselby-vallingby"

AREA_2_INDICATORS = """
select distinct i.code, i.event_category
from indicator i
join goal_indicator gi on gi.indicator = i.code
join goal g on g.code = gi.goal
join priority_area p on p.code = g.priority_area
where p.number = 2
"""
HAS_DISTRICT_VALUES = """
select
    exists (select 1 from observation o
            where o.indicator = $code and o.district = $district and o.place is null)
    or exists (select 1 from event e
               where e.category = $category and e.district = $district and e.source = 'est')
"""

pytestmark = pytest.mark.usefixtures("fresh_caches")


def run_peer(page: str, district_name: str) -> AppTest:
    """One run of the peer script on PAGE for a district."""
    at = AppTest.from_file(PEER, default_timeout=RUN_TIMEOUT)
    at.query_params["sida"] = page
    at.query_params["omrade"] = district_name
    return at.run()


def area_2(db_path: Path, district: str) -> tuple[int, int]:
    """Priority area 2's indicator count and how many of them hold values of the district."""
    with closing(duckdb.connect(str(db_path), read_only=True)) as con:
        rows = con.execute(AREA_2_INDICATORS).fetchall()
        with_values = [con.execute(HAS_DISTRICT_VALUES, {"code": code, "category": category, "district": district})
                       .fetchone()[0] for code, category in rows]
    return len(rows), sum(with_values)


@pytest.mark.parametrize("page", ["Prioriterat område", "Mötesläge"])
def test_area_2_draws_one_chart_per_indicator_with_values(demo_db_copy: Path, page: str) -> None:
    indicators, with_values = area_2(demo_db_copy, HV)  # before the peer holds the file
    assert 0 < with_values < indicators  # the demo has both kinds, so both branches are exercised
    at = run_peer(page, "Hässelby-Vällingby")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == f"{page} – Hässelby-Vällingby"
    assert len(at.get("plotly_chart")) == with_values
    assert len(at.info) == indicators - with_values
    assert (len(at.metric) > 0) == (page == "Mötesläge")


def test_unknown_district_is_refused_with_a_swedish_message(demo_db_copy: Path) -> None:
    at = run_peer("Platser", "Atlantis")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Okänt stadsdelsområde 'Atlantis'. Ange ett namn ur tabellen district, till exempel Bromma."
    ]
    assert not at.get("plotly_chart")
