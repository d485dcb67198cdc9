# cxscale: one place that sets everything up. `make demo` runs the main job; `make test` installs and runs all tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.PHONY: demo test test-fast lint bench install system-deps clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cxscale needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: Java 17 for Spark in local mode, PostgreSQL server binaries (the tests start their
# own throwaway cluster), Chromium for rendering the HTML reports in a real browser, Pango for WeasyPrint's PDFs and
# poppler's pdftoppm for turning PDF pages into images in the tests.
APT_NEEDED = $(shell command -v java >/dev/null 2>&1 || echo openjdk-17-jre-headless) \
             $(shell ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || echo postgresql) \
             $(shell command -v chromium >/dev/null 2>&1 || echo chromium) \
             $(shell ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || echo libpango-1.0-0 libpangoft2-1.0-0) \
             $(shell command -v pdftoppm >/dev/null 2>&1 || echo poppler-utils)
system-deps:
	@if [ -n "$(strip $(APT_NEEDED))" ]; then \
	  echo "installing Debian packages: $(strip $(APT_NEEDED))"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_NEEDED) >/dev/null; \
	fi

demo: $(STAMP)
	$(BIN)/cxscale demo --out $(OUT)/demo

lint: $(STAMP)
	$(BIN)/ruff check cxscale tests bench
	$(BIN)/mypy cxscale
	$(BIN)/lint-imports --no-cache

# worksteal: the workers share the tests one by one, a worker that runs out taking half of the other's remaining ones;
# by whole files (loadfile) one 2-core machine took 17 min 55 s, with worksteal 14 min 07 s and 12 min 29 s
# (bench/README.md, seventh sitting).
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -n 2 --dist worksteal -q

# Everything but the slow simulations and Spark, for a quick local loop.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not spark"

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .mypy_cache spark-warehouse
