#!/usr/bin/env bash
# Sets up everything the tests need, then runs lint, types and the whole test suite:
# both configurations (embedded default; PostgreSQL + Redis), real servers, real browser.
# `--fast` is the inner loop: lint, types and the tests that need no server and no browser.
set -euo pipefail
cd "$(dirname "$0")/.."

FAST=0
if [ "${1:-}" = "--fast" ]; then FAST=1; shift; fi

bash scripts/setup.sh --dev
[ "$FAST" = 1 ] || bash scripts/services.sh

export TEST_PG_ADMIN_URL="${TEST_PG_ADMIN_URL:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}"
export DO_NOT_TRACK=1 HF_HUB_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy .
echo "== pytest"
status=0
# Two processes: most tests wait on real servers and workers. loadfile keeps a module's
# expensive fixtures (a built course) in one process.
lane=()
[ "$FAST" = 1 ] && lane=(-m "not servers")
.venv/bin/python -m pytest -n "${TEST_PROCESSES:-2}" --dist loadfile -p no:cacheprovider \
    --durations=15 "${lane[@]}" "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "no tests were collected" >&2
    exit 1
fi
exit "$status"
