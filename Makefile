# One ITU pipeline: the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-stamp
YEAR ?= 2024
YEARS ?= 2023 2024

# The embedded set-up: Airflow's metadata in SQLite under .airflow/, demo landing zone
# under demo/, reports (and the SQLite warehouse) under out/. All git-ignored.
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN := sqlite:///$(CURDIR)/.airflow/airflow.db
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export ONEITU_LANDING ?= $(CURDIR)/demo/landing
export ONEITU_OUT ?= $(CURDIR)/out
export PATH := $(BIN):$(PATH)

.PHONY: install run test lint format demo demo-reset clean up bench

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip check
	$(BIN)/python -m compileall -q -j 0 oneitu_etl dags
	touch $(STAMP)

# Creates only the demo files missing from the landing zone: a workbook delivered through the
# delivery page (or copied in by hand) is never overwritten by `make demo`, `run` or `up`.
demo: $(STAMP)
	$(BIN)/oneitu demo --landing $(ONEITU_LANDING) --years $(YEARS)

# The deliberate reset: every demo file back to the demo's content (other files are left).
demo-reset: $(STAMP)
	$(BIN)/oneitu demo --landing $(ONEITU_LANDING) --years $(YEARS) --overwrite

# The whole job on the embedded default, through Airflow itself: generate the demo landing
# zone, migrate Airflow's SQLite metadata DB, run the report DAG for each year in YEARS
# (the previous year first, so the report can compare), then print the report paths.
run: demo
	@mkdir -p $(AIRFLOW_HOME)
	@$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 \
	  || { tail -30 $(AIRFLOW_HOME)/db-migrate.log; exit 1; }
	@for y in $(YEARS); do \
	  echo "running DAG oneitu_annual_report for $$y (log: $(AIRFLOW_HOME)/dags-test-$$y.log)"; \
	  $(BIN)/airflow dags test oneitu_annual_report -c "{\"year\": $$y}" \
	    > $(AIRFLOW_HOME)/dags-test-$$y.log 2>&1 \
	    || { grep -E "ERROR|error|blocked" $(AIRFLOW_HOME)/dags-test-$$y.log | tail -20; \
	         echo "the DAG run for $$y failed; see $(AIRFLOW_HOME)/dags-test-$$y.log"; exit 1; }; \
	done
	@$(BIN)/oneitu status --out $(ONEITU_OUT) --year $(YEAR)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A local Airflow UI on the same embedded set-up (AIRFLOW_HOME .airflow/, SQLite, LocalExecutor):
# the demo data loaded (make run, unless its report for YEAR is there already), then
# `airflow standalone` in the foreground until Ctrl-C; prints the URL and the generated login.
# The repository's plugins/ (the Finance delivery page at /oneitu/) is loaded too.
up: PORT ?= 8080
up: export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
up: demo
	@test -f $(ONEITU_OUT)/$(YEAR)/report_$(YEAR).json || $(MAKE) --no-print-directory run
	@$(BIN)/python scripts/airflow_up.py --port $(PORT)

# The performance benchmark (docs/performance.md): one table of ratios; BENCH_ARGS=--quick
# for the 10k-line smoke version.
# The package's bytecode is written first, as an installed package has it: where the shell
# sets PYTHONDONTWRITEBYTECODE, each command would compile every module from source again.
bench: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 oneitu_etl dags
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf out demo .airflow build *.egg-info
