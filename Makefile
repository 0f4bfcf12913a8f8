# Two commands on a fresh machine (Python 3.11): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## run: install, load the demo world if the database is empty, start c360 on http://127.0.0.1:8360
##      in demo mode (the page at / signs in as the Demo Agent; loopback only)
run: $(STAMP)
	$(BIN)/c360 demo-data --if-empty
	$(BIN)/c360 serve --demo

## test: install, run the whole suite on SQLite and PostgreSQL, then the eval dev split with its floor
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q
	$(BIN)/c360 eval run evals/cases --model offline --split dev --floor evals/floor.json --quiet

demo: $(STAMP)
	$(BIN)/c360 demo-data

clean:
	rm -rf $(VENV) data .pytest_cache
