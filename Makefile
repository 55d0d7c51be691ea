# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test venv venv-test migrate demo serve lint format messages check-deploy bench upgrade-fixture clean

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

migrate: venv
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_resolution
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

# Web server, Celery worker and beat together; Ctrl-C stops all of them.
run: demo
	@echo ""
	@echo "  Accountability tracker: http://$(HOST):$(PORT)/"
	@echo "  Demo accounts (username / password):"
	@echo "    admin    / demo-admin-2026      administrator"
	@echo "    manager  / demo-manager-2026    manager of DMSPC"
	@echo "    manager2 / demo-manager-2026    manager of DOS"
	@echo "    oios     / demo-oversight-2026  oversight body OIOS"
	@echo "    boa      / demo-oversight-2026  oversight body BOA (Board of Auditors)"
	@echo "    gastaff  / demo-ga-2026         General Assembly staff"
	@echo "  Press Ctrl-C to stop the web server, the worker and beat."
	@echo ""
	DEBUG=$${DEBUG:-1} $(PY) manage.py serve_all --host $(HOST) --port $(PORT)

test: venv-test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Needs GNU gettext (msgfmt). Compiled .mo files are committed, so running the app does not.
# DEBUG=1: a development command, which needs no SECRET_KEY (see config/settings.py).
messages: venv
	cd $(CURDIR) && DEBUG=$${DEBUG:-1} $(PY) manage.py makemessages -l ar -l zh_Hans -l fr -l ru -l es --ignore=.venv --ignore=var --ignore=bench --ignore=node_modules
	DEBUG=$${DEBUG:-1} $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

check-deploy: venv
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') ALLOWED_HOSTS=tracker.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING

# Issue 13's targets measured on a seeded PostgreSQL database, written to bench/RESULTS.md
# (BENCH_DATABASE_URL, BENCH_FACTOR, BENCH_RUNS: see bench/run.py and the README).
bench: venv
	$(PY) bench/run.py

# The upgrade test's starting point (tests/upgrade/): release v0.1.0's migrate, resolution and
# demo data in a scratch PostgreSQL database (UPGRADE_PG: server URL without a database name),
# dumped with pg_dump --no-owner. Needs the tag: git fetch --tags.
UPGRADE_PG ?= postgres://postgres@127.0.0.1:5432
UPGRADE_TREE := $(or $(TMPDIR),/tmp)/tracker-v0.1.0
upgrade-fixture: venv
	rm -rf $(UPGRADE_TREE) && git worktree prune && git worktree add --detach $(UPGRADE_TREE) v0.1.0
	psql -q $(UPGRADE_PG)/postgres -c 'DROP DATABASE IF EXISTS tracker_upgrade_fixture' -c 'CREATE DATABASE tracker_upgrade_fixture'
	cd $(UPGRADE_TREE) && for step in 'migrate --noinput' load_resolution seed_demo; do \
	  DEBUG=1 DATABASE_URL=$(UPGRADE_PG)/tracker_upgrade_fixture REDIS_URL= $(CURDIR)/$(PY) manage.py $$step || exit 1; done
	pg_dump --no-owner $(UPGRADE_PG)/tracker_upgrade_fixture | gzip -9n > tests/upgrade/release-0.1.0.sql.gz
	psql -q $(UPGRADE_PG)/postgres -c 'DROP DATABASE tracker_upgrade_fixture'
	git worktree remove --force $(UPGRADE_TREE)

clean:
	rm -rf $(VENV) var
