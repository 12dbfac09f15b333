# Lingong Casework / 零工市场案件办理系统
#
#   make run             install, migrate the SQLite demo database, seed it, serve on 127.0.0.1:8000
#   make test            install, then the whole test suite (SQLite, Celery tasks in-process)
#   make test-services   the suite against PostgreSQL and Redis, with a real Celery worker
#   make test-browser    the journeys and accessibility checks in Debian's chromium (Playwright)
#   make bench           every benchmark (one JSON object per line)
#   make load            a load test with Locust against gunicorn (one JSON line)
#   make lint            ruff, lint-imports (the layers) and mypy (against mypy-baseline.txt)
#
# `make help` lists every target.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's links (documents' QR codes, the survey's text) follow HOST and PORT.
PUBLIC_URL ?= $(or $(CASEWORK_PUBLIC_BASE_URL),http://$(HOST):$(PORT))
PYTEST_ARGS ?=
# Both legs run on every core (pytest-xdist); the tests of a module that share the demo
# data stay on one worker, which seeds it once (tests/seeded.py). XDIST=0: serial.
XDIST ?= auto
PYTEST := $(VENV)/bin/pytest -q --durations=20 -n $(XDIST) --dist load
BENCH ?=

# make test-services: the services it runs against (override on the command line).
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/casework
SERVICES_BROKER_URL   ?= redis://127.0.0.1:6379/0
SERVICES_CACHE_URL    ?= redis://127.0.0.1:6379/1

# The embedded set-up: whatever the shell has exported, no production parts.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL -u STORAGE_S3_BUCKET \
	-u DJANGO_HTTPS -u CASEWORK_VAR_DIR

# A virtualenv left from an unsupported Python version is made again.
ifneq ($(wildcard $(STAMP)),)
ifneq ($(shell $(PY) -c 'import sys; print(sys.version_info[:2] in ((3, 11), (3, 12)))' 2>/dev/null),True)
$(shell rm -f $(STAMP))
endif
endif

.PHONY: help run test test-services test-browser bench lint mypy-baseline install system-packages \
	browser-packages services-packages clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

system-packages: ## install missing Debian packages (Pango, HarfBuzz subsetting, Noto CJK, poppler)
	@bash scripts/system-packages.sh

browser-packages: ## install Debian's chromium (and its Chinese UI) for make test-browser
	@bash scripts/system-packages.sh chromium chromium-l10n

services-packages: ## install Debian's pgbouncer: make test-services runs the settings behind one
	@bash scripts/system-packages.sh pgbouncer

install: system-packages $(STAMP) ## system packages, .venv (Python 3.11 or 3.12) and the pinned dependencies

$(STAMP): pyproject.toml requirements.lock
	@bash scripts/venv.sh $(VENV)
	$(PIP) install --quiet -c requirements.lock -e ".[dev]"
	@if $(PIP) show django-fsm >/dev/null 2>&1; then \
		echo "install: the archived package django-fsm is installed in $(VENV); it clashes with django-fsm-2." >&2; \
		echo "install: remove it ($(PIP) uninstall -y django-fsm django-fsm-2) and run make again." >&2; \
		exit 1; \
	fi
	@if ! $(PIP) show django-fsm-2 >/dev/null 2>&1; then \
		echo "install: django-fsm-2 is not installed in $(VENV)." >&2; exit 1; \
	fi
	@touch $@

run: install ## demo: migrate var/casework.sqlite3, seed_demo, serve on http://127.0.0.1:8000
	$(EMBEDDED) DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	$(EMBEDDED) DJANGO_DEBUG=1 CASEWORK_PUBLIC_BASE_URL=$(PUBLIC_URL) $(PY) manage.py seed_demo
	@echo
	@echo "  零工市场案件办理系统 / Lingong Casework: http://$(HOST):$(PORT)/"
	@echo "  演示账号见上（密码 demo12345）/ demo logins above (password demo12345)"
	@echo "  Celery 任务在进程内运行 / Celery tasks run in-process. Ctrl-C to stop."
	@echo
	$(EMBEDDED) DJANGO_DEBUG=1 TWO_FACTOR_DEMO_EXEMPT=1 CASEWORK_PUBLIC_BASE_URL=$(PUBLIC_URL) \
		$(PY) manage.py runserver $(HOST):$(PORT)

test: install ## the whole suite on SQLite with Celery tasks run in-process, with coverage
	$(EMBEDDED) $(PYTEST) --cov --cov-report= $(PYTEST_ARGS)
	@$(VENV)/bin/coverage report --skip-covered --sort=cover > .coverage-report.txt
	@echo "coverage: the 20 files least covered (all of them: .coverage-report.txt)"
	@head -n 22 .coverage-report.txt
	@echo "coverage (lines of casework, agreements, assistance, portal): $$($(VENV)/bin/coverage report --format=total)%"

test-services: install services-packages ## the whole suite on PostgreSQL + Redis, with a real Celery worker
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) \
		CACHE_URL=$(SERVICES_CACHE_URL) $(PY) scripts/prepare_services.py
	env -u STORAGE_S3_BUCKET -u DJANGO_HTTPS -u CASEWORK_VAR_DIR \
		DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) \
		CACHE_URL=$(SERVICES_CACHE_URL) $(PYTEST) --create-db $(PYTEST_ARGS)

# The browser leg: tests/browser/ (marked browser, left out of the other runs) start a demo
# server of their own (runserver on a free loopback port, a throw-away CASEWORK_VAR_DIR,
# seed_demo, DJANGO_DEBUG=0) and drive /usr/bin/chromium; never `playwright install`.
# Screenshots: var/browser-shots/ (every journey), var/browser-failures/ (failing tests).
test-browser: install browser-packages ## journeys at 1366x768 and 390x844 and axe-core checks in chromium
	$(EMBEDDED) BROWSER_TESTS_REQUIRED=1 $(VENV)/bin/pytest -q -p no:cacheprovider --durations=10 \
		-m browser tests/browser $(PYTEST_ARGS)

bench: install ## every benchmark, one JSON line each (BENCH="name ..." for some; uses DATABASE_URL if set)
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py bench $(BENCH)

# The load test (scripts/load.py; deploy/README.md, "压力测试 / Load test"): the knobs
# LOAD_USERS, LOAD_SECONDS, LOAD_WORKERS, LOAD_THREADS, LOAD_MIX, LOAD_THINK are read from
# the command line or the environment; PostgreSQL when DATABASE_URL is set. Locust is in
# the dev extra too; the load extra is installed here for a .venv made before it.
LOAD_STAMP := $(VENV)/.installed-load

$(LOAD_STAMP): $(STAMP)
	$(PIP) install --quiet -c requirements.lock -e ".[dev,load]"
	@touch $@

.PHONY: load
load: install $(LOAD_STAMP) ## Locust on loopback: LOAD_USERS (50) for LOAD_SECONDS (60) s, LOAD_WORKERS (2) gunicorns; one JSON line
	@$(PY) scripts/load.py

lint: install ## ruff check, ruff format --check, lint-imports (docs/architecture.md), mypy, the API schema file
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline filter --no-colors
	$(PY) manage.py api_schema --check docs/api/openapi.json

mypy-baseline: install ## after fixing typing errors: rewrite mypy-baseline.txt with those left
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline sync

clean: ## remove the install stamp and var/ (demo database, media, demo seal, secret key)
	rm -rf $(STAMP) var/ .pytest_cache .ruff_cache .mypy_cache .coverage .coverage-report.txt
