# WorkDataHub: `make demo` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := WDH_UV=$(UV) $(UV) run --frozen
SRC := packages/*/src
PYTEST_ARGS ?=
PORT ?= 3000

TIMED := scripts/timed.sh
COV := --cov --cov-report=

.PHONY: help sync lint test test-unit test-integration coverage coverage-readme perf-check demo dagster clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml packages/*/pyproject.toml | $(UV)
	$(UV) sync --frozen --all-packages --all-extras
	@touch $@

sync: .venv/.synced ## install every package of the workspace from uv.lock

lint: sync ## ruff, ruff format, mypy --strict, import contracts, actionlint
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy --strict $(SRC)
	$(RUN) lint-imports
	$(RUN) actionlint .github/workflows/*.yml

test-unit: sync ## fast tests: no database, no network
	$(RUN) pytest -m unit -q $(COV) $(PYTEST_ARGS)

test-integration: sync ## tests against a real PostgreSQL (server or embedded)
	$(RUN) pytest -m integration -q $(COV) --cov-append $(PYTEST_ARGS)

coverage: sync ## per-package coverage of the last test run against the targets in pyproject.toml
	$(RUN) coverage json -q -o coverage.json
	$(RUN) coverage xml -q -o coverage.xml
	$(RUN) python scripts/coverage_check.py

coverage-readme: sync ## write the last run's per-package coverage into README.md
	$(RUN) coverage json -q -o coverage.json
	$(RUN) python scripts/coverage_check.py --update-readme

perf-check: sync ## small benchmark compared with benchmarks/baseline.json (warns when >20% worse)
	$(RUN) python scripts/perf_check.py

test: sync ## everything CI runs: lint, unit, integration, coverage, perf check (each stage timed)
	rm -f .coverage
	$(TIMED) lint $(MAKE) --no-print-directory lint
	$(TIMED) unit $(MAKE) --no-print-directory test-unit
	$(TIMED) integration $(MAKE) --no-print-directory test-integration
	$(TIMED) coverage $(MAKE) --no-print-directory coverage
	$(TIMED) perf-check $(MAKE) --no-print-directory perf-check

demo: sync ## load a generated month into an embedded PostgreSQL and print the summary
	$(RUN) workdatahub demo

dagster: sync ## start the Dagster UI on http://localhost:3000 (make dagster PORT=3001 for another port; Ctrl+C stops it)
	$(RUN) python -m work_data_hub.orchestration.dev --port $(PORT)

clean: ## stop the embedded PostgreSQL, remove local data folders and caches
	-$(RUN) workdatahub db stop-embedded
	rm -rf .workdatahub .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache dist
	rm -f .coverage coverage.json coverage.xml
