# Municipios Abiertos: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
# pydatajson (the national profile validator) is a test oracle with old pinned deps: own venv.
PDJ_VENV := .venv-pydatajson
PDJ_STAMP := $(PDJ_VENV)/.installed
MANAGE := $(PY) manage.py

.PHONY: run test test-browser test-postgres lint format messages bench install clean

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	touch $(STAMP)

$(PDJ_STAMP): requirements-pydatajson.txt
	test -x $(PDJ_VENV)/bin/python || $(PYTHON) -m venv $(PDJ_VENV)
	$(PDJ_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-pydatajson.txt
	touch $(PDJ_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

messages: $(STAMP)
	@# compilemessages refuses to run when there is no locale/ folder yet (no translations).
	if [ -d locale ]; then $(MANAGE) compilemessages --ignore='.venv*' --ignore=node_modules -v 0; fi

## Start the whole platform on SQLite with demo content at http://127.0.0.1:8000
run: install messages
	bash bin/run-dev

## Run the whole suite on SQLite
test: $(STAMP) $(PDJ_STAMP) messages
	$(PY) -m pytest -q -n 2 --dist loadfile

## Run the browser tests (Playwright driving Debian's Chromium)
test-browser: install messages
	$(PY) -m pytest -q -m browser -p no:xdist

## Run the whole suite on PostgreSQL, with Redis as cache and task broker (CI's second stage)
test-postgres: $(STAMP) $(PDJ_STAMP) messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	bash bench/run

clean:
	rm -rf $(VENV) node_modules var
