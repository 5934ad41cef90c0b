# The two commands of the README:
#   make run   — set up everything and run the main job on the built-in data
#   make test  — set up everything and run the linter, the type checker and the whole test suite
# Both work on a fresh machine: they install the Debian packages the project needs (when run as
# root with apt), create .venv and install hkfactor into it.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out

.PHONY: run test setup system-deps lint typecheck pytest bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[all,dev]"
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

setup: system-deps $(BIN)/.installed

run: setup
	$(BIN)/hkfactor evaluate --out $(OUT)/evaluate
	$(BIN)/hkfactor audit --out $(OUT)/audit
	$(BIN)/hkfactor panel datapackage --out $(OUT)/datapackage

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy src/hkfactor

pytest: $(BIN)/.installed
	$(BIN)/python -m pytest -q

test: setup lint typecheck pytest

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
