# Two commands for a new user, both doing their own set-up on a fresh clone:
#   make demo   runs the main job on the bundled telco example: validate, answer the ten
#               strategic questions, find silos, write the report to out/telco/
#   make test   runs the test suite
# The virtual environment is rebuilt when pyproject.toml changes.
#
# The ontology is published like a vocabulary (kg/publish.py); after changing it, run
#   make ontology          both of:
#   make ontology-release  copy ontology/*.ttl (and ontology/alignments/) to ontology/<version>/,
#                          the version being the ontology's owl:versionInfo
#   make ontology-docs     write its documentation with pyLODE to docs/ontology/index.html
# and commit what they wrote; the tests fail while either is out of date.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint clean ontology ontology-release ontology-docs

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

ontology: ontology-release ontology-docs

ontology-release: $(STAMP)
	$(BIN)/python -m kg.publish --ontology-dir ontology release

ontology-docs: $(STAMP)
	$(BIN)/python -m kg.publish --ontology-dir ontology docs --out docs/ontology

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
