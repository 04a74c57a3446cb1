# One virtualenv, made from pyproject.toml; every target works on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= $(CURDIR)/.demo

.PHONY: install test lint demo bench clean

# pip's build output (setuptools' notes on editable installs) goes to a log that is
# shown only when the install fails: `make demo` prints the plan, not noise.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	$(BIN)/pip install -q -e ".[test]" >> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $@

install: $(STAMP)

tests/js/node_modules/.package-lock.json: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --silent

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) tests/js/node_modules/.package-lock.json lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/followup-sync --data-dir $(DEMO_DIR) --config examples/config.toml import examples/applications.toml
	$(BIN)/followup-sync --data-dir $(DEMO_DIR) --config examples/config.toml push
	$(BIN)/followup-sync --data-dir $(DEMO_DIR) --config examples/config.toml plan

bench: $(STAMP) tests/js/node_modules/.package-lock.json
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) tests/js/node_modules
