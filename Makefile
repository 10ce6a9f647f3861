# The two commands of the README: `make demo` (set up + screen the bundled sample batch)
# and `make test` (lint, type-check and the test suite). Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench screenshots clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
	touch $@

# Screens the sample batch in the terminal, then serves the web interface on it with demo
# log-ins (Ctrl+C stops it). PORT=8001 make demo picks another port.
PORT ?= 8000
demo: $(BIN)/.installed
	$(BIN)/aml-screen screen aml_screen/samples/sample_batch.csv --out out/demo
	$(BIN)/aml-screen serve --demo --insecure-http --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

# One test process per core (pytest-xdist): the suite is CPU-bound and each test owns its
# store, so two cores nearly halve the run.
test: lint
	$(BIN)/pytest -n auto

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_screen.py --rows 1000000

# Refresh the README's browser pictures (needs Debian's chromium).
screenshots: $(BIN)/.installed
	AML_SCREEN_SCREENSHOTS=docs/screenshots $(BIN)/pytest -m browser tests/web -q

clean:
	rm -rf $(VENV) out var .mypy_cache .ruff_cache .pytest_cache
