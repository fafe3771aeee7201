# Chaîne des parcs green-route planner — developer entry points.
# Quick start on a fresh machine:  make run   (then)   make test

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PARCS  := $(BIN)/parcs
SOURCE ?= opendata
BUILD  := data/build/$(SOURCE)
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 4

.PHONY: install data run serve test test-fast lint typecheck bench browser print-tools pg routino clean distclean circuits

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

$(BUILD)/meta.json: $(BIN)/.installed
	$(PARCS) build --source $(SOURCE)

# The circuit catalogue (GPX, HTML and PDF roadbooks, catalogue PDF) is rebuilt whenever the
# network is: a catalogue is never older than the network the app serves.
CIRCUITS := data/circuits/index.json

$(CIRCUITS): $(BUILD)/meta.json | print-tools
	$(PARCS) circuits build

data: $(BUILD)/meta.json $(CIRCUITS)

run: install data
	$(PARCS) stats
	$(PARCS) serve --host $(HOST) --port $(PORT)

serve: install data
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT)

# Headless Chromium for the browser tests (Debian packages; root or sudo).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# PDF roadbooks: WeasyPrint needs Pango (and a font); the PDF test reads pages with poppler-utils
# (pdftoppm, pdftotext). Debian packages; root or sudo.
print-tools:
	@{ ldconfig -p | grep -q libpango-1.0 && ldconfig -p | grep -q libpangoft2-1.0 \
	   && fc-list 2>/dev/null | grep -qi dejavu && command -v pdftoppm >/dev/null \
	   && command -v pdftotext >/dev/null; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
	    fonts-dejavu-core poppler-utils >/dev/null; }

# PostgreSQL server binaries for the storage tests (a throwaway cluster is started by the tests).
pg:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# Routino, the peer router of benchmarks/bench_routino.py and its test slice (Debian package).
routino:
	@command -v planetsplitter-slim >/dev/null && command -v routino-router-slim >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq routino >/dev/null; }

test: install data browser print-tools pg routino
	$(BIN)/pytest

test-fast: install print-tools
	$(BIN)/pytest -m 'not realdata and not browser and not network and not postgres'

lint: install
	$(BIN)/ruff check parcs routing webapp parcs_cli tests benchmarks deploy
	$(BIN)/mypy

bench: install data routino
	$(BIN)/python benchmarks/run_all.py

circuits: install data print-tools
	$(PARCS) circuits build

clean:
	rm -rf data/build data/circuits tests/artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis

distclean: clean
	rm -rf $(VENV) data/sources
