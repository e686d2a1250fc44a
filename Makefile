# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.PHONY: run test lint types pytest bench bench-summary install install-dev clean catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e . --group dev
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: set up, upgrade the embedded database, load the demo when empty, serve.
run: install
	$(BIN)/agency db upgrade
	$(BIN)/agency demo load --only-if-empty
	$(BIN)/agency serve --port $(PORT)

## make test: lint, types and the whole test suite.
test: install-dev lint types pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

## make catalogs: compile web/locale/*/*.po into .mo files (the app merges the .po otherwise).
catalogs: install
	$(BIN)/python -m agency.catalogs

## make bench: the matching engine's benchmark (national and regional scale).
bench: install-dev
	$(BIN)/python -m matching.bench $(BENCH_ARGS)

## make bench-summary: a national-scale half-year summary on PostgreSQL (own database).
bench-summary: install-dev
	$(BIN)/python -m agency.bench_summary $(BENCH_ARGS)

## make fuzz: 5,000 schemathesis cases over the JSON API on a fresh demo database (SQLite;
## FUZZ_ARGS="--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres" for PostgreSQL).
.PHONY: fuzz
fuzz: install-dev
	$(BIN)/python -m web.fuzz_api --cases 5000 $(FUZZ_ARGS)

## make load: the web app under 50 concurrent clients on a national-scale PostgreSQL database
## (own database agency_load; `make load BENCH_ARGS=--reuse` keeps it between runs).
.PHONY: load
load: install-dev
	$(BIN)/python -m agency.bench_load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
