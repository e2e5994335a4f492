"""Per-trial overhead of the Optuna plugin against bare Optuna ask/tell.

Both loops run the same trivial objective on the same three-parameter space
with the same sampler; the plugin adds the point mapping, the study-wide budget
count, the stale-trial check, the heartbeat and the curve bookkeeping. Measured
in memory and with a journal file, ratios printed (plugin / bare).

    python bench/bench_optuna_overhead.py [--trials 300] [--sampler random|tpe]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neural.search.base import Outcome, SearchSettings
from neural.space.params import Param


@dataclass(frozen=True)
class ParamSpace:
    params: tuple[Param, ...]


SPACE = ParamSpace(
    (
        Param("x", "range", low=-5.0, high=5.0),
        Param("units", "range", low=16, high=256, step=16, is_int=True),
        Param("kernel", "choice", choices=((3, 3), (5, 5)), labels=("(3, 3)", "(5, 5)")),
    )
)


def objective(x: float, units: int) -> float:
    return x * x + units / 256


def bare_optuna(trials: int, method: str, journal: Path | None) -> float:
    """Seconds per trial of ``study.ask(distributions)`` / ``study.tell`` in plain Optuna."""
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    distributions = {
        "x": FloatDistribution(-5.0, 5.0),
        "units": IntDistribution(16, 256, step=16),
        "kernel": CategoricalDistribution(["(3, 3)", "(5, 5)"]),
    }
    storage: Any = None
    if journal is not None:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        storage = JournalStorage(JournalFileBackend(str(journal)))
    sampler = (
        optuna.samplers.RandomSampler(seed=0) if method == "random" else optuna.samplers.TPESampler(seed=0)
    )
    study = optuna.create_study(storage=storage, study_name="bare", sampler=sampler)
    started = time.perf_counter()
    for _ in range(trials):
        trial = study.ask(distributions)
        study.tell(trial, objective(trial.params["x"], trial.params["units"]))
    return (time.perf_counter() - started) / trials


def plugin(trials: int, method: str, journal: Path | None) -> float:
    """Seconds per trial of ``OptunaSearcher.ask`` / ``tell``."""
    from neural_search_optuna.searcher import OptunaSearcher

    settings = SearchSettings(
        method="random" if method == "random" else "bayesian",
        n_trials=trials,
        storage=str(journal) if journal is not None else None,
        study_name="plugin",
    )
    searcher = OptunaSearcher(SPACE, settings)
    started = time.perf_counter()
    while (proposal := searcher.ask()) is not None:
        value = objective(proposal.params["x"], proposal.params["units"])
        searcher.tell(proposal, Outcome("complete", value=value))
    elapsed = time.perf_counter() - started
    searcher.close()
    return elapsed / trials


def _fresh(journal: Path | None, run: int) -> Path | None:
    """A new journal file for each timed run, so every run starts from an empty study."""
    return None if journal is None else journal.with_name(f"{journal.stem}-{run}.log")


def main(argv: Sequence[str] | None = None) -> int:
    import optuna

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--sampler", choices=("random", "tpe"), default="random")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each loop; the fastest counts")
    args = parser.parse_args(argv)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print(f"{args.trials} trials, {args.sampler} sampler, optuna {optuna.__version__}")
    with tempfile.TemporaryDirectory() as folder:
        for where, bare_journal, plugin_journal in (
            ("in memory", None, None),
            ("journal file", Path(folder, "bare.log"), Path(folder, "plugin.log")),
        ):
            bare_optuna(20, args.sampler, None)  # warm up lazy imports before timing either
            plugin(20, args.sampler, None)
            # Interleaved, fastest of each: the machine's load (and fsync) varies during a run.
            bare_runs, plugin_runs = [], []
            for run in range(args.repeat):
                bare_runs.append(bare_optuna(args.trials, args.sampler, _fresh(bare_journal, run)))
                plugin_runs.append(plugin(args.trials, args.sampler, _fresh(plugin_journal, run)))
            bare, ours = min(bare_runs), min(plugin_runs)
            print(
                f"  {where:13s} bare optuna {bare * 1e3:7.3f} ms/trial   plugin {ours * 1e3:7.3f} ms/trial   "
                f"ratio {ours / bare:5.2f}   overhead {(ours - bare) * 1e3:+.3f} ms/trial"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
