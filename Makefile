# citizenid — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
PEOPLE ?= 100000
export CITIZENID_DATA_DIR ?= $(CURDIR)/data

.PHONY: demo test lint typecheck migrations-check pytest bench install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Debian packages: the font the printed cards are set in (the demo needs it too), an HSM (SoftHSM2 via
# PKCS#11), a PC/SC daemon with a virtual reader driver (vpcd), what pyscard builds against, and Chromium for
# the browser tests (Playwright drives it).  Installed when missing and we are root.
SYSTEM_PACKAGES := fonts-dejavu-core softhsm2 pcscd vsmartcard-vpcd libpcsclite-dev swig openssl chromium

$(STAMPS)/install: pyproject.toml $(STAMPS)/system | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[biometrics]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "missing Debian packages (their tests will skip): $$missing"; fi; \
	fi
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/install-test: pyproject.toml $(STAMPS)/system | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,pcsc,spark,biometrics]'
	@mkdir -p $(STAMPS) && touch $@

install: $(STAMPS)/install
install-test: $(STAMPS)/install-test

## make demo: SQLite register with a synthetic population (PEOPLE=100000), served on http://127.0.0.1:8000
demo: install
	$(BIN)/citizenid demo --people $(PEOPLE)

## make test: lint, types, migrations against models, and the whole suite
test: install-test lint typecheck migrations-check pytest

lint: install-test
	$(BIN)/ruff check src tests benchmarks tools

typecheck: install-test
	$(BIN)/mypy

migrations-check: install-test
	@tmp=$$(mktemp -d) && CITIZENID_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/citizenid db check && rm -rf $$tmp

pytest: install-test
	$(BIN)/pytest -q -n 2 --dist loadgroup

## make bench: the headline figures (see benchmarks/README.md); BENCH_PEOPLE=1000000 by default
bench: install-test
	$(BIN)/python benchmarks/run.py $(ONLY)

clean:
	rm -rf $(VENV) $(STAMPS) data .mypy_cache .ruff_cache .pytest_cache
