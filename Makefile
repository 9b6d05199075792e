# The commands of README.md and docs/. Every target creates (once) and reuses .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BQEMU := .venv-bqemu
BQEMU_STAMP := $(BQEMU)/.installed
EDR := .venv-edr
EDR_STAMP := $(EDR)/.installed
export DBT_PROFILES_DIR := $(CURDIR)
export PROPS_DUCKDB_PATH ?= $(CURDIR)/.warehouse/props_contracts.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.DEFAULT_GOAL := help
.PHONY: bench help demo docs test test-deps lint install browser bq-emulator hub-packages edr clean matrix

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	mkdir -p .warehouse
	touch $(STAMP)

install: $(STAMP) ## Create the virtualenv with the pinned dependencies

demo: $(STAMP) ## Simulate a week with incidents injected, run every contract, print what they caught
	$(BIN)/props-contracts demo --quiet

bench: $(STAMP) ## Time the simulator (peak memory), first and daily runs at 1 and 4 seasons (180, 720 game dates); JSON in target/bench.json
	$(BIN)/props-contracts bench

matrix: $(STAMP) $(BQEMU_STAMP) ## The long suites: every fault and shape in a week of its own (5 draws), every runbook replay alone, the CLI scenario on the BigQuery emulator
	PROPS_LONG_SUITES=1 PROPS_SHAPE_GROUP_SIZE=1 PROPS_SHAPE_DRAWS=$${PROPS_SHAPE_DRAWS:-5} PROPS_CLEAN_SEEDS=5 PROPS_FAULTS_ALONE=1 \
		$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile pytests/test_shapes.py pytests/test_fault_matrix.py \
		pytests/test_run_integrity.py::test_the_demo_scenario_matches_duckdb_on_the_emulator

$(BQEMU_STAMP): constraints-bqemulator.txt
	$(PYTHON) -m venv $(BQEMU)
	$(BQEMU)/bin/pip install --quiet --upgrade "pip>=24"
	$(BQEMU)/bin/pip install --quiet -c constraints-bqemulator.txt bqemulator numpy duckdb
	touch $(BQEMU_STAMP)

bq-emulator: $(BQEMU_STAMP) ## Create the BigQuery emulator's own virtualenv (used by make test)

hub-packages: $(STAMP) ## Install packages.hub.yml into dbt_packages/ (hub, or PROPS_DBT_PACKAGES_DIR); see docs/elementary.md
	$(BIN)/props-contracts hub-packages

$(EDR_STAMP): constraints-edr.txt
	$(PYTHON) -m venv $(EDR)
	$(EDR)/bin/pip install --quiet --upgrade "pip>=24"
	$(EDR)/bin/pip install --quiet -c constraints-edr.txt elementary-data dbt-core dbt-duckdb
	touch $(EDR_STAMP)

edr: $(EDR_STAMP) ## Create the edr CLI's own virtualenv (.venv-edr), for `edr report` / `edr monitor`

browser: ## Install Debian's headless Chromium (the report's rendering test) if it is missing
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the report test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# 2 workers for 2 cores; a file runs on one worker, the longest first (pytests/conftest.py)
PYTEST_WORKERS ?= 2

# The three setups at once on a fresh machine: 1 min 7 s instead of 1 min 43 s for the
# two virtualenvs (measured on a fresh clone); each is a no-op once done.
test-deps:
	$(MAKE) -j3 $(STAMP) $(BQEMU_STAMP) browser

test: test-deps ## Run every test: lint, dbt parse for BigQuery, dbt on DuckDB, fault matrix, alerts, report
	@echo "== make test: lint (ruff, the docs site, the Dockerfile, sqlfluff) =="
	$(MAKE) lint
	@echo "== make test: pytest on $(PYTEST_WORKERS) workers, each file whole on one worker, the longest first; a line per test as it ends =="
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15 -v

lint: $(STAMP) ## ruff on the Python, sqlfluff on models, macros and analyses, dbt-score, the docs site in strict mode
	$(BIN)/ruff check scripts pytests
	@# a broken link, a missing anchor or a page left out of mkdocs.yml's nav fails
	$(BIN)/mkdocs build --strict --quiet
	$(BIN)/hadolint Dockerfile
	bash -n deploy/scheduled-job.sh
	bash -n deploy/digest-schedule.sh
	@# the dbt templater opens the profile's DuckDB: give it a scratch file
	mkdir -p target
	@# dbt-score (descriptions, owners, macro docs; threshold and disabled rules in pyproject.toml)
	@# on a `dbt parse` it runs in its own process (-p: one dbt import, not two), no warehouse.
	@# dbt writes to DBT_TARGET_PATH, dbt-score reads DBT_TARGET_DIR: both name the same dir,
	@# which keeps the partial parse between runs
	DBT_TARGET_PATH=target/dbt-score DBT_TARGET_DIR=target/dbt-score \
		PROPS_DUCKDB_PATH=$(CURDIR)/target/sqlfluff.duckdb $(BIN)/dbt-score lint --run-dbt-parse
	@echo "lint: sqlfluff with the dbt templater over models, macros and analyses (about 2 minutes) ..."
	@# sqlfluff's dbt templater skips a model dbt cannot compile and still exits 0:
	@# a model that stops compiling would go unlinted in silence, so its errors fail lint
	PROPS_DUCKDB_PATH=$(CURDIR)/target/sqlfluff.duckdb $(BIN)/sqlfluff lint models macros analyses --processes 2 > target/sqlfluff.log 2>&1; \
		rc=$$?; grep -v 'because it is a macro' target/sqlfluff.log; \
		if grep -Eq '(Compilation|Catalog|Runtime|Database|Parsing|Binder|Parser) Error|dbt compilation error' target/sqlfluff.log; then \
			echo "lint: sqlfluff could not compile a model (above); it was not linted" >&2; exit 1; fi; \
		exit $$rc

docs: $(STAMP) ## Build the docs/ pages as a site in target/site (mkdocs, strict)
	$(BIN)/mkdocs build --strict

clean: ## Remove the virtualenv, dbt's target/ and the local warehouse
	rm -rf $(VENV) $(BQEMU) $(EDR) target logs .warehouse
