# The two commands of the README: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := .demo/vault

.PHONY: run test setup demo demo-reset bench bench-big bench-tui kill-test soak lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "obm needs Python 3.11 or newer"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

## make run: open the app on a demo copy of the sample vault (its own git repository).
run: $(STAMP)
	@test -d $(DEMO)/.git || $(BIN)/obm demo $(DEMO)
	$(BIN)/obm --vault $(DEMO)

demo-reset: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/obm demo $(DEMO)

## make test: the whole suite (fast; long suites have targets of their own).
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not soak"
	$(BIN)/ruff check obm_tui tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## make bench: the performance benchmarks (1k and 10k; bench-big adds 100k).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes 1000,10000

bench-big: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes 1000,10000,100000

## make bench-tui: the app's first frames, filtering, opening, external edits, through Pilot (100k).
bench-tui: $(STAMP)
	$(BIN)/python -m benchmarks.tui_bench --records 100000

## make soak: the reliability soak suite (docs/reliability.md): kills, races, clones, trapped vaults.
soak: $(STAMP)
	$(BIN)/python -m pytest -m soak

## make kill-test: SIGKILL saving processes many times (slow).
kill-test: $(STAMP)
	$(BIN)/python -m pytest -m slow tests/integration/test_kill.py

clean:
	rm -rf $(VENV) .demo benchmarks/.vaults
