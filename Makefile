# Two commands on a fresh machine: `make run` and `make test`. See README.md.
# No access log by default: request lines carry citizens' addresses and lookups.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: install translations messages run test lint test-sqlite test-postgres system-deps html-checker bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# One catalog per language (portal/translations/<locale>/), managed with Babel's own pybabel;
# compiled catalogs are built here, never committed.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d portal/translations

install: $(VENV)/.installed translations

# Refresh the catalogs from the sources (then translate the new entries; `make test` fails
# while any message lacks a translation).
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F .babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--project dxal-water-portal -o $(VENV)/messages.pot .
	$(BIN)/pybabel -q update -i $(VENV)/messages.pot -d portal/translations --no-fuzzy-matching \
		--ignore-obsolete -w 100

run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo
	@echo "  Portal:   http://$(HOST):$(PORT)/   (English: http://$(HOST):$(PORT)/?lang=en)"
	@echo "  Officials' login: http://$(HOST):$(PORT)/admin/login"
	@echo "    admin@demo.dxal.gov.cn / demo-portal-2026  (also publisher@, water@, enforcement@, handler@)"
	@echo
	@# The delivery worker (mail) runs beside gunicorn; Ctrl-C or the end of gunicorn stops both.
	PORTAL_DEMO=true PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)} $(FLASK) worker & worker=$$!; trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	PORTAL_DEMO=true PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/gunicorn --no-control-socket --workers $(WORKERS) --bind $(HOST):$(PORT) wsgi:app

# Headless Chromium and CJK fonts for the browser tests, from Debian's packages.
system-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else \
			echo "Install Debian's chromium and fonts-noto-cjk (sudo apt-get install chromium fonts-noto-cjk)"; exit 1; \
		fi; \
	fi

# The Nu HTML checker (tests/test_html_validity.py): Debian's Java runs the jar from npm.
VNU_VERSION := 26.9.27
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } || \
		{ echo "Install Debian's npm (sudo apt-get install npm)"; exit 1; }
	npm install --no-save --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION) >/dev/null

html-checker: $(VNU_JAR)
	@if ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
		else \
			echo "Install Debian's Java (sudo apt-get install default-jre-headless)"; exit 1; \
		fi; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check portal tests migrations/env.py wsgi.py
	$(BIN)/mypy

test-sqlite: install
	env -u PORTAL_TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The whole suite on SQLite; again on PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
# Browser journeys run once, on PostgreSQL when it is there (the production database);
# the validators (marker `validator`, on a demo portal of their own) run once, in the first.
test: install system-deps html-checker lint
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then \
		$(MAKE) --no-print-directory test-sqlite PYTEST_ARGS='-m "not browser" $(PYTEST_ARGS)' && \
		$(MAKE) --no-print-directory test-postgres PYTEST_ARGS='-m "not validator" $(PYTEST_ARGS)'; \
	else \
		$(MAKE) --no-print-directory test-sqlite; \
	fi

# Load benchmark on PostgreSQL (BENCH_DATABASE_URL, default database `bench`, re-created);
# BENCH_* sizes and durations are described in tests/bench/run.py. Needs Debian's wrk.
bench: install
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else \
			echo "Install Debian's wrk (sudo apt-get install wrk)"; exit 1; \
		fi; \
	fi
	$(BIN)/python tests/bench/run.py

clean:
	rm -rf $(VENV) instance/*.db* .pytest_cache .ruff_cache
