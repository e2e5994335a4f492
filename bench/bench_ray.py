"""Trials through Ray (``--executor ray``) against local ``--parallel 2``: throughput and per-trial overhead.

Runs the same search twice in one process: the seed's basic example (the CNN)
on the ``digits`` data, 8 random trials of 1 epoch, once with 2 local worker
processes and once through a private Ray instance on this machine (2 actors of
1 CPU each, so both run 2 trials at once with 1 thread per trial). Checks that
both found the same trials with the same values, then prints:

- throughput: trials per second of the trial phase (first trial started to
  last finished, from the results file), Ray over local as a ratio;
- per-trial overhead: for each trial, the time the search process saw it
  take (submit to report) minus its training time inside the worker; the
  median of each run, and what Ray adds (target < 50 ms);
- each trial's training time (median), the same work both ways: a gap there
  is other load on the machine, not the executor;
- the whole command's wall time, start-up (workers, Ray) included.

    .venv/bin/python bench/bench_ray.py [--trials 8] [--epochs 1] [--data digits]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from neural.program import load_program
from neural.search.driver import HpoOptions, run_search
from neural.search.results import load_results

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "basic_hpo.neural"


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def timed_search(executor: str, trials: int, epochs: int, data: str) -> dict[str, Any]:
    """Run the search through ``executor``; return its wall time, trial phase and per-trial overheads."""
    from neural.plugins.manager import get_backend

    program = load_program(EXAMPLE)
    with tempfile.TemporaryDirectory() as folder:
        options = HpoOptions(
            trials=trials,
            parallel=2,
            seed=0,
            searcher="random",
            data=data,
            epochs=epochs,
            out_dir=Path(folder),
            executor=executor,
        )
        started = time.perf_counter()
        run_search(program, backend=get_backend("pytorch"), options=options, console=Console(file=io.StringIO()))
        wall = time.perf_counter() - started
        found = load_results(Path(folder) / "hpo_results.json")["trials"]
    assert all(t["state"] == "complete" for t in found), [t["error"] for t in found]
    begin = min(_seconds(t["started"]) for t in found)
    end = max(_seconds(t["finished"]) for t in found)
    overheads = [_seconds(t["finished"]) - _seconds(t["started"]) - float(t["duration"]) for t in found]
    return {
        "wall": wall,
        "phase": end - begin,
        "overhead": statistics.median(overheads),
        "training": statistics.median(float(t["duration"]) for t in found),
        "points": [(t["number"], t["params"], t["value"]) for t in sorted(found, key=lambda t: t["number"])],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--data", default="digits")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from neural.search.workers import available_cores

    local = timed_search("local", args.trials, args.epochs, args.data)
    ray = timed_search("ray", args.trials, args.epochs, args.data)
    for (n1, p1, v1), (n2, p2, v2) in zip(local["points"], ray["points"], strict=True):
        assert (n1, p1) == (n2, p2), "both runs must evaluate the same trials"
        assert abs(v1 - v2) <= 1e-5 * max(1.0, abs(v1)), f"trial {n1}: {v1} locally, {v2} on Ray"
    print(f"cores available:        {available_cores()}")
    print(f"trials:                 {args.trials} x {args.epochs} epoch(s), basic example on {args.data}, 2 at once")
    print(f"local --parallel 2:     {args.trials / local['phase']:6.2f} trials/s  (trial phase {local['phase']:5.1f} s, "
          f"command {local['wall']:5.1f} s)")
    print(f"--executor ray:         {args.trials / ray['phase']:6.2f} trials/s  (trial phase {ray['phase']:5.1f} s, "
          f"command {ray['wall']:5.1f} s, Ray start-up included)")
    print(f"training per trial:     local {local['training']:5.2f} s, Ray {ray['training']:5.2f} s (median; the same "
          "work, so a gap here is the machine's load)")
    print(f"throughput ratio:       {local['phase'] / ray['phase']:6.2f}x  (Ray / local)")
    print(f"per-trial overhead:     local {local['overhead'] * 1000:6.1f} ms, Ray {ray['overhead'] * 1000:6.1f} ms (median)")
    added = (ray["overhead"] - local["overhead"]) * 1000
    print(f"overhead Ray adds:      {added:6.1f} ms per trial  (target < 50 ms)")


if __name__ == "__main__":
    main()
