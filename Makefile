# Two commands do everything on a fresh machine: `make report` and `make test`.
# No conda here: a venv, with uv (installed from PyPI into the venv) doing the installs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
JOBS ?= 2
CHROMIUM ?= /usr/bin/chromium
NPM ?= npm
ASSETS := node_modules/.package-lock.json
PLOTLY_BUNDLE := node_modules/.quyhoach/plotly-custom.min.js
PLOTLY_SOURCES := $(wildcard src/analysis/assets/plotly-bundle/*)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help env report sample test test-fast lab validate bench browser assets plotlyjs clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install -q uv
	$(UV) pip install -q --python $(PY) -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

env: $(STAMP) ## create the venv and install the package (lean: no jupyterlab)

report: $(STAMP) assets ## build every sample report into reports/
	$(PY) -m analysis build --jobs $(JOBS)

sample: $(STAMP) ## regenerate the synthetic sample datasets in data/sample/
	$(PY) -m analysis sample --out data/sample

validate: $(STAMP) ## validate every sample dataset
	@for d in data/sample/*/ data/sample/*.xlsx; do $(PY) -m analysis validate "$$d" || exit 1; done

browser: ## install Debian's Chromium (PDF, PNG, browser tests) and pdftotext (needs root or sudo)
	@test -x $(CHROMIUM) && command -v pdftotext >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils; }

assets: $(ASSETS) plotlyjs ## install the report scripts (reveal.js, require.js, jQuery, plotly.js) from npm into node_modules/

# package-lock.json pins them; the build copies them next to the reports (never a CDN)
$(ASSETS): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	@touch $@

plotlyjs: $(PLOTLY_BUNDLE) ## build a plotly.js of only the chart types the reports draw (esbuild)

# same plotly.js as plotly.py's (package.json pins it); without it reports fall back to plotly.py's
$(PLOTLY_BUNDLE): $(ASSETS) $(PLOTLY_SOURCES)
	$(NPM) run --silent build:plotly

test: $(STAMP) browser assets ## run the whole test suite, browser tests included
	$(PY) -m pytest -n $(JOBS) --dist loadgroup -q

test-fast: $(STAMP) ## unit tests only (no papermill builds, no browser)
	$(PY) -m pytest -q -m "not slow and not browser"

lab: $(STAMP) ## open JupyterLab on the notebooks (installs the lab extra)
	$(UV) pip install -q --python $(PY) -e '.[lab,test]'
	$(PY) -m jupyter lab notebooks/

bench: $(STAMP) ## run the benchmarks and write benchmarks/RESULTS.md
	$(PY) benchmarks/run.py

clean: ## remove built reports and the venv
	rm -rf reports/*/ reports/index.html $(VENV) test-artifacts
