# The two commands of the README: `make run` and `make test`. Everything else is optional.
# What is installed is decided by requirements-dev.lock (hashes; `make lock` re-resolves it).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements-dev.lock
LOCK_INPUTS := pyproject.toml requirements-tools.in
DEMO := .demo/vault
PYTEST_FAST := -m "not slow and not soak"

.PHONY: run test setup demo-reset lock test-latest test-floor bench bench-big bench-tui bench-gitpython bench-rules \
	bench-finance kill-test soak clean test-interop

# A changed lock or pyproject makes a new venv, so what is installed is exactly the lock: every
# package pinned and hash-checked, obm itself built by the locked hatchling (no build isolation).
$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "obm needs Python 3.11 or newer")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
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
	$(BIN)/python -m pytest $(PYTEST_FAST)
	$(BIN)/ruff check obm_tui tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test-interop: the exports read by hledger (installed from the OS packages when missing and run as root).
test-interop: $(STAMP)
	@command -v hledger >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y hledger; } || \
		echo "hledger is not installed (apt-get install hledger as root); its tests are skipped"
	$(BIN)/python -m pytest -m hledger -rs tests/integration/test_books_tools.py

## make lock: re-resolve the lock to the newest versions pyproject.toml allows (a deliberate upgrade).
lock: $(STAMP)
	$(BIN)/uv pip compile $(LOCK_INPUTS) --extra dev --universal --python-version 3.11 --generate-hashes \
		--upgrade --quiet --custom-compile-command "make lock" -o $(LOCK)
	@echo "$(LOCK) re-resolved; review 'git diff $(LOCK)', then make test"

## make test-latest: the suite on the newest allowed versions, the lock untouched (the early warning).
test-latest: $(STAMP)
	rm -rf .venv-latest
	$(BIN)/uv venv --quiet --seed --python $(PYTHON) .venv-latest
	$(BIN)/uv pip install --quiet --python .venv-latest/bin/python --upgrade -e '.[dev]' -r requirements-tools.in
	$(BIN)/python scripts/versions_vs_lock.py .venv-latest/bin/python $(LOCK)
	.venv-latest/bin/python -m pytest $(PYTEST_FAST) -p no:cacheprovider

## make test-floor: the suite on the lowest versions pyproject.toml allows (are the floors true?).
test-floor: $(STAMP)
	rm -rf .venv-floor
	$(BIN)/uv venv --quiet --seed --python $(PYTHON) .venv-floor
	$(BIN)/uv pip install --quiet --python .venv-floor/bin/python --resolution lowest-direct -e '.[dev]' -r requirements-tools.in
	$(BIN)/python scripts/versions_vs_lock.py .venv-floor/bin/python $(LOCK)
	.venv-floor/bin/python -m pytest $(PYTEST_FAST) -p no:cacheprovider

## make bench: the performance benchmarks (1k and 10k; bench-big adds 100k).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes 1000,10000
	$(BIN)/python -m benchmarks.finance_bench --records 10000

bench-big: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes 1000,10000,100000

## make bench-rules: the rule pass after a change, against the change (10k records).
bench-rules: $(STAMP)
	$(BIN)/python -m benchmarks.rules_bench --records 10000

## make bench-finance: the finance report and the Finance screen against bare references (100k).
bench-finance: $(STAMP)
	$(BIN)/python -m benchmarks.finance_bench --records 100000

## make bench-tui: the app's first frames, filtering, opening, external edits, through Pilot (100k).
bench-tui: $(STAMP)
	$(BIN)/python -m benchmarks.tui_bench --records 100000

## make bench-gitpython: GitPython against obm's git layer (the measurement behind architecture.md).
bench-gitpython: $(STAMP)
	$(BIN)/python -m benchmarks.gitpython_bench --commits 2000

## make soak: the reliability soak suite (docs/reliability.md): kills, races, clones, trapped vaults.
soak: $(STAMP)
	$(BIN)/python -m pytest -m soak

## make kill-test: SIGKILL saving processes many times (slow).
kill-test: $(STAMP)
	$(BIN)/python -m pytest -m slow tests/integration/test_kill.py

clean:
	rm -rf $(VENV) .venv-latest .venv-floor .demo benchmarks/.vaults
