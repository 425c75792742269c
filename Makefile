# Two commands do all set-up on a machine that has only Python 3.11:
#   make serve  -> venv, migrate ./lac.db, seed demo data, GraphiQL on http://127.0.0.1:8000/graphql
#                  (make serve PORT=8080 HOST=0.0.0.0; or LAC_PORT / LAC_HOST in the environment)
#   make test   -> ruff, mypy --strict, pytest (SQLite; PostgreSQL when LAC_TEST_DATABASE_URL is set)
#   make fuzz   -> the fuzz test with 10,000 generated operations instead of 2,000
#   make bench  -> lac against hand-written floors on real servers (SQLite, PostgreSQL; ~10 min)
#                  BENCH_ARGS=--log-10m adds the 10M-entry log; see docs/performance.md
#   make screenshots -> the browser test, saving docs/screenshots/ (the README shows them)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve test lint typecheck pytest fuzz screenshots schema bench constraints clean

# every install is pinned by constraints.txt (the versions the suite last passed with)
$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(INSTALLED)

serve: $(INSTALLED)
	$(BIN)/lac db upgrade
	$(BIN)/lac demo seed
	$(BIN)/lac serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

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

bench: $(INSTALLED)
	$(BIN)/python -m bench $(BENCH_ARGS)

screenshots: $(INSTALLED)
	LAC_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/test_browser.py

schema: $(INSTALLED)
	$(BIN)/lac schema export

# after changing pyproject.toml's dependencies: install them, then pin what is installed
constraints:
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.tmp
	mv constraints.tmp constraints.txt

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis lac.db lac.db-wal lac.db-shm
