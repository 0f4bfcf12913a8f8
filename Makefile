# Two commands on a fresh machine (Python 3.11): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HASH   := $(shell cksum pyproject.toml | cut -d' ' -f1)
# `make run` installs what running needs; `make test` adds the test tools (the `dev` extra)
RUN_STAMP  := $(VENV)/.installed-run-$(HASH)
TEST_STAMP := $(VENV)/.installed-dev-$(HASH)

# `langgraph dev` (langgraph-cli[inmem]) pins jsonschema-rs below what schemathesis needs, so it gets
# its own environment on top of .venv: .venv's packages, plus LangGraph's server and its own pins first
LG_VENV  ?= .venv-langgraph
LG_STAMP := $(LG_VENV)/.installed-$(HASH)

.PHONY: run test lint install install-dev langgraph-env langgraph-dev demo clean

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

$(LG_STAMP): $(TEST_STAMP)
	$(BIN)/python -m venv $(LG_VENV)
	echo "import site; site.addsitedir('$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')')" \
	  > "$$($(LG_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/c360-base.pth"
	$(LG_VENV)/bin/pip install -q 'langgraph-cli[inmem]>=0.4'
	rm -f $(LG_VENV)/.installed-*
	touch $@

## langgraph-env: the environment `langgraph dev` runs in (see docs/langgraph.md)
langgraph-env: $(LG_STAMP)

## langgraph-dev: LangGraph's dev server (Studio, Agent Chat UI) on the c360 graph, on 127.0.0.1:2024
langgraph-dev: $(LG_STAMP)
	$(LG_VENV)/bin/langgraph dev --no-browser --allow-blocking --host 127.0.0.1 --port 2024

install-dev: $(TEST_STAMP)

## run: install, load the demo world if the database is empty, start c360 on http://127.0.0.1:8360
##      in demo mode (the page at / signs in as the Demo Agent; loopback only)
run: $(RUN_STAMP)
	$(BIN)/c360 demo-data --if-empty
	C360_BUSINESS_NAME="$${C360_BUSINESS_NAME:-Deshi Bazar}" $(BIN)/c360 serve --demo

## lint: the import contracts (.importlinter) and ruff (pyproject.toml's [tool.ruff.lint])
lint: $(TEST_STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --no-cache .

## test: install, lint, run the whole suite on SQLite and PostgreSQL, then the eval dev split with its floor
##       (the langgraph dev smoke test skips, saying why, if LangGraph's environment cannot be installed)
test: lint
	$(MAKE) langgraph-env || echo "could not install langgraph-cli[inmem]: the langgraph dev smoke test will be skipped"
	$(BIN)/python -m pytest -n 2 -q
	$(BIN)/c360 eval run evals/cases --model offline --split dev --floor evals/floor.json --quiet

demo: $(RUN_STAMP)
	$(BIN)/c360 demo-data

clean:
	rm -rf $(VENV) $(LG_VENV) data .pytest_cache
