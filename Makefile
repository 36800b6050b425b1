# Quick start: `make demo` screens the bundled example cases; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test lint typecheck pytest docs bench schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/thbscreen refer examples/cases/adult/*.yaml examples/cases/child/*.yaml --from labour_inspectorate
	$(BIN)/thbscreen test rules/

test: $(STAMP_TEST)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy --strict src/thbscreen tests/typing
	$(BIN)/python -m pytest

docs: $(STAMP_TEST)
	$(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP_TEST)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_referral.py
	$(BIN)/python benchmarks/bench_columnar.py

schema: $(STAMP_RUN)
	$(BIN)/thbscreen schema --out rules/schema/ruleset.schema.json
	$(BIN)/thbscreen schema --kind case --out rules/schema/case.schema.json
	$(BIN)/thbscreen schema --kind network --out rules/schema/network.schema.json
	$(BIN)/thbscreen schema --kind audit --out rules/schema/audit-record.schema.json
	$(BIN)/thbscreen exercise schema --out rules/schema/exercise.schema.json
	$(BIN)/thbscreen exercise schema --kind answers --out rules/schema/answers.schema.json

clean:
	rm -rf $(VENV) site build dist .pytest_cache .mypy_cache .ruff_cache
