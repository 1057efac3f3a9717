# Silsila: `make run` serves the API on the default dataset; `make test` passes every check.
# Both install what they need into .venv from the pinned lock files.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := graph ontology loaders api cli notebooks

.PHONY: help install run stop test lint typecheck derived compose-config build-deps browser lock clean

help:
	@echo "make run    start Neo4j, load the default dataset, serve http://127.0.0.1:8000"
	@echo "make test   lint, type-check, check derived files, run the tests on a real Neo4j"
	@echo "make stop   stop the local Neo4j"
	@echo "make lock   re-pin requirements*.lock after changing pyproject.toml"

$(STAMP): pyproject.toml requirements-dev.lock
	@$(MAKE) --no-print-directory build-deps
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Silsila needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(STAMP)

run: install
	$(BIN)/silsila db start
	$(BIN)/silsila load
	$(BIN)/silsila serve

stop: install
	$(BIN)/silsila db stop

derived: install
	$(BIN)/silsila ontology generate --check

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check $(PACKAGES) tests bench
	$(BIN)/ruff format --check $(PACKAGES) tests bench

typecheck: install
	$(BIN)/mypy --strict $(PACKAGES)

compose-config:
	@if docker compose version >/dev/null 2>&1; then \
		echo "docker compose config"; \
		SILSILA_NEO4J_PASSWORD=compose-config-check docker compose config --quiet; \
	else \
		echo "skipping 'docker compose config': the docker compose plugin is not installed" \
		     "(tests/test_compose.py still checks the file)"; \
	fi

# followthemoney needs PyICU, which PyPI ships only as source: it builds against Debian's ICU.
build-deps:
	@pkg-config --exists icu-uc 2>/dev/null && command -v g++ >/dev/null 2>&1 || { \
		echo "Installing Debian's ICU headers and a C++ compiler (to build PyICU)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libicu-dev pkg-config g++; \
	}

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	}

test: derived lint typecheck compose-config browser
	$(BIN)/pytest

lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --python-version 3.11 --no-header -o requirements.lock
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
