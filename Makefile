# make run  — set up .venv, migrate, load the demo commune, serve on http://127.0.0.1:8000
#             (gunicorn and the background worker, together: `congdanso serve`)
# make test — install the test extras and run the whole suite
# make bench — run the benchmarks and print their tables
# make mutate — mutation testing of the critical modules, each with its own tests (slow; not
#               in CI): MODULES="core/uploads.py vn/" for some, JOBS=2 for two at once
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export CONGDANSO_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test bench mutate lint install serve clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "congdanso needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

run: install
	$(BIN)/congdanso migrate --noinput
	$(BIN)/congdanso collectstatic --noinput --verbosity 0
	$(BIN)/congdanso places load
	$(BIN)/congdanso demo
	@echo
	@echo "congdanso: http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@# gunicorn with these options, and beside it the worker that runs the web imports.
	$(BIN)/congdanso serve -- --bind $(HOST):$(PORT) --workers 2 --threads 4 \
		--access-logfile - --timeout 120

test: $(VENV)/.installed-test
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy congdanso

bench: $(VENV)/.installed-test
	$(BIN)/pip install --quiet --editable '.[test,bench]'
	$(BIN)/python benchmarks/import_residents.py
	$(BIN)/python benchmarks/indicators.py --keep
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/offline.py
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/reports.py
	$(BIN)/python benchmarks/reports_xlsx.py

mutate: $(VENV)/.installed-test
	$(BIN)/pip install --quiet --editable '.[test,mutate]'
	$(BIN)/python mutation/run.py --jobs $(or $(JOBS),1) $(MODULES)

clean:
	rm -rf $(VENV) var .pytest_cache
