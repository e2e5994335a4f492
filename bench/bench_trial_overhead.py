"""Per-trial overhead of the search engine against a bare loop over the same backend.

Runs the same trials (same points, same seeds) twice, interleaved: once through
``run_search`` (``--parallel 1``: searcher ask/tell, bind, reporter, progress
line, results file rewritten atomically twice per trial) and once as a bare
loop that calls ``backend.train`` on pre-bound models. The model is trivial so
the framework's share dominates. Prints milliseconds per trial and the ratio;
target: overhead under 5 ms per trial.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_trial_overhead.py [--trials 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from neural.backends.base import NullReporter
from neural.program import compile_source
from neural.search.base import SearchSettings
from neural.search.driver import HpoOptions, run_search
from neural.search.random_search import RandomSearcher
from neural.search.seeds import trial_seed
from neural.training import prepare_model_data

TRIVIAL = """\
network Trivial {
  input: (4,)
  layers:
    Dense(HPO(choice(2, 3, 4)), activation="relu")
    Output(2, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 32 validation_split: 0.5 dataset: "synthetic:32,2" }
}
"""


def bare_loop(program, backend, data, trials: int, seed: int) -> float:  # type: ignore[no-untyped-def]
    """Train the searcher's points directly; return seconds (binding done beforehand, untimed)."""
    searcher = RandomSearcher(program.space, SearchSettings(method="random", seed=seed, n_trials=trials))
    models = [(n, program.space.bind(searcher.point_for(n))) for n in range(trials)]
    started = time.perf_counter()
    for number, model in models:
        result = backend.train(model, data, reporter=NullReporter(), seed=trial_seed(seed, number))
        del result
    return time.perf_counter() - started


def framework(program, backend, trials: int, seed: int) -> float:  # type: ignore[no-untyped-def]
    """Run the same trials through ``run_search``; return seconds for the whole search."""
    with tempfile.TemporaryDirectory() as folder:
        console = Console(file=io.StringIO(), width=120)
        options = HpoOptions(trials=trials, seed=seed, searcher="random", out_dir=Path(folder))
        started = time.perf_counter()
        run_search(program, backend=backend, options=options, console=console)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from neural.plugins.manager import get_backend

    backend = get_backend("pytorch")
    program = compile_source(TRIVIAL, "trivial.neural")
    data = prepare_model_data(program.nominal_model(), None, seed=0)
    bare_loop(program, backend, data, 5, seed=0)  # warm up: import torch, first-call costs
    bare_times, framework_times = [], []
    for repeat in range(args.repeats):
        bare_times.append(bare_loop(program, backend, data, args.trials, seed=repeat))
        framework_times.append(framework(program, backend, args.trials, seed=repeat))
    bare_ms = statistics.median(bare_times) / args.trials * 1000
    framework_ms = statistics.median(framework_times) / args.trials * 1000
    overhead = framework_ms - bare_ms
    print(f"trials per run:          {args.trials} (median of {args.repeats} interleaved runs)")
    print(f"bare backend loop:       {bare_ms:7.2f} ms/trial")
    print(f"through the search:      {framework_ms:7.2f} ms/trial")
    print(f"framework overhead:      {overhead:7.2f} ms/trial  (target < 5 ms)")
    print(f"ratio search/bare:       {framework_ms / bare_ms:7.3f}")
    print("PASS" if overhead < 5.0 else "FAIL")


if __name__ == "__main__":
    main()
