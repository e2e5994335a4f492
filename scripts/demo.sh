#!/usr/bin/env bash
# Set up (scripts/setup.sh), then the main job: check the seed guide's advanced example and run
# its Bayesian hyperparameter search on the embedded mnist5k digits (a few trials of a few
# epochs, a few minutes on two cores), then train and save the best configuration, and write
# the search's interactive report (demo-out/report.html).
# Everything is written into demo-out/ (started afresh each time: --force).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
neural="$root/.venv/bin/neural"
"$neural" check examples/advanced_hpo.neural --trials "${DEMO_TRIALS:-12}"
"$neural" run examples/advanced_hpo.neural --backend pytorch --hpo \
  --trials "${DEMO_TRIALS:-12}" --epochs "${DEMO_EPOCHS:-2}" --parallel 2 --out demo-out --force
"$neural" visualize demo-out/hpo_results.json --format html -o demo-out/report.html
echo "the search's report: $root/demo-out/report.html (open it in a browser)"
