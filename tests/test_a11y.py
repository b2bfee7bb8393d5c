"""Accessibility (WCAG 2.1 AA): axe-core checks the main pages in headless Chromium and must find nothing.

axe-core is bundled in the pinned Python package axe-playwright-python (nothing is downloaded at run time).
Every rule axe runs by default is applied (WCAG 2.0/2.1 A and AA and best practices such as heading order).
One finding is Streamlit's own markup and cannot be fixed from the app: the file uploader's drop zone is a
<section role="presentation"> that also has an aria-label (rule presentation-role-conflict, impact minor).
It is allowed below, by rule and element, and named in the README.
"""

from __future__ import annotations

from typing import Any

import pytest

from e2e_support import charts_drawn, open_page

HV = "omrade=H%C3%A4sselby-V%C3%A4llingby"
PAGES = [
    ("/", "Översikt"),
    (f"/omrade?{HV}&prio=2.%20Otrygga%20och%20brottsutsatta%20platser", "2. Otrygga och brottsutsatta platser"),
    ("/platser", "Platser"),
    (f"/platser?{HV}&plats=hasselby-torg", "Platser"),
    ("/trender", "Trender"),
    ("/handlingsplan", "Handlingsplan"),
    ("/styrgrupp", "Styrgruppen"),
    ("/mote", "Hässelby-Vällingby"),
    (f"/mote?{HV}&bild=4", "2. Otrygga och brottsutsatta platser"),
    ("/data", "Data"),
    ("/status_help", "Hur räknas status?"),
]
"""(address, start of its level-1 heading): the pages a steering group and its managers use, with a place
and a meeting slide with charts; the heading shows that the page asked for is the one checked."""

ALLOWED = {("presentation-role-conflict", "stFileUploaderDropzone")}
"""(axe rule, data-testid) of findings in Streamlit's own markup that the app cannot change."""



def findings(results: dict[str, Any]) -> list[str]:
    """axe's violations as 'rule (impact): element', without the allowed ones."""
    found = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            if any(rule == violation["id"] and f'data-testid="{testid}"' in node["html"] for rule, testid in ALLOWED):
                continue
            found.append(f"{violation['id']} ({violation['impact']}): {node['html'][:160]}")
    return found


def test_findings_skip_only_the_allowed_streamlit_element() -> None:
    """The allow-list matches the rule and the element both, so another finding of the rule still counts."""
    results = {"violations": [
        {"id": "presentation-role-conflict", "impact": "minor",
         "nodes": [{"html": '<section role="presentation" data-testid="stFileUploaderDropzone">'},
                   {"html": '<div role="presentation" aria-label="x">'}]},
        {"id": "color-contrast", "impact": "serious", "nodes": [{"html": '<p data-testid="stFileUploaderDropzone">'}]},
    ]}
    assert findings(results) == [
        'presentation-role-conflict (minor): <div role="presentation" aria-label="x">',
        'color-contrast (serious): <p data-testid="stFileUploaderDropzone">',
    ]


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_axe_finds_nothing_on_the_page(browser: Any, dashboard_url: str, path: str, heading: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(browser, dashboard_url + path)
    try:
        charts_drawn(page)  # axe checks the charts' text too
        assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading)
        results = Axe().run(page).response
        assert results["passes"], "axe ran no checks: is the page empty?"
        assert findings(results) == [], f"axe-core on {path}"
    finally:
        page.close()
