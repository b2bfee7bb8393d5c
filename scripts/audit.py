"""`make audit`: pip-audit of the pinned requirements, telling "could not be audited" from "no vulnerabilities".

pip-audit asks an advisory service about each pinned package (PyPI's JSON API by default, or osv.dev).
When the service cannot answer for a package, pip-audit skips it with a `skip_reason` and still says
"No known vulnerabilities found" and exits 0; when the service cannot be reached at all it stops with a
traceback. This wrapper reads pip-audit's JSON and ends with one of three outcomes:

    0  clean        every package was audited and none has a known vulnerability
    1  findings     at least one package has a known vulnerability (listed with the fixed versions)
    3  unaudited    some or all packages could not be audited (the advisory data was not reachable)

Run it with the Python that has pip-audit (requirements-audit.txt; the Makefile keeps it in .venv-audit):

    python scripts/audit.py [--service pypi|osv] requirements.txt requirements-dev.txt
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any


class Verdict(Enum):
    """How an audit ended."""

    CLEAN = "clean"
    FINDINGS = "findings"
    UNAUDITED = "unaudited"


EXIT_CODES = {Verdict.CLEAN: 0, Verdict.FINDINGS: 1, Verdict.UNAUDITED: 3}
SERVICE_NAMES = {"pypi": "PyPI", "osv": "OSV"}
SERVICE_SOURCES = {"pypi": "https://pypi.org/pypi/NAME/VERSION/json", "osv": "https://api.osv.dev/v1/query"}


@dataclass(frozen=True)
class Finding:
    """One known vulnerability of one pinned package."""

    package: str
    version: str
    advisory: str
    fixed_in: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class Outcome:
    """What the audit found: the verdict, the findings, the packages not audited (name: reason), and counts."""

    verdict: Verdict
    audited: int
    findings: list[Finding] = field(default_factory=list)
    unaudited: dict[str, str] = field(default_factory=dict)
    error: str = ""


def classify(report: dict[str, Any]) -> Outcome:
    """The outcome of pip-audit's JSON report: findings first, then any package not audited, else clean."""
    dependencies = report.get("dependencies", [])
    unaudited = {dep["name"]: dep["skip_reason"] for dep in dependencies if dep.get("skip_reason")}
    findings = [
        Finding(dep["name"], dep.get("version", "?"), vuln["id"], tuple(vuln.get("fix_versions", [])),
                first_line(vuln.get("description", "")))
        for dep in dependencies if not dep.get("skip_reason")
        for vuln in dep.get("vulns", [])
    ]
    audited = len(dependencies) - len(unaudited)
    if findings:
        verdict = Verdict.FINDINGS
    elif unaudited or not dependencies:
        verdict = Verdict.UNAUDITED
    else:
        verdict = Verdict.CLEAN
    return Outcome(verdict, audited, findings, unaudited)


def outcome_of(returncode: int, output: str | None, stderr: str) -> Outcome:
    """The outcome of one pip-audit run: its JSON report when it wrote one, else the error it died of."""
    if output:
        try:
            return classify(json.loads(output))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            return Outcome(Verdict.UNAUDITED, 0, error=f"pip-audit skrev ingen läsbar JSON: {error}")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return Outcome(Verdict.UNAUDITED, 0, error=lines[-1] if lines else f"pip-audit avslutades med kod {returncode}")


def first_line(text: str) -> str:
    """The first line of a description, shortened to 120 characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 120 else line[:119] + "…"


def render(outcome: Outcome, service: str) -> str:
    """The report for the terminal: a one-line verdict (Swedish / English), then the details."""
    name = SERVICE_NAMES.get(service, service)
    total = outcome.audited + len(outcome.unaudited)
    if outcome.verdict is Verdict.CLEAN:
        return (f"audit: inga kända sårbarheter i de {total} låsta paketen ({name}) / "
                f"no known vulnerabilities in the {total} pinned packages ({name})")
    lines = []
    if outcome.findings:
        count = len(outcome.findings)
        lines.append(f"audit: {count} kända sårbarheter i låsta paket ({name}); uppdatera paketen eller förklara "
                     f"dem i README / {count} known vulnerabilities in pinned packages ({name})")
        for finding in outcome.findings:
            fixed = ", ".join(finding.fixed_in) or "–"
            summary = f" – {finding.summary}" if finding.summary else ""
            lines.append(f"  {finding.package} {finding.version}: {finding.advisory} (rättad i / fixed in: {fixed})"
                         f"{summary}")
    if outcome.verdict is Verdict.UNAUDITED or outcome.unaudited:
        count = f"{len(outcome.unaudited)} av {total}" if outcome.unaudited else "alla"
        lines.append(f"audit: KUNDE INTE GRANSKAS – sårbarhetsdatan ({name}) nåddes inte för {count} paket; de är "
                     f"okontrollerade, inte fria från sårbarheter / COULD NOT BE AUDITED: advisory data unreachable, "
                     f"packages unchecked, not clean")
        lines.append(f"  tjänst / service: {SERVICE_SOURCES.get(service, service)}")
        if outcome.error:
            lines.append(f"  fel / error: {outcome.error}")
        lines.extend(f"  {package}: {reason}" for package, reason in outcome.unaudited.items())
    return "\n".join(lines)


def run_pip_audit(requirements: Sequence[Path], service: str, timeout: int) -> Outcome:
    """Run pip-audit (this interpreter's) on exactly the pinned requirements, without a venv or pip."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--progress-spinner", "off",
                   "--vulnerability-service", service, "--timeout", str(timeout), "--format", "json",
                   "--output", str(report)]
        for path in requirements:
            command += ["--requirement", str(path)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        output = report.read_text(encoding="utf-8") if report.exists() else None
    return outcome_of(done.returncode, output, done.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Audit the requirement files, print the verdict and details, and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="+", type=Path, help="låsta kravfiler (requirements*.txt)")
    parser.add_argument("--service", choices=sorted(SERVICE_NAMES), default="pypi",
                        help="sårbarhetsdatan: pypi (standard) eller osv")
    parser.add_argument("--timeout", type=int, default=15, help="sekunder per fråga till tjänsten")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.requirements if not path.is_file()]
    if missing:
        parser.error(f"kravfilen finns inte: {', '.join(missing)}")
    outcome = run_pip_audit(args.requirements, args.service, args.timeout)
    print(render(outcome, args.service), file=sys.stdout if outcome.verdict is Verdict.CLEAN else sys.stderr)
    return EXIT_CODES[outcome.verdict]


if __name__ == "__main__":
    sys.exit(main())
