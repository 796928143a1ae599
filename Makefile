# The project's commands. `make run` and `make test` are the whole quick start on a fresh Debian machine.
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install lock db demo run test test-quick lint lint-code audit bench bench-quick system-deps clean translations translations-update

# Catalogues: messages are written in Russian (the manual's wording); kk and en translate them, ru is the
# identity. The compiled .mo files are built here, not committed.
CATALOGUES := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
COMPILED   := $(CATALOGUES:.po=.mo)
POT        := portal/translations/messages.pot

# The locked, hashed requirements (runtime and development tools), then the project itself without resolving again.
$(STAMP): pyproject.toml requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) $(COMPILED)

# After changing the dependencies in pyproject.toml: resolve and hash them again, runtime apart from development.
# A version already locked stays unless pyproject.toml excludes it (`uv pip compile --upgrade-package NAME` lifts one).
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --python-version 3.11 --generate-hashes --custom-compile-command "make lock"
lock: $(STAMP)
	$(LOCK) -o requirements.txt
	$(LOCK) --extra dev -c requirements.txt -o requirements-dev.txt

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)

# After changing UI strings: extract them, merge them into every catalogue, then translate the new kk and en entries.
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d portal/translations --no-fuzzy-matching --width 120
	$(BIN)/python scripts/fill_source_catalogue.py portal/translations/ru/LC_MESSAGES/messages.po

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) portal demo
	$(FLASK) portal faq portal/data/faq.json

run: demo
	$(FLASK) run --host $(HOST) --port $(PORT)

# What the tests need from the system (Chromium, redis-server) is installed here if it is missing.
system-deps:
	@scripts/ensure-system-deps.sh

# Every test, on both cores (TEST_WORKERS=1 for one process). `test-quick` leaves out the slow, browser and load
# tests: the loop while writing code.
TEST_WORKERS ?= 2
test: install system-deps
	$(BIN)/pytest -n $(TEST_WORKERS)

test-quick: install
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not slow and not browser and not load"

# The benchmark (bench/run.py): PostgreSQL (BENCH_DATABASE_URL, default the local server) and wrk; it starts its
# own Redis and gunicorn. `bench` writes bench/results/latest.md; `bench-quick` is the few-minute smoke run.
bench: install system-deps
	$(BIN)/python -m bench.run

bench-quick: install system-deps
	$(BIN)/python -m bench.run --quick --out $(or $(TMPDIR),/tmp)/bench-quick.md

lint: lint-code audit

lint-code: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict portal
	# B105 (hard-coded passwords) is ruff's S105, already checked above with each exception reviewed in place.
	$(BIN)/bandit -q -r portal -s B105

clean:
	rm -rf $(VENV) instance/portal.sqlite3 tests/artifacts/*.png

# Known vulnerabilities in every locked dependency. It asks PyPI's JSON API, so it needs the internet; where
# that is closed it fails loudly rather than call the dependencies clean.
audit: install
	$(BIN)/pip-audit --strict --disable-pip --require-hashes -r requirements-dev.txt
