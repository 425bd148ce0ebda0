# Two commands for a newcomer: `make run` and `make test`. Each sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# pytest-xdist workers per engine for the end-to-end suite; each has its own server and database.
WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
E2E := $(PYTEST) tests --ignore=tests/unit -n $(WORKERS) --dist worksteal
LOGS := test-artifacts
# Let Python keep compiled modules, and pytest its assertion-rewritten ones: without them every
# server start, command and pytest worker compiles the same sources again.
unexport PYTHONDONTWRITEBYTECODE

# axe-core for the accessibility tests (tests/test_accessibility.py), pinned in
# tests/axe/package-lock.json. Installed when missing or older than the lock file, and only where
# npm is: without it the tests skip and say why.
AXE_DIR := tests/axe
AXE_STAMP := $(AXE_DIR)/node_modules/.package-lock.json

.PHONY: run test lint unit e2e axe bench migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/prayerboard migrate
	$(BIN)/prayerboard run --host 127.0.0.1 --port $(PORT)

migrate: $(STAMP)
	$(BIN)/prayerboard migrate

# Lint, format, types (strict for the policy and the services: pyproject.toml [tool.mypy]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The unit layer: pure functions, no server, no database; seconds.
unit: $(STAMP)
	$(PYTEST) -q tests/unit

# The end-to-end suite: SQLite, and PostgreSQL at the same time when
# PRAYERBOARD_TEST_DATABASE_URL is set (each engine's output is kept in test-artifacts/ and
# printed when both are done; the target fails when either does).
axe:
	@if command -v npm >/dev/null 2>&1 && { [ ! -f $(AXE_STAMP) ] || [ $(AXE_DIR)/package-lock.json -nt $(AXE_STAMP) ]; }; then \
		echo "== installing axe-core (npm ci --prefix $(AXE_DIR))"; \
		npm ci --prefix $(AXE_DIR) --no-audit --no-fund --loglevel=error \
			|| echo "npm ci failed: the accessibility tests will be skipped"; \
	fi

e2e: $(STAMP) axe
	@mkdir -p $(LOGS)
	@if [ -z "$$PRAYERBOARD_TEST_DATABASE_URL" ]; then \
		echo "== end-to-end on SQLite"; \
		$(E2E); \
	else \
		echo "== end-to-end on SQLite and on PostgreSQL ($$PRAYERBOARD_TEST_DATABASE_URL), at once"; \
		$(E2E) > $(LOGS)/e2e-sqlite.log 2>&1 & sqlite=$$!; \
		PRAYERBOARD_TEST_ENGINE=postgres $(E2E) > $(LOGS)/e2e-postgres.log 2>&1 & postgres=$$!; \
		wait $$sqlite; sqlite_status=$$?; wait $$postgres; postgres_status=$$?; \
		echo "== SQLite (exit $$sqlite_status)"; cat $(LOGS)/e2e-sqlite.log; \
		echo "== PostgreSQL (exit $$postgres_status)"; cat $(LOGS)/e2e-postgres.log; \
		[ $$sqlite_status -eq 0 ] && [ $$postgres_status -eq 0 ]; \
	fi

# Everything, quickest first: lint and types, the unit layer, then end to end on both engines.
test: lint unit e2e

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist test-artifacts .mypy_cache .ruff_cache $(AXE_DIR)/node_modules
