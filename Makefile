# The project's commands. `make run` and `make test` are the whole quick start on a fresh Debian machine.
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install db demo run test lint system-deps clean

$(STAMP): setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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

test: install system-deps
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict --follow-imports=silent portal/domain portal/sms

clean:
	rm -rf $(VENV) instance/portal.sqlite3 tests/artifacts/*.png
