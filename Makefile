# Two commands on a fresh machine (Python 3.11): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HASH   := $(shell cksum pyproject.toml | cut -d' ' -f1)
# `make run` installs what running needs; `make test` adds the test tools (the `dev` extra)
RUN_STAMP  := $(VENV)/.installed-run-$(HASH)
TEST_STAMP := $(VENV)/.installed-dev-$(HASH)

.PHONY: run test lint install install-dev demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	rm -f $(VENV)/.installed-run-*
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-*
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

install-dev: $(TEST_STAMP)

## run: install, load the demo world if the database is empty, start c360 on http://127.0.0.1:8360
##      in demo mode (the page at / signs in as the Demo Agent; loopback only)
run: $(RUN_STAMP)
	$(BIN)/c360 demo-data --if-empty
	$(BIN)/c360 serve --demo

## lint: the import contracts (.importlinter) and ruff (pyproject.toml's [tool.ruff.lint])
lint: $(TEST_STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --no-cache .

## test: install, lint, run the whole suite on SQLite and PostgreSQL, then the eval dev split with its floor
test: lint
	$(BIN)/python -m pytest -n 2 -q
	$(BIN)/c360 eval run evals/cases --model offline --split dev --floor evals/floor.json --quiet

demo: $(RUN_STAMP)
	$(BIN)/c360 demo-data

clean:
	rm -rf $(VENV) data .pytest_cache
