# The two commands: `make run` (the whole app on embedded defaults) and `make test`.
# Every target installs what it needs first, so both work on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: WeasyPrint's libraries and fonts, libmagic for sniffing uploads (runtime);
# Node.js and npm build the stylesheet (GOV.UK Frontend from Sass). Tests: compose validation,
# and Debian's Chromium for the browser tests (never a test tool's own browser download), with
# fonts for the portal's Khmer and Chinese pages, and gettext to check the compiled translations.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 libmagic1
BUILD_DEBS := nodejs npm
TEST_DEBS := docker-compose chromium fonts-khmeros fonts-noto-cjk gettext

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install assets messages system-packages test-system-packages run test lint format migrations-check schema-check services bench lock clean

help:
	@echo "make run     install what is missing, migrate, seed demo data, run web + worker + beat"
	@echo "make test    install what is missing, start PostgreSQL/Redis if needed, lint and run the tests"
	@echo "make bench   run the benchmarks"
	@echo "make lint    ruff and mypy;  make format  ruff format;  make lock  re-pin requirements"
	@echo "make messages  extract the portal's text into locale/*/django.po and compile them"

install: system-packages $(STAMP) assets

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $@

# Installs only the Debian packages that are missing (dpkg -s), so it is quick when all are there.
define ensure_debs
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

system-packages:
	$(call ensure_debs,$(RUNTIME_DEBS))
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(BUILD_DEBS) >/dev/null; }

# Front-end assets: npm packages pinned by package-lock.json, the stylesheet compiled from Sass
# with our brand, and GOV.UK Frontend's script copied beside it. Rebuilt only when inputs change.
NPM_STAMP := node_modules/.installed
ASSETS := static/build/app.css static/build/govuk-frontend.min.js

assets: $(ASSETS)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/build/app.css: $(NPM_STAMP) $(wildcard static/src/*.scss)
	npm run --silent build

static/build/govuk-frontend.min.js: $(NPM_STAMP)
	@mkdir -p static/build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

# Translations (docs/adr/0014): the portal's text and the shared layout it is drawn in, in the
# portal's languages. Staff pages stay in the organisation's language, so their text is not
# extracted. The compiled .mo files are committed (the image has no gettext to compile them), and
# a test checks that they match the .po files. Needs gettext (xgettext, msgmerge, msgfmt).
MESSAGES_LOCALES := es pt zh_Hans ht vi ru km
MESSAGES_IGNORE := arrears assignments bench casework communications config consent control core docs node_modules \
	payments static staticfiles tests var templates/admin/* templates/core/* templates/django_tables2/* \
	templates/registration/* templates/staff/* templates/home.html templates/includes/job_progress.html \
	templates/includes/sign_out.html

messages: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemessages --add-location=file --no-obsolete \
		$(addprefix -l ,$(MESSAGES_LOCALES)) $(addprefix --ignore=,$(MESSAGES_IGNORE))
	@for po in locale/*/LC_MESSAGES/django.po; do msgfmt --check-format -o $${po%.po}.mo $$po || exit 1; done

test-system-packages:
	$(call ensure_debs,$(TEST_DEBS))

run: install
	$(PY) -m config.quickstart

# PostgreSQL and Redis for the test suite: start them if they are installed but stopped,
# install them if they are missing.
services:
	@command -v pg_ctlcluster >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server >/dev/null; }
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "Starting PostgreSQL"; $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Starting Redis"; redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; }
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; pg_isready -h 127.0.0.1 -p 5432
	@for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; redis-cli -h 127.0.0.1 -p 6379 ping

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy core/services.py core/selectors.py core/paths.py core/dates.py casework/services casework/selectors assignments/services.py assignments/selectors.py assignments/config.py assignments/routing.py assignments/routing_selectors.py assignments/selectors_supervisor.py assignments/services_supervisor.py arrears/rules.py arrears/facts_json.py arrears/arrangements.py arrears/services portal/services portal/selectors portal/permissions.py payments/services payments/selectors.py payments/api/selectors.py payments/verifiers.py

migrations-check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

schema-check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

test: install test-system-packages services lint migrations-check schema-check
	$(VENV)/bin/pytest -n 2 --dist loadgroup --durations=25

# The page benchmarks keep their million-case database between runs (bench/pages/conftest.py),
# so they run in a pytest session of their own.
bench: install services
	$(VENV)/bin/pytest bench --ignore=bench/pages --benchmark-only -p no:xdist -o testpaths=bench
	$(VENV)/bin/pytest bench/pages --benchmark-only -p no:xdist -o testpaths=bench -s

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: $(VENV)
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache .mypy_cache .benchmarks
