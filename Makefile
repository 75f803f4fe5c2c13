# SafeTech Registry: `make run` to serve a demo, `make check` for the static checks,
# `make test` to check everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# The address labels are signed with and links name: HOST and PORT unless set (a wildcard
# HOST is reached as 127.0.0.1 here; set SAFETECH_BASE_URL to the name others use).
SAFETECH_BASE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
FLASK := SAFETECH_BASE_URL=$(SAFETECH_BASE_URL) $(BIN)/flask --app app

.PHONY: run serve install install-dev assets migrate seed test check system-packages lint typecheck layers deadcode pytest bench load clean

run: install assets migrate seed serve

serve:
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) SAFETECH_BASE_URL=$(SAFETECH_BASE_URL) \
	  scripts/serve.sh

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed
	rm -rf static/vendor && mkdir -p static/vendor/uswds
	cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js \
	      node_modules/@uswds/uswds/dist/fonts node_modules/@uswds/uswds/dist/img static/vendor/uswds/
	touch $@

assets: static/vendor/.built

migrate: install
	$(FLASK) db upgrade

seed: install
	$(FLASK) seed-demo --if-empty
	$(FLASK) search rebuild

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

# The layers and forbidden imports of pyproject.toml's [tool.importlinter].
layers: install-dev
	$(BIN)/lint-imports

# Code nothing uses; vulture_whitelist.py names what only Flask, click or SQLAlchemy call.
deadcode: install-dev
	$(BIN)/vulture

# The static checks: Python packages only (no npm, no browser, no Debian packages).
check: lint typecheck layers deadcode

# Debian packages the suite needs (browser, pdftotext, HarfBuzz subsetter): installed when run
# as root with apt-get, otherwise a message naming the command and a failure.
system-packages:
	scripts/system-packages.sh

# With TEST_DATABASE_URL, the PostgreSQL run goes beside the SQLite one (scripts/pytest-both.sh).
pytest: system-packages install-dev assets
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  BIN=$(BIN) scripts/pytest-both.sh; \
	else \
	  $(BIN)/pytest; \
	fi

test: check pytest

bench: install-dev
	$(BIN)/python -m bench

# Bounded (about 100 s once bench/data/ holds the generated catalog): SQLite, then PostgreSQL
# at LOAD_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres), loopback only.
load: install-dev
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache
