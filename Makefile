# Ronghe: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 2026

.PHONY: run setup test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed
	RONGHE_DEMO=1 $(BIN)/python manage.py migrate --noinput
	RONGHE_DEMO=1 $(BIN)/python manage.py load_questionnaire
	RONGHE_DEMO=1 $(BIN)/python manage.py seed_demo --seed $(SEED)

# The background worker (manage.py db_worker: the whole-round PDF and other long jobs) runs
# beside the dev server in the same command, and stops with it (Ctrl+C, or runserver exits).
# At a lower priority (nice 10): drawing charts ahead (reports/warming.py) must yield the CPU
# to the pages secretaries are waiting for.
run: setup
	@echo ""
	@echo "融合 Ronghe 已启动： http://$(HOST):$(PORT)/ （后台任务进程一并启动，Ctrl+C 同时停止）"
	@RONGHE_DEMO=1 DJANGO_DEBUG=1 nice -n 10 $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	RONGHE_DEMO=1 DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var/*.sqlite3*
