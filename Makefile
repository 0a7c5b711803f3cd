# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM_PLUGIN_PATH :=

.PHONY: run test browser install lint dist dist-check dist-bench bench bench-server screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dist]'
	touch $(STAMP)

install: $(STAMP)

# Demo mode: card readers and payment links run against the built-in Stripe test double.
# First, the system libraries Qt's window plugin lacks: installed (root/sudo) or the apt line.
run: export STRIPE_API_BASE ?= local-double
run: $(STAMP)
	$(BIN)/python -m desktop.qt_libs
	$(BIN)/rft db upgrade
	$(BIN)/rft demo
	$(BIN)/rft desk

# The website's browser tests need Debian's chromium and chromium-driver: installed here when
# missing and we are root (otherwise those tests skip, or fail in CI).
browser:
	@command -v chromedriver >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || \
		echo "make: could not install chromium; the website's browser tests will skip" >&2

test: $(STAMP) browser
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 --dist loadgroup --max-worker-restart=0 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check core server desktop tests bench
	$(BIN)/mypy core server desktop
	$(BIN)/mypy tests  # the relaxed profile in pyproject.toml

DIST_EXE := build/dist/rft/rft
DIST_INPUTS := pyproject.toml $(wildcard build/*.spec build/*.py) \
	$(shell find core desktop server resources -type f -not -path '*/__pycache__/*')

dist: $(DIST_EXE)

$(DIST_EXE): $(STAMP) $(DIST_INPUTS)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath build/dist --workpath build/work \
		build/rft.spec
	touch $@

dist-check: $(DIST_EXE)
	build/dist_check.sh

dist-bench: $(STAMP)
	$(BIN)/python bench/startup_bench.py

# Reports over 100,000 bookings and the 10,000-session list, each against a baseline.
bench: $(STAMP)
	$(BIN)/python bench/reports_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/session_list_bench.py
	$(BIN)/python bench/website_visitors_bench.py

# The sync server's hot path against raw-SQL, bare-websockets and one-query baselines, on a
# scratch PostgreSQL database at 127.0.0.1:5432 (BENCH_ARGS=--quick for a small run).
bench-server: $(STAMP)
	$(BIN)/python bench/server_bench.py $(BENCH_ARGS)

# Every main view and wizard step into docs/screenshots/ (QT_SCALE_FACTOR=2 for @2x ones).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/rft desk --screenshots docs/screenshots

clean:
	rm -rf $(VENV) build/dist build/work .pytest_cache
