"""Per-trial cost of the hyperopt plugin against hyperopt's own ``fmin`` loop, 500 trials in.

Both loops run on the same hyperopt space (the one the plugin builds for the
seed's advanced example), with the same suggest function and the same
synthetic objective (``bench_sample_efficiency.synthetic_validation_loss``),
each starting from a history of ``--past`` finished trials:

- the plugin: ``HyperoptSearcher.restore`` with the past trials, then
  ``ask`` → objective → ``tell`` per trial;
- ``fmin``: a ``Trials`` holding the same past trials, then
  ``fmin(fn, space, algo, max_evals=past + n, trials=trials)`` (its objective
  turns hyperopt's raw values into a point the same way).

The suggest function is timed inside both loops, so the figures split into the
algorithm's own time and the loop's overhead around it. Rounds alternate
between the two loops (the machine may be busy), and the medians are printed
with their ratios (plugin / fmin). Target: the plugin's overhead below
``fmin``'s (with TPE the suggest call itself is most of either loop's cost).

    python bench/bench_hyperopt_overhead.py [--past 500] [--trials 10] [--rounds 3]
                                            [--methods bayesian,random,anneal]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neural.search.base import COMPLETE, Outcome, PastTrial, SearchSettings

BENCH = Path(__file__).resolve().parent


def load_sibling(name: str) -> Any:
    """Import ``bench/<name>.py`` (the bench folder is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class SuggestTimer:
    """Wraps a suggest function and adds up the seconds spent inside it."""

    suggest: Callable[..., Any]
    seconds: float = 0.0
    calls: int = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.suggest(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


@dataclass
class Figures:
    """Per-trial seconds of one loop over several rounds."""

    total: list[float] = field(default_factory=list)
    overhead: list[float] = field(default_factory=list)

    def add(self, seconds: float, suggest_seconds: float, trials: int) -> None:
        self.total.append(seconds / trials)
        self.overhead.append((seconds - suggest_seconds) / trials)


def past_history(
    space: Any, method: str, past: int, objective: Callable[[dict[str, Any]], float]
) -> list[PastTrial]:
    """``past`` finished trials of a plugin search (what a results file would hold)."""
    from neural_search_hyperopt.searcher import HyperoptSearcher

    searcher = HyperoptSearcher(space, SearchSettings(method=method, seed=1, n_trials=past))
    history = []
    while (proposal := searcher.ask()) is not None:
        value = objective(proposal.params)
        outcome = Outcome(COMPLETE, value=value, intermediate=[value])
        searcher.tell(proposal, outcome)
        history.append(PastTrial(proposal.number, proposal.params, outcome))
    return history


def plugin_round(
    space: Any,
    method: str,
    history: list[PastTrial],
    trials: int,
    objective: Callable[[dict[str, Any]], float],
) -> tuple[float, float]:
    """Seconds for ``trials`` plugin trials after ``history``, and the seconds spent in suggest."""
    from neural_search_hyperopt.searcher import HyperoptSearcher

    settings = SearchSettings(method=method, seed=2, n_trials=len(history) + trials)
    searcher = HyperoptSearcher(space, settings)
    searcher.restore(history)
    timer = SuggestTimer(searcher._suggest)
    searcher._suggest = timer
    started = time.perf_counter()
    while (proposal := searcher.ask()) is not None:
        value = objective(proposal.params)
        searcher.tell(proposal, Outcome(COMPLETE, value=value, intermediate=[value]))
    return time.perf_counter() - started, timer.seconds


def fmin_round(
    space: Any,
    method: str,
    history: list[PastTrial],
    trials: int,
    objective: Callable[[dict[str, Any]], float],
) -> tuple[float, float]:
    """Seconds for ``trials`` ``fmin`` trials after the same history, and the seconds spent in suggest."""
    import numpy as np
    from hyperopt import STATUS_OK, Trials, fmin
    from hyperopt.base import JOB_STATE_DONE

    from neural_search_hyperopt.algorithms import make_algorithm
    from neural_search_hyperopt.space import HyperoptSpace

    mapping = HyperoptSpace(space.params)
    expression = mapping.expression()
    suggest, _ = make_algorithm(SearchSettings(method=method))
    timer = SuggestTimer(suggest)
    hyperopt_trials = Trials()
    docs = []
    for past in history:
        vals = mapping.raw_values(past.params)
        misc = {
            "tid": past.number,
            "cmd": None,
            "workdir": None,
            "idxs": {k: [past.number] for k in vals},
            "vals": vals,
        }
        [doc] = hyperopt_trials.new_trial_docs([past.number], [None], [{"status": STATUS_OK}], [misc])
        doc["state"] = JOB_STATE_DONE
        doc["result"] = {"loss": past.outcome.value, "status": STATUS_OK}
        docs.append(doc)
    hyperopt_trials.insert_trial_docs(docs)
    hyperopt_trials.refresh()

    def fn(raw: dict[str, Any]) -> dict[str, Any]:
        return {"loss": objective(mapping.to_point({k: [v] for k, v in raw.items()})), "status": STATUS_OK}

    started = time.perf_counter()
    fmin(
        fn,
        expression,
        algo=timer,
        max_evals=len(history) + trials,
        trials=hyperopt_trials,
        rstate=np.random.default_rng(2),
        show_progressbar=False,
    )
    elapsed = time.perf_counter() - started
    assert len(hyperopt_trials.trials) == len(history) + trials
    return elapsed, timer.seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--past", type=int, default=500, help="finished trials before the timed ones")
    parser.add_argument("--trials", type=int, default=10, help="timed trials per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--methods", default="bayesian,random,anneal")
    args = parser.parse_args(argv)
    efficiency = load_sibling("bench_sample_efficiency")
    space = efficiency.advanced_like_space()
    objective = efficiency.synthetic_validation_loss
    ok = True
    print(
        f"advanced example's space, {args.past} past trials, {args.trials} timed trials x {args.rounds} rounds"
    )
    print(
        f"{'method':9s} {'loop':7s} {'per trial':>10s} {'overhead':>10s}   (overhead: outside the suggest call)"
    )
    for method in [m.strip() for m in args.methods.split(",") if m.strip()]:
        history = past_history(space, method, args.past, objective)
        plugin, bare = Figures(), Figures()
        for _ in range(args.rounds):
            bare.add(*fmin_round(space, method, history, args.trials, objective), args.trials)
            plugin.add(*plugin_round(space, method, history, args.trials, objective), args.trials)
        rows = (("fmin", bare), ("plugin", plugin))
        for name, figures in rows:
            total, overhead = statistics.median(figures.total), statistics.median(figures.overhead)
            print(f"{method:9s} {name:7s} {total * 1e3:8.2f}ms {overhead * 1e3:8.3f}ms")
        total_ratio = statistics.median(plugin.total) / statistics.median(bare.total)
        overhead_ratio = statistics.median(plugin.overhead) / max(statistics.median(bare.overhead), 1e-12)
        below = overhead_ratio < 1
        ok = ok and below
        verdict = "below fmin's" if below else "NOT below fmin's"
        print(
            f"{method:9s} plugin / fmin: {total_ratio:.2f} per trial, {overhead_ratio:.2f} overhead ({verdict})"
        )
        if not math.isfinite(total_ratio):
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
