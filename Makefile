# circlebot — `make demo` and `make test` work on a fresh clone with only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test run bench bench-postgres migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## play the scripted community against the built-in Telegram simulator
	$(VENV)/bin/circlebot demo

test: $(STAMP)  ## run the whole test suite (in two processes)
	$(PY) -m pytest -n 2

run: $(STAMP)  ## run the bot for real (needs TELEGRAM_BOT_TOKEN)
	$(VENV)/bin/circlebot run

migrate: $(STAMP)  ## bring the database schema up to date
	$(VENV)/bin/circlebot migrate

bench: $(STAMP)  ## print throughput, latency and service-call figures (SQLite; every script, within 5 minutes)
	$(PY) bench/all.py --budget 300

bench-postgres: $(STAMP)  ## the PostgreSQL figures (server: CIRCLEBOT_BENCH_POSTGRES_URL, default the local one)
	$(PY) bench/leaderboard.py --db postgres
	$(PY) bench/updates.py --db postgres

clean:
	rm -rf $(VENV) build *.egg-info
