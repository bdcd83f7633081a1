# clusterprint: the README's two quick-start commands are `make report` and `make test`.
# Each one sets everything up on a fresh Debian machine (Python 3.11) and then runs.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= inputs/colossus.yaml

.PHONY: setup system-deps report compute test lint bench clean

# WeasyPrint's system libraries (Pango, HarfBuzz, fonts) and, for the browser tests, Chromium.
system-deps:
	@bash .ci/system-deps.sh

$(BIN)/clusterprint: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools tells every editable install of a package with a mapped folder (templates/ is installed as
	@# pipeline/templates) to beware of same-named folders: information for packagers, noise in the quick start
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -e '.[test,dask]'
	@touch $@

setup: system-deps $(BIN)/clusterprint

report: setup
	$(BIN)/clusterprint report $(SCENARIO) --out reports/

compute: $(BIN)/clusterprint
	$(BIN)/clusterprint compute $(SCENARIO)

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
