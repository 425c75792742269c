# Two commands do all set-up on a machine that has only Python 3.11:
#   make serve  -> venv, migrate ./lac.db, seed demo data, GraphiQL on http://127.0.0.1:8000/graphql
#   make test   -> ruff, mypy --strict, pytest (SQLite; PostgreSQL when LAC_TEST_DATABASE_URL is set)
#   make fuzz   -> the fuzz test with 10,000 generated operations instead of 2,000
#   make screenshots -> the browser test, saving docs/screenshots/ (the README shows them)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve test lint typecheck pytest fuzz screenshots schema clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

serve: $(INSTALLED)
	$(BIN)/lac db upgrade
	$(BIN)/lac demo seed
	$(BIN)/lac serve

test: lint typecheck pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

pytest: $(INSTALLED)
	$(BIN)/pytest

fuzz: $(INSTALLED)
	LAC_FUZZ_CASES=10000 $(BIN)/pytest tests/test_fuzz.py

screenshots: $(INSTALLED)
	LAC_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/test_browser.py

schema: $(INSTALLED)
	$(BIN)/lac schema export

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis lac.db lac.db-wal lac.db-shm
