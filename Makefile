# Atelier: `make run` starts the app with demo data, `make test` runs the tests.
# Needs only Python 3.11 (with venv) and make; everything else is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test venv db demo bench clean browser soak

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

db: venv
	$(PY) manage.py init-db

demo: db
	$(PY) manage.py seed-demo --if-empty

run: demo
	ATELIER_DEMO=1 $(VENV)/bin/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here); PDF booklets
# want DejaVu. Installed with apt when missing and we may (root on Debian); otherwise the browser
# tests say what is missing. (.ci/run also installs nginx-light for the test of deploy/nginx.conf;
# not done here, since Debian's package starts a server on port 80.)
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi dejavu; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "note: install Debian's chromium and fonts-dejavu-core to run the browser tests"; fi; \
	fi

test: venv browser
	$(PY) -m pytest

# 30 minutes of a 40-participant room: server memory, writes found, errors (bench/README.md)
soak: venv
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) .pytest_cache
