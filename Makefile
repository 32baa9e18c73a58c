# Two commands for a new user, both doing their own set-up on a fresh clone:
#   make demo   runs the main job on the bundled telco example: validate, answer the ten
#               strategic questions, find silos, write the report to out/telco/
#   make test   runs the test suite
# The virtual environment is rebuilt when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kg report data/telco --out out/telco

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kg api tests
	$(BIN)/ruff format --check kg api tests
	$(BIN)/mypy kg
	$(BIN)/mypy api

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
