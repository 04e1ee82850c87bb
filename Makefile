# Atelier: `make run` starts the app with demo data, `make test` runs the tests.
# Needs only Python 3.11 (with venv) and make; everything else is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
TOOLS := $(VENV)/tools
HOST ?= 127.0.0.1
PORT ?= 8501
# Every package pinned with its hashes (pip-tools): nothing unpinned or unchecked gets in.
PIP_INSTALL := $(PY) -m pip install --quiet --require-hashes

.PHONY: run test venv test-deps lint lock db demo bench clean browser soak check

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The runtime packages (requirements.txt), as in production.
$(STAMP): requirements.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements.txt
	touch $(STAMP)

# Plus the test and lint tools (requirements-test.txt); never installed by `make run` or the image.
$(TEST_STAMP): requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements.txt -r requirements-test.txt
	touch $(STAMP) $(TEST_STAMP)

venv: $(STAMP)

test-deps: $(TEST_STAMP)

db: venv
	$(PY) manage.py init-db

demo: db
	$(PY) manage.py seed-demo --if-empty

run: demo
	ATELIER_DEMO=1 $(VENV)/bin/streamlit run serve.py --server.address $(HOST) --server.port $(PORT)

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here); PDF booklets
# want DejaVu, and Symbola for emoji and symbols. Installed with apt when missing and we may (root on Debian); otherwise the browser
# tests say what is missing. (.ci/run also installs nginx-light for the test of deploy/nginx.conf;
# not done here, since Debian's package starts a server on port 80.)
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi dejavu \
	    || ! fc-list 2>/dev/null | grep -qi symbola; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-symbola >/dev/null; \
	  else echo "note: install Debian's chromium, fonts-dejavu-core and fonts-symbola to run the browser tests"; fi; \
	fi
	@# axe-core (accessibility checks in the browser tests), pinned in package.json / package-lock.json
	@if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	  else echo "note: install Node.js (npm) for the accessibility checks of the browser tests"; fi; \
	fi

test: test-deps browser
	$(PY) -m pytest

# ruff (rules in pyproject.toml) and mypy on core/ and storage/
lint: test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy core storage

# Database reachable, schema at head, cookie key set (the deployments' health check)
check: venv
	$(PY) manage.py check

# Recompile requirements.txt and requirements-test.txt from pyproject.toml and requirements-test.in
# with pip-tools, kept in a venv of its own (a tool, never installed with the app). Existing pins are
# kept; `make lock UPGRADE=1` moves everything to the newest versions the ranges allow.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(TOOLS)/bin/pip-compile --quiet --generate-hashes \
	--strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock:
	test -x $(TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet pip-tools==7.6.2; }
	$(PIP_COMPILE) --output-file requirements.txt pyproject.toml
	$(PIP_COMPILE) --output-file requirements-test.txt requirements-test.in

# 30 minutes of a 40-participant room: server memory, writes found, errors (bench/README.md)
soak: test-deps
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) .pytest_cache
