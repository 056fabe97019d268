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

# What running the site needs; the suite's tools (dev group) and the load-test tools (bench group)
# come with `make test` and `make bench`. --inexact: a later `make run` keeps what they installed.
$(VENV)/.synced-run: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --no-dev --inexact
	touch $@

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --inexact
	touch $@ $(VENV)/.synced-run

$(VENV)/.synced-bench: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --group bench --inexact
	touch $@ $(VENV)/.synced $(VENV)/.synced-run

# Each catalogue compiled when its .po changed, with the same check as compilemessages.
PO_FILES := $(wildcard */locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
%.mo: %.po
	msgfmt --check-format -o $@ $<

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.synced node_modules/.installed ## Install the pinned dependencies

messages: $(MO_FILES) ## Compile the translations that changed

run: export DEBUG ?= 1
# Links in e-mails and posts lead to the address actually served.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.synced-run messages ## Start the site on SQLite with demo data at http://$(HOST):$(PORT)
	$(PY) manage.py rundemo $(HOST):$(PORT)

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

messages-update: $(VENV)/.synced-run ## Collect new strings into the .po files
	for app in civic frontend consultations ideas debate maps moderation reports social; do \
	  mkdir -p $$app/locale && (cd $$app && DEBUG=1 ../$(PY) ../manage.py makemessages -l da -l nb -l en --no-obsolete -v 0); done

bench: $(VENV)/.synced-bench messages ## Benchmarks; figures go to bench/RESULTS.md
	$(PY) bench/run.py

clean: ## Remove the environment, the SQLite database and compiled files
	rm -rf $(VENV) .tools node_modules db.sqlite3* staticfiles
	find . -name '*.mo' -not -path './.venv/*' -delete
