#!/usr/bin/env bash
# The whole check: lint, format, types, then every test, on SQLite and on PostgreSQL.
# Extra arguments go to pytest (`-n 0` runs the tests in this one process).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruff check src packages tests benchmarks examples
.venv/bin/ruff format --check src packages tests benchmarks examples
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
if [ -z "${TOUCHBASE_TEST_POSTGRES_URL:-}" ]; then
  if url=$(./scripts/postgres.sh); then
    export TOUCHBASE_TEST_POSTGRES_URL="$url"
  elif [ "${CI:-}" = true ]; then
    echo "CI needs PostgreSQL and it could not be started" >&2
    exit 1
  else
    echo "warning: PostgreSQL unavailable; database tests run on SQLite only" >&2
  fi
fi
if [ -z "${TOUCHBASE_TEST_CHROMIUM:-}" ]; then
  if path=$(./scripts/chromium.sh); then
    export TOUCHBASE_TEST_CHROMIUM="$path"
  elif [ "${CI:-}" = true ]; then
    echo "CI needs Chromium for the browser tests and it could not be installed" >&2
    exit 1
  else
    echo "warning: Chromium unavailable; browser tests are skipped" >&2
  fi
fi
# Two pytest-xdist workers (one on a one-core machine): every test starts its own servers on
# free ports and its own database, so they share nothing but PostgreSQL's server. The tests
# that bound how long other requests wait (`timing`) then run alone: beside another worker
# they would measure the machine. Exit status 5 is "no test selected" (say, by -k).
run() { .venv/bin/pytest "$@" || [ $? -eq 5 ]; }
run -n auto --maxprocesses 2 -m "not timing" "$@"
run -m timing "$@"
