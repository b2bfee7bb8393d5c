# The two commands a newcomer needs: `make run` (the dashboard) and `make test` (every test).
# Both prepare .venv on first use; scripts/setup holds the details (venv, pip, Debian's chromium and postgresql).

VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test check demo lint browser postgres bench bench-growth bench-backend audit

run: $(VENV)/.installed-run  ## start the dashboard; the demo database is built on first start
	$(PY) -m streamlit run dashboard.py

# Every test, in parallel (pytest-xdist). Browser and PostgreSQL tests wait more than they compute, so more
# workers than cores is faster here (measured on 2 cores: README, "Tests"). TEST_WORKERS=0 runs serially;
# PYTEST_ARGS passes more options (e.g. PYTEST_ARGS="-k trender").
TEST_WORKERS ?= 3
test: $(VENV)/.installed-dev browser postgres  ## unit, AppTest, browser and shared-backend tests
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The fast lane for the edit-test loop: unit tests, query cases and AppTest on the embedded backend; no
# browser, no PostgreSQL (the lanes are markers that tests/conftest.py applies from the fixtures a test uses).
CHECK_WORKERS ?= 2
check: $(VENV)/.installed-dev  ## the fast lane: every test without a browser or PostgreSQL
	$(PY) -m pytest -n $(CHECK_WORKERS) -m "not browser and not postgres" $(PYTEST_ARGS)

demo: $(VENV)/.installed-run  ## build the demo database with the command line
	$(PY) -m followup demo

lint: $(VENV)/.installed-dev  ## ruff
	$(PY) -m ruff check .

# Not part of `make test`: minutes of runs, each printing a markdown table (timings are never asserted).
# SIZE=M or SIZE=L benchmarks the pages on bench/citygen.py's city-scale data instead of the demo.
SIZE ?= S
bench: $(VENV)/.installed-dev  ## benchmarks: foundation, 1M-row load, pages (SIZE=S|M|L)
	$(PY) bench/bench_foundation.py
	$(PY) bench/bench_load.py
	$(PY) bench/bench_pages.py --size $(SIZE) --server-rss

# Issue 6's growth table: the pages at S, M and L (L builds 10 million events: about 3 minutes, 1.2 GB in /tmp),
# then bench/growth.py; the JSON of each size is kept in bench/results/ (not in git).
bench-growth: $(VENV)/.installed-dev  ## pages at S, M and L and how their times grow
	mkdir -p bench/results
	for size in S M L; do \
	  $(PY) bench/bench_pages.py --size $$size --repeat 3 --cold 1 --server-rss --json bench/results/$$size.json || exit 1; \
	done
	$(PY) bench/growth.py bench/results/S.json bench/results/M.json bench/results/L.json

# Issue 8: the DuckDB file next to the shared backend (DuckLake, catalogue in a throwaway local PostgreSQL the
# script starts) at size M: pages, an EST load and its undo, the copy in and out, connecting. About 4 minutes.
bench-backend: $(VENV)/.installed-dev postgres  ## the DuckDB file and the shared backend side by side (size M)
	$(PY) bench/bench_backend.py --size M

# Not part of `make test` or CI: a new advisory for a pinned package must not block unrelated work.
# pip-audit (requirements-audit.txt, in its own .venv-audit) checks exactly the pinned packages of
# requirements.txt and requirements-dev.txt against PyPI's advisory data (AUDIT_SERVICE=osv asks osv.dev).
# It fails on a finding, and also when the advisory data cannot be reached ("could not be audited").
AUDIT_VENV := .venv-audit
AUDIT_SERVICE ?= pypi
audit: $(AUDIT_VENV)/.installed  ## known vulnerabilities in the pinned packages (pip-audit; AUDIT_SERVICE=pypi|osv)
	$(AUDIT_VENV)/bin/python scripts/audit.py --service $(AUDIT_SERVICE) requirements.txt requirements-dev.txt

# Debian's chromium for the browser tests. Outside CI a failed install only warns (the browser tests
# are then skipped); under CI (CI=true) it stops the run.
browser:
	@test -x /usr/bin/chromium || scripts/setup --browser || \
	  { test -z "$$CI" && echo "make: chromium kunde inte installeras; webbläsartesterna hoppas över" >&2; }

# Debian's PostgreSQL for the tests of the shared backend (tests/pg_support.py runs a throwaway cluster; nothing
# is started here). Outside CI a failed install only warns (those tests are then skipped); under CI it stops the run.
postgres:
	@scripts/setup --postgres || \
	  { test -z "$$CI" && echo "make: postgresql kunde inte installeras; testerna av den delade lagringen hoppas över" >&2; }

$(VENV)/.installed-run: requirements.txt
	scripts/setup requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	scripts/setup requirements-dev.txt
	touch $@ $(VENV)/.installed-run

$(AUDIT_VENV)/.installed: requirements-audit.txt
	$${PYTHON:-python3} -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-audit.txt
	touch $@
