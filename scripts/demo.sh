#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the main job on the seed's advanced example.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
"$root/.venv/bin/neural" check examples/advanced_hpo.neural
