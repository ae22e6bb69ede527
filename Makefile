# Two commands for a newcomer: `make demo` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DB ?= sqlite:///demo.db

.PHONY: demo test setup apertium chromium lint typecheck bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

apertium:
	@scripts/install-apertium.sh

chromium:
	@scripts/install-chromium.sh

demo: setup apertium
	$(BIN)/tolk --version
	$(BIN)/tolk engines --config examples/tolk.toml
	$(BIN)/tolk translate examples/catalog.jsonl --to es --config examples/tolk.toml \
	  --glossary examples/glossary.csv --db $(DEMO_DB) --samples 6 --out demo-es.jsonl

test: setup apertium chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(MAKE) --no-print-directory typecheck
	$(BIN)/lint-imports
	$(BIN)/pytest -q

typecheck: setup
	$(BIN)/mypy
	@for script in $$(grep -l '^#!/usr/bin/env python3' bench/*); do \
	  $(BIN)/mypy --no-error-summary $$script || exit 1; \
	done

bench: setup apertium
	$(BIN)/python bench/apertium_throughput
	$(BIN)/python bench/end_to_end
	$(BIN)/python bench/rate_limit
	$(BIN)/python bench/qe_accuracy
	$(BIN)/python bench/gate_cost
	$(BIN)/python bench/review_queue
	$(BIN)/python bench/cost
	$(BIN)/python bench/api_stall
	$(BIN)/python bench/startup

clean:
	rm -rf $(VENV) demo.db* demo-es.jsonl .pytest_cache .mypy_cache .ruff_cache artifacts
