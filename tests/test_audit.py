"""scripts/audit.py: pip-audit's JSON classified as clean, findings or could-not-be-audited (no network)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import audit  # noqa: E402
from audit import Verdict  # noqa: E402

SKIPPED = "Dependency not found on PyPI and could not be audited: streamlit (1.67.0)"
CLEAN = {"dependencies": [{"name": "streamlit", "version": "1.67.0", "vulns": []},
                          {"name": "duckdb", "version": "1.5.5", "vulns": []}], "fixes": []}
ALL_SKIPPED = {"dependencies": [{"name": "streamlit", "skip_reason": SKIPPED},
                                {"name": "duckdb", "skip_reason": SKIPPED.replace("streamlit (1.67.0)", "duckdb (1.5.5)")}],
               "fixes": []}
FINDING = {"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["1.67.1"], "aliases": ["CVE-2026-0001"],
           "description": "Path traversal in the static file server.\nMore text."}
OSV_DOWN = (
    "Traceback (most recent call last):\n  ...\n"
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries exceeded\n"
)


def test_every_package_audited_without_findings_is_clean() -> None:
    outcome = audit.classify(CLEAN)
    assert (outcome.verdict, outcome.audited, outcome.findings, outcome.unaudited) == (Verdict.CLEAN, 2, [], {})
    assert audit.EXIT_CODES[outcome.verdict] == 0
    assert "inga kända sårbarheter i de 2 låsta paketen" in audit.render(outcome, "pypi")


def test_skipped_packages_are_not_clean_even_when_pip_audit_says_so() -> None:
    """What this machine gets: PyPI's per-version JSON answers 404, pip-audit skips all and exits 0."""
    outcome = audit.outcome_of(0, json.dumps(ALL_SKIPPED), "No known vulnerabilities found\n")
    assert outcome.verdict is Verdict.UNAUDITED
    assert outcome.audited == 0
    assert outcome.unaudited["streamlit"] == SKIPPED
    assert audit.EXIT_CODES[outcome.verdict] != 0
    text = audit.render(outcome, "pypi")
    assert text.splitlines()[0].startswith("audit: KUNDE INTE GRANSKAS")
    assert "2 av 2 paket" in text and "COULD NOT BE AUDITED" in text
    assert "no known vulnerabilities" not in text.lower()
    assert f"  streamlit: {SKIPPED}" in text.splitlines()


def test_one_skipped_package_makes_the_audit_incomplete() -> None:
    partly = {"dependencies": [*CLEAN["dependencies"], {"name": "ruff", "skip_reason": "not found"}]}
    outcome = audit.classify(partly)
    assert (outcome.verdict, outcome.audited, list(outcome.unaudited)) == (Verdict.UNAUDITED, 2, ["ruff"])
    assert "1 av 3 paket" in audit.render(outcome, "pypi")


def test_findings_are_listed_with_the_fixed_version_and_fail() -> None:
    report = {"dependencies": [{"name": "streamlit", "version": "1.67.0", "vulns": [FINDING]},
                               {"name": "duckdb", "skip_reason": "not found"}]}
    outcome = audit.outcome_of(1, json.dumps(report), "Found 1 known vulnerability in 1 package\n")
    assert outcome.verdict is Verdict.FINDINGS
    assert outcome.findings == [audit.Finding("streamlit", "1.67.0", "GHSA-xxxx-yyyy-zzzz", ("1.67.1",),
                                              "Path traversal in the static file server.")]
    assert audit.EXIT_CODES[outcome.verdict] == 1
    lines = audit.render(outcome, "pypi").splitlines()
    assert lines[0].startswith("audit: 1 kända sårbarheter")
    assert lines[1] == ("  streamlit 1.67.0: GHSA-xxxx-yyyy-zzzz (rättad i / fixed in: 1.67.1) – "
                        "Path traversal in the static file server.")
    assert any(line.startswith("audit: KUNDE INTE GRANSKAS") for line in lines)  # duckdb was not checked


def test_a_service_that_cannot_be_reached_is_reported_with_its_error() -> None:
    """What osv.dev gives here: the name does not resolve, pip-audit dies with a traceback and no JSON."""
    outcome = audit.outcome_of(1, None, OSV_DOWN)
    assert outcome.verdict is Verdict.UNAUDITED
    assert outcome.error.startswith("requests.exceptions.ConnectionError")
    text = audit.render(outcome, "osv")
    assert "för alla paket" in text and "https://api.osv.dev/v1/query" in text
    assert f"  fel / error: {outcome.error}" in text.splitlines()


@pytest.mark.parametrize("output", ["", "{not json", json.dumps({"dependencies": []})])
def test_no_usable_report_is_never_clean(output: str) -> None:
    assert audit.outcome_of(0, output or None, "").verdict is Verdict.UNAUDITED


def test_missing_requirement_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        audit.main([str(tmp_path / "requirements-saknas.txt")])
    assert stopped.value.code == 2
    assert "kravfilen finns inte" in capsys.readouterr().err
