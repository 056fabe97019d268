# Two commands on a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := .tools/bin/uv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test test-fast lint format messages migrate demo bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.synced node_modules/.installed ## Install the pinned dependencies

messages: $(VENV)/.synced ## Compile the translations
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v 0

run: export DEBUG ?= 1
run: $(VENV)/.synced messages ## Start the site on SQLite with demo data at http://127.0.0.1:8000
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install messages ## Run the whole suite (DATABASE_URL when set, SQLite otherwise)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.synced messages ## The suite without the browser journeys
	$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.synced ## ruff and the migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run -v 0

format: $(VENV)/.synced ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages-update: $(VENV)/.synced ## Collect new strings into the .po files
	for app in civic frontend consultations ideas debate maps moderation reports social; do \
	  mkdir -p $$app/locale && (cd $$app && DEBUG=1 ../$(PY) ../manage.py makemessages -l da -l nb -l en --no-obsolete -v 0); done

bench: $(VENV)/.synced ## Benchmarks; figures go to bench/RESULTS.md
	$(PY) bench/run.py

clean: ## Remove the environment, the SQLite database and compiled files
	rm -rf $(VENV) .tools node_modules db.sqlite3* staticfiles
	find . -name '*.mo' -not -path './.venv/*' -delete
