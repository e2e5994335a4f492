#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every test: each package's suite in its own
# process (torch and tensorflow never share one), then the cross-package tests.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh || exit 1
py="$root/.venv/bin/python"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
status=0
suites=(packages/neural-core/tests packages/neural-backend-torch/tests
        packages/neural-search-optuna/tests packages/neural-search-hyperopt/tests
        packages/neural-viz/tests tests)
for suite in "${suites[@]}"; do
  if ls "$suite"/test_*.py >/dev/null 2>&1; then
    echo "=== $suite"
    "$py" -m pytest -q -p no:cacheprovider "$suite" "$@" || status=1
  fi
done
if [ "$status" -ne 0 ]; then echo "some test suites failed"; fi
exit "$status"
