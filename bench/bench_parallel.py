"""``--parallel 2`` against ``--parallel 1``: wall time of the same 8-trial search.

Runs the seed's basic example (the CNN) on the ``digits`` data for 8 random
trials of 2 epochs each, once in-process (``--parallel 1``, the framework's
default threads) and once with 2 worker processes (threads split between them),
interleaved over ``--repeats`` rounds; each run includes everything a user
waits for (worker start-up, importing the framework, data hand-over). Checks
that both runs found the same trials, prints the median times and the
speed-up; target ≥ 1.6× on 2 cores.

    .venv/bin/python bench/bench_parallel.py [--trials 8] [--epochs 2] [--repeats 1]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from neural.program import load_program
from neural.search.driver import HpoOptions, run_search
from neural.search.results import load_results

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "basic_hpo.neural"


def timed_search(parallel: int, trials: int, epochs: int) -> tuple[float, list[tuple[int, object]]]:
    """Run the search with ``parallel`` workers; return seconds and (number, value) of each trial."""
    from neural.plugins.manager import get_backend

    program = load_program(EXAMPLE)
    with tempfile.TemporaryDirectory() as folder:
        options = HpoOptions(
            trials=trials,
            parallel=parallel,
            seed=0,
            searcher="random",
            data="digits",
            epochs=epochs,
            out_dir=Path(folder),
        )
        started = time.perf_counter()
        run_search(
            program, backend=get_backend("pytorch"), options=options, console=Console(file=io.StringIO())
        )
        seconds = time.perf_counter() - started
        trials_found = [
            (t["number"], t["params"]) for t in load_results(Path(folder) / "hpo_results.json")["trials"]
        ]
    return seconds, trials_found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    from neural.search.workers import available_cores

    sequential, parallel = [], []
    for _ in range(args.repeats):
        seconds_one, trials_one = timed_search(1, args.trials, args.epochs)
        seconds_two, trials_two = timed_search(2, args.trials, args.epochs)
        assert trials_one == trials_two, "both runs must evaluate the same trials"
        sequential.append(seconds_one)
        parallel.append(seconds_two)
    one, two = statistics.median(sequential), statistics.median(parallel)
    print(f"cores available:   {available_cores()}")
    print(f"trials:            {args.trials} x {args.epochs} epoch(s), basic example on digits")
    print(f"--parallel 1:      {one:6.1f} s")
    print(f"--parallel 2:      {two:6.1f} s")
    print(f"speed-up:          {one / two:6.2f}x  (target >= 1.6x on 2 cores)")


if __name__ == "__main__":
    main()
