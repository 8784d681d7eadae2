# nudge — common tasks. `make run` starts everything; `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export ELECTRON_SKIP_BINARY_DOWNLOAD := 1

.PHONY: install run test test-python test-desktop test-e2e lint bench compose-check

$(BIN)/nudge: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

desktop/node_modules: desktop/package-lock.json
	cd desktop && npm ci --no-audit --no-fund
	touch $@

desktop/dist/index.html: desktop/node_modules $(shell find desktop/src -type f 2>/dev/null) desktop/index.html
	cd desktop && npm run build

install: $(BIN)/nudge desktop/node_modules

# Everything against the PostgreSQL and RabbitMQ already running on this machine.
run: $(BIN)/nudge desktop/dist/index.html
	$(BIN)/nudge up

test: lint test-python test-desktop test-e2e

test-python: $(BIN)/nudge
	$(BIN)/pytest

test-desktop: desktop/node_modules
	cd desktop && npm test && npm run test:electron

test-e2e: $(BIN)/nudge desktop/dist/index.html
	scripts/e2e.sh

lint: $(BIN)/nudge
	$(BIN)/ruff check src tests bench migrations scripts
	$(BIN)/ruff format --check src tests bench migrations scripts
	$(BIN)/mypy src

bench: $(BIN)/nudge
	$(PY) bench/api.py
	$(PY) bench/pipeline.py
	$(PY) bench/desktop.py

compose-check:
	docker-compose -f compose.yaml config -q
