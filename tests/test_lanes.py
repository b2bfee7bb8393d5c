"""The test lanes: markers come from the fixtures a test uses (tests/conftest.py), so a test that starts a browser
or PostgreSQL can never run in `make check`."""

from __future__ import annotations

import pytest

import backends
from conftest import lane_markers


@pytest.mark.parametrize(("fixtures", "params", "expected"), [
    ({"tmp_path"}, {}, set()),
    ({"browser", "dashboard_url"}, {}, {"browser"}),
    ({"image_browser"}, {}, {"browser"}),
    ({"pg_cluster"}, {}, {"postgres"}),
    ({"demo_lake_clone", "fresh_caches"}, {}, {"postgres", "apptest"}),
    ({"app_db", "fresh_caches"}, {"app_db": backends.EMBEDDED}, {"apptest"}),
    ({"app_db", "fresh_caches"}, {"app_db": backends.LAKE}, {"postgres", "apptest"}),
    ({"databases"}, {"databases": backends.LAKE}, {"postgres"}),
])
def test_lane_markers_follow_the_fixtures(fixtures: set[str], params: dict[str, str], expected: set[str]) -> None:
    assert lane_markers(fixtures, params) == expected


def test_this_session_marked_the_browser_and_postgres_tests(request: pytest.FixtureRequest) -> None:
    """The hook ran on this session's items: the end-to-end and lake tests collected here carry their lane."""
    items = request.session.items
    e2e = [item for item in items if item.nodeid.startswith("tests/test_e2e_")]
    lake = [item for item in items
            if backends.LAKE in getattr(getattr(item, "callspec", None), "params", {}).values()]
    assert all(item.get_closest_marker("browser") for item in e2e)
    assert all(item.get_closest_marker("postgres") for item in lake)
    assert request.node.get_closest_marker("browser") is None
