# TMS Screener. Two commands: `make run` and `make test`; everything else is set-up they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app screener
STAMPS := $(VENV)/.stamps
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup check lint translations bench clean help

help: ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

run: setup ## set everything up and serve on http://127.0.0.1:5000
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs its storage tests on PostgreSQL too when a server answers here (CI's does);
# where none does, it says so loudly at the end.
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

test: setup lint ## set everything up and run the whole suite (lint, import contracts, types included)
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(STAMPS)/install $(STAMPS)/translations ## venv, install, database, places, demo directory
	$(FLASK) questions check
	$(FLASK) db upgrade
	$(FLASK) places load
	$(FLASK) providers import --if-empty data/demo-providers.json

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/translations: $(wildcard screener/translations/*/LC_MESSAGES/*.po) | $(STAMPS)/install
	$(BIN)/pybabel compile --use-fuzzy -d screener/translations
	@touch $@

translations: $(STAMPS)/install ## re-extract UI strings and merge them into the catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o screener/translations/messages.pot .
	$(BIN)/pybabel update -i screener/translations/messages.pot -d screener/translations --no-fuzzy-matching

check: setup lint ## lint, import contracts and types, without the test suite

lint: $(STAMPS)/install
	$(BIN)/ruff check screener tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: setup ## run the benchmarks (by hand; they print figures beside a baseline)
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/steps.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/places.py
	$(BIN)/python bench/nearest.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/load.py  # last: whole patients, about 8 minutes

clean: ## remove the venv and the local database
	rm -rf $(VENV) instance test-artifacts
