# The single entry point: `make run` runs the main job, `make test` passes the tests.
# Both set up everything they need on a fresh machine (a virtual environment in .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Real UN documents used by the tests and as an offline mirror (read in place, never copied).
CORPUS ?= $(or $(RESDIFF_CORPUS),$(abspath $(CURDIR)/../shared/corpus))
export RESDIFF_CORPUS := $(CORPUS)

.PHONY: install browser test run lint typecheck imports bench check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Debian's headless Chromium for the browser tests (Playwright drives it; its own download
# does not work offline). Installed only when missing, and only where we may install.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium is not installed: browser tests will be skipped"; fi; }

test: install browser
	$(BIN)/pytest -q

run: install
	RESDIFF_MIRRORS=$(CORPUS) $(BIN)/resdiff series A/RES/72/194 A/RES/74/175 A/RES/78/226 --out outputs

lint: install
	$(BIN)/ruff check pipeline tests benchmarks

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports

bench: install
	$(BIN)/python benchmarks/run_all.py

check: lint typecheck imports test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
