# Two commands for a newcomer: `make run` and `make test`. Each sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test bench migrate clean

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

# The whole suite on SQLite, then again on PostgreSQL when PRAYERBOARD_TEST_DATABASE_URL is set.
test: $(STAMP)
	$(BIN)/python -m pytest
	@if [ -n "$$PRAYERBOARD_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$PRAYERBOARD_TEST_DATABASE_URL)"; \
		PRAYERBOARD_TEST_ENGINE=postgres $(BIN)/python -m pytest; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist test-artifacts
