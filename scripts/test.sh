#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every test: each package's suite in its own
# process (torch and tensorflow never share one), then the cross-package tests.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh || exit 1
py="$root/.venv/bin/python"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# The shared-study tests run against a real PostgreSQL server on loopback.
if [ -z "${NEURAL_TEST_POSTGRES_URL:-}" ]; then
  if NEURAL_TEST_POSTGRES_URL="$(bash scripts/postgres.sh)"; then
    export NEURAL_TEST_POSTGRES_URL
    trap 'bash scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
  else
    echo "could not start PostgreSQL (scripts/postgres.sh); its tests cannot run" >&2
    exit 1
  fi
fi
status=0
echo "=== static checks: ruff, mypy"
"$root/.venv/bin/ruff" check . || status=1
"$root/.venv/bin/mypy" || status=1
suites=(packages/neural-core/tests packages/neural-backend-torch/tests
        packages/neural-backend-tf/tests
        packages/neural-search-optuna/tests packages/neural-search-hyperopt/tests
        packages/neural-viz/tests packages/neural-executor-ray/tests tests)
for suite in "${suites[@]}"; do
  if ls "$suite"/test_*.py >/dev/null 2>&1; then
    echo "=== $suite"
    "$py" -m pytest -q "$suite" "$@" || status=1
  fi
done
if [ "$status" -ne 0 ]; then echo "some test suites failed"; fi
exit "$status"
