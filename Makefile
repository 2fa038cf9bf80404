# Ouderportaal. `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
RUN_ENV := DEBUG=1 SECURE_COOKIES=0 SITE_URL=http://$(HOST):$(PORT) EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.DEFAULT_GOAL := help
.PHONY: help run test test-postgres screenshots lint typecheck format bench bench-data bench-scale prod-check fuzz lighthouse messages makemessages migrate demo daily worker clean

help: ## Show the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.12, say)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

messages: $(VENV)/.installed ## Compile the Dutch and English message catalogues
	@$(PY) scripts/compile_messages.py

makemessages: $(VENV)/.installed ## Update the .po files from the code (needs GNU gettext)
	$(RUN_ENV) $(PY) manage.py makemessages --locale nl --locale en --ignore '.venv/*' --no-obsolete

migrate: messages ## Create or update the database
	@mkdir -p var
	@$(RUN_ENV) $(PY) manage.py migrate --verbosity 0

demo: migrate ## Load the demo organisation (once) and print the logins
	@$(RUN_ENV) $(PY) manage.py load_demo

run: demo ## Set everything up and serve the demo on http://127.0.0.1:8000 with a worker
	@$(PY) scripts/ensure_system.py run
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"
	@exec env $(RUN_ENV) $(PY) scripts/run.py $(HOST):$(PORT)

worker: messages ## Run only the background worker
	$(RUN_ENV) $(PY) manage.py db_worker

daily: migrate ## Run the daily jobs for today (DATE=YYYY-MM-DD for another day)
	$(RUN_ENV) $(PY) manage.py run_daily $(if $(DATE),--date $(DATE))

test: messages ## Run every test (SQLite; browser tests in Chromium)
	@$(PY) scripts/ensure_system.py test
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: messages ## Run every test against PostgreSQL (DATABASE_URL, default the local server)
	@$(PY) scripts/ensure_system.py test
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ouderportaal} $(PY) -m pytest $(PYTEST_ARGS)

screenshots: messages ## Phone screenshots for the README (docs/screenshots/*.png), made by the browser tests
	@$(PY) scripts/ensure_system.py test
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q tests/browser/test_phone_pages.py -k screenshots

lint: $(VENV)/.installed ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed ## mypy with django-stubs on portal/ (settings in pyproject.toml)
	$(VENV)/bin/mypy portal

format: $(VENV)/.installed ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

fuzz: messages ## Fuzz the API with schemathesis as four roles against a live demo server (FUZZ_EXAMPLES=5)
	$(PY) scripts/fuzz_api.py

lighthouse: messages ## Lighthouse (mobile) accessibility and best practices on the main pages, as parent and staff (needs Node.js)
	@$(PY) scripts/ensure_system.py test
	$(PY) scripts/lighthouse.py

bench: messages ## Run the benchmarks under bench/ and print their figures
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

SIZE ?= 1
bench-data: messages ## Build a large installation on PostgreSQL (SIZE=1|10|100; BENCH_DATABASE_URL)
	$(PY) bench/scale_data.py --size $(SIZE)

bench-scale: messages ## Time every main screen and API call against a trivial page on the SIZE data
	$(PY) bench/scale.py --size $(SIZE)

prod-check: messages ## Run nginx, PgBouncer, SeaweedFS, 3 web and 3 worker processes under load and check them
	$(PY) deploy/prod_check.py

clean: ## Remove the virtualenv, the database and uploaded files
	rm -rf $(VENV) var
