# citizenid — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
PEOPLE ?= 100000
export CITIZENID_DATA_DIR ?= $(CURDIR)/data

.PHONY: demo test lint typecheck migrations-check pytest bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMPS)/install: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

install: $(STAMPS)/install

## make demo: SQLite register with a synthetic population (PEOPLE=100000), served on http://127.0.0.1:8000
demo: install
	$(BIN)/citizenid demo --people $(PEOPLE)

## make test: lint, types, migrations against models, and the whole suite
test: install lint typecheck migrations-check pytest

lint: install
	$(BIN)/ruff check src tests benchmarks tools

typecheck: install
	$(BIN)/mypy

migrations-check: install
	@tmp=$$(mktemp -d) && CITIZENID_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/citizenid db check && rm -rf $$tmp

pytest: install
	$(BIN)/pytest -q -n 2 --dist loadgroup

## make bench: the headline figures (see benchmarks/README.md); BENCH_PEOPLE=1000000 by default
bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(STAMPS) data .mypy_cache .ruff_cache .pytest_cache
