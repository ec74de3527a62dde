# The two commands of the README are `make run` and `make test`; both install what they need first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install ui browser lock lint fmt clean

run: install ui  ## Run the whole app on the embedded defaults at http://127.0.0.1:8000
	$(BIN)/marketedge demo --host $(HOST) --port $(PORT)

test: install ui browser  ## Lint, types, unit, integration (SQLite, then PostgreSQL + Redis when present) and browser tests
	scripts/test

install: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml constraints.txt
	@command -v python3 >/dev/null || { echo "Python 3.11+ is needed"; exit 1; }
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[dev]'
	touch $@

ui: frontend/dist/index.html

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(shell find frontend/src frontend/index.html frontend/vite.config.ts -type f 2>/dev/null)
	cd frontend && npm run build --silent

browser:  ## Debian's Chromium for the browser tests (test tools cannot download their own browsers)
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lock:  ## Re-resolve constraints.txt from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o constraints.txt -q

fmt:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var artifacts
