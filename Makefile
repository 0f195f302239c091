# make run: the portal with demo data on http://127.0.0.1:$(PORT).   make test: the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
# The background worker: notice delivery and the outbox sweep (huey; SQLite in instance/, Redis with REDIS_URL).
WORKER := $(VENV)/bin/huey_consumer worker.huey --workers 2 --worker-type thread
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# WeasyPrint's libraries and a font; Chromium for the browser tests.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_PACKAGES := chromium faketime
BENCH_PACKAGES := wrk
# The cluster test: Debian's nginx in front of the app servers (run from a temporary folder, the system's config untouched).
CLUSTER_PACKAGES := nginx

.PHONY: run serve worker test test-later test-cluster lint fuzz load migrate demo bench system-packages clean

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

system-packages:
	$(call apt_install,$(RUN_PACKAGES))

run: export PORTAL_ENV ?= development
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: system-packages $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Serving http://127.0.0.1:$(PORT) with the notice worker  (sign-ins are in README.md; Ctrl-C stops both)"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(WORKER) & worker=$$!; \
	$(VENV)/bin/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

worker: export PORTAL_ENV ?= development
worker: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
worker: system-packages $(VENV)/.installed
	$(FLASK) db upgrade
	$(WORKER)

migrate: export PORTAL_ENV ?= development
migrate: $(VENV)/.installed
	$(FLASK) db upgrade

test: system-packages $(VENV)/.installed-dev
	$(call apt_install,$(TEST_PACKAGES))
	$(PY) -m pytest --ignore=tests/cluster $(PYTEST_ARGS)

# The layers (.importlinter: nothing imports upward) and ruff's checks (ruff.toml).
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# A bounded coverage-guided fuzz run (atheris) of the PDF and spreadsheet readers: no input may crash them.
FUZZ_SECONDS ?= 60
fuzz: $(VENV)/.installed-dev
	PORTAL_ENV=test $(PY) -m tests.fuzz_readers --seconds $(FUZZ_SECONDS)

# The mixed load run (benchmarks/load.py, locust): gunicorn and the worker on a temporary SQLite file, then on
# PostgreSQL at LOAD_PG_URL (made when missing, emptied first). Fails on a 5xx, "database is locked" or a lost notice.
LOAD_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1/portal_load
LOAD_SECONDS ?= 60
LOAD_USERS ?= 12
load: system-packages $(VENV)/.installed-dev
	$(PY) -m benchmarks.load --seconds $(LOAD_SECONDS) --users $(LOAD_USERS) --database $(LOAD_PG_URL)

# The suite below the browser at a date about a year ahead (Debian's faketime): a time bomb fails the day it is written.
LATER_DATE ?= $(shell date -u -d '+1 year' '+%Y-%m-%d 13:00:00')
test-later: system-packages $(VENV)/.installed-dev
	$(call apt_install,$(TEST_PACKAGES))
	faketime '$(LATER_DATE)' $(PY) -m pytest --ignore=tests/e2e --ignore=tests/cluster -m 'not real_clock' $(PYTEST_ARGS)  # real_clock: an S3 server outside the fake clock checks signatures' time

# nginx, two gunicorn servers, two workers, PostgreSQL (127.0.0.1:5432, a database made and dropped), Redis
# (127.0.0.1:6379, an empty database number, flushed after) and SeaweedFS on loopback (README, "Running on several
# machines"). Stops by itself: the test's own watchdog at PORTAL_CLUSTER_DEADLINE (270 s), `timeout` after that.
test-cluster: system-packages $(VENV)/.installed-dev
	$(call apt_install,$(CLUSTER_PACKAGES))
	PORTAL_CLUSTER_TEST=1 timeout --kill-after=20 330 $(PY) -m pytest tests/cluster -p no:xdist -s -q $(PYTEST_ARGS)

bench: system-packages $(VENV)/.installed-dev
	$(call apt_install,$(BENCH_PACKAGES))
	$(PY) benchmarks/pages.py

clean:
	rm -rf $(VENV) instance .pytest_cache
