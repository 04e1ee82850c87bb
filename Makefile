# Atelier: `make run` starts the app with demo data, `make test` runs the tests.
# Needs only Python 3.11 (with venv) and make; everything else is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test venv db demo bench clean

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

test: venv
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache
