# civility: development, test and local production-style runs.
#
#   make venv           create .venv (Python >= 3.12) and install civility[dev] with constraints.txt
#   make demo           migrate, load fixtures, create demo logins, run the development server
#   make test           ruff, migrations check, deploy check, pytest on SQLite and on PostgreSQL
#                       in PYTEST_WORKERS (default 2) processes; prints how long it took
#   make serve          production-style: collectstatic, migrate, gunicorn with DEBUG=0
#   make check-deploy   Django's deployment checks with production settings
#   make lint / format  ruff check / ruff format + ruff check --fix
#   make messages       refresh the English catalogue (locale/en) after changing UI text
#   make clean          remove .venv, collected static files and test artifacts (not db, not media)
#
# The Python used to create .venv is found by scripts/find-python.sh; choose it with
#   make PYTHON=/path/to/python3.12 venv

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?=
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := $(VPY) manage.py
RUFF := $(VENV)/bin/ruff
PYTEST := $(VENV)/bin/pytest -q -p no:cacheprovider
# pytest-xdist processes for each pytest run (0: everything in the pytest process itself).
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS)
FIXTURES := $(sort $(wildcard fixtures/*.json))
DEMO_URL := http://127.0.0.1:8000
DEMO_LOGINS := admin, secretariat, leader, inspector, liaison, liaison2, representative
DEMO_PASSWORD := civility-demo

# A random 60-character secret key (only for throw-away runs; never printed).
RANDOM_KEY = $$($(VPY) -c 'import secrets; print(secrets.token_urlsafe(45))')

CHECK_DEPLOY = env -u DJANGO_ALLOW_ASYNC_UNSAFE DEBUG=0 SECRET_KEY="$(RANDOM_KEY)" ALLOWED_HOSTS=example.org \
	$(MANAGE) check --deploy --fail-level WARNING

.PHONY: help venv .venv demo test serve check-deploy lint format messages clean FORCE

help:
	@sed -n 's/^#   make /  make /p' $(firstword $(MAKEFILE_LIST))

# --- virtualenv ---------------------------------------------------------------------------------
# Recreated when missing, broken, made with Python < 3.12, or (with an explicit PYTHON=) made with
# another interpreter. Packages are reinstalled when pyproject.toml or constraints.txt change.
venv .venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt $(if $(strip $(PYTHON)),FORCE)
	@py_ok() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
	want=""; \
	if [ -n "$(strip $(PYTHON))" ]; then \
		want=$$(PYTHON='$(strip $(PYTHON))' scripts/find-python.sh) || exit 1; \
	fi; \
	if [ -e $(VENV) ]; then \
		if ! py_ok $(VPY); then \
			echo "$(VENV) is broken or was made with Python < 3.12: recreating it"; \
			rm -rf $(VENV); \
		elif [ -n "$$want" ] && \
			[ "$$(cat $(VENV)/.python 2>/dev/null)" != "$$(readlink -f "$$want")" ]; then \
			echo "$(VENV) was not made with $$want: recreating it"; \
			rm -rf $(VENV); \
		fi; \
	fi; \
	if [ ! -e $(VENV) ]; then \
		[ -n "$$want" ] || want=$$(scripts/find-python.sh) || exit 1; \
		echo "Creating $(VENV) with $$want ($$("$$want" --version 2>&1))"; \
		"$$want" -m venv $(VENV); \
		readlink -f "$$want" > $(VENV)/.python; \
	fi; \
	if [ -f $@ ] && [ $@ -nt pyproject.toml ] && [ $@ -nt constraints.txt ]; then exit 0; fi; \
	echo "Installing civility[dev] into $(VENV) ($$($(VPY) --version 2>&1))"; \
	$(VPY) -m pip install -q --upgrade pip; \
	$(VPY) -m pip install -q -c constraints.txt -e '.[dev]'; \
	touch $@

FORCE:

# --- demo ---------------------------------------------------------------------------------------
# Idempotent: fixtures have explicit primary keys, demo_users and seed_demo update in place.
demo: $(STAMP)
	$(MANAGE) migrate --noinput
ifneq ($(FIXTURES),)
	$(MANAGE) loaddata $(FIXTURES)
endif
	$(MANAGE) demo_users
	@if $(MANAGE) help seed_demo >/dev/null 2>&1; then \
		echo "$(MANAGE) seed_demo"; $(MANAGE) seed_demo; \
	fi
	@echo
	@echo "=================================================================================="
	@echo "  civility demo: $(DEMO_URL)"
	@echo "  Logins: $(DEMO_LOGINS)"
	@echo "  Password for all of them: $(DEMO_PASSWORD)"
	@echo "  Stop the server with Ctrl-C."
	@echo "=================================================================================="
	@echo
	$(MANAGE) runserver 127.0.0.1:8000

# --- tests --------------------------------------------------------------------------------------
# Each pytest run fails on exit code 5 (nothing collected) as on any other failure.
define run_pytest
	rc=0; $(2) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests $(1): failing" >&2; \
	elif [ $$rc -ne 0 ]; then echo "pytest $(1) failed (exit code $$rc)" >&2; fi; \
	exit $$rc
endef

test: export DJANGO_ALLOW_ASYNC_UNSAFE := true
test: TEST_STARTED := $(shell date +%s)
test: $(STAMP)
	@echo "==> ruff"
	$(RUFF) check .
	$(RUFF) format --check .
	@echo "==> migrations are up to date"
	$(MANAGE) makemigrations --check --dry-run
	@echo "==> deployment checks"
	$(CHECK_DEPLOY)
	@echo "==> pytest on SQLite (browser tests included)"
	@echo 'env -u DATABASE_URL $(PYTEST) $(XDIST)'
	@$(call run_pytest,on SQLite,env -u DATABASE_URL $(PYTEST) $(XDIST))
	@if scripts/test-postgres.sh --find >/dev/null 2>&1; then \
		echo "==> pytest on PostgreSQL"; \
		echo 'scripts/test-postgres.sh $(PYTEST) $(XDIST) -m "not browser"'; \
		$(call run_pytest,on PostgreSQL,scripts/test-postgres.sh $(PYTEST) $(XDIST) -m "not browser"); \
	elif [[ "$${CI:-}" =~ ^([Tt][Rr][Uu][Ee]|1|[Yy][Ee][Ss])$$ ]]; then \
		echo "PostgreSQL not found, and CI=$${CI} requires the PostgreSQL run: failing" >&2; \
		exit 1; \
	else \
		echo "PostgreSQL not found: skipping the PostgreSQL run"; \
	fi
	@elapsed=$$(( $$(date +%s) - $(TEST_STARTED) )); \
	printf '==> all checks passed in %dm%02ds\n' $$((elapsed / 60)) $$((elapsed % 60))

check-deploy: $(STAMP)
	$(CHECK_DEPLOY)

lint: $(STAMP)
	$(RUFF) check .
	$(RUFF) format --check .

# Needs GNU gettext (Debian: gettext). The compiled .mo is committed, so nothing else needs it.
messages: $(STAMP)
	$(MANAGE) makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=media -e html,py,txt
	@echo "Translate the new entries in locale/en/LC_MESSAGES/django.po, then:"
	@echo "  $(MANAGE) compilemessages -l en --ignore=.venv"

format: $(STAMP)
	$(RUFF) format .
	$(RUFF) check --fix .

# --- production-style local run -----------------------------------------------------------------
# A real deployment sets SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS and serves HTTPS through a
# proxy. Without SECRET_KEY this target makes a random one for this run only.
serve: $(STAMP)
	@if [ -z "$${SECRET_KEY:-}" ]; then \
		SECRET_KEY="$(RANDOM_KEY)"; export SECRET_KEY; \
		export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
		export SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"; \
		echo "Note: SECRET_KEY is not set, so this run uses a random one (sessions end when it stops)"; \
		echo "      with ALLOWED_HOSTS=$$ALLOWED_HOSTS and SECURE_SSL_REDIRECT=$$SECURE_SSL_REDIRECT."; \
		echo "      A real deployment sets SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS and HTTPS."; \
	fi; \
	export DEBUG=0; \
	echo "$(MANAGE) collectstatic --noinput"; $(MANAGE) collectstatic --noinput; \
	echo "$(MANAGE) migrate --noinput"; $(MANAGE) migrate --noinput; \
	echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops it)"; \
	exec $(VENV)/bin/gunicorn civility.wsgi -b 127.0.0.1:8000 --workers 3

# --- cleaning -----------------------------------------------------------------------------------
# Never removes db.sqlite3 or media/.
clean:
	rm -rf $(VENV) staticfiles test-artifacts test-results .pytest_cache .ruff_cache build
	rm -rf *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
