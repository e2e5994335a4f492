"""Sample efficiency of Bayesian search against random search, through the searcher interface.

For each problem (Hartmann-6; a mixed categorical/log/stepped space shaped like
the seed's advanced example, with a synthetic validation-loss surface) and each
searcher plugin installed (``optuna``: TPESampler; ``hyperopt``: ``tpe.suggest``),
run random and Bayesian search for ``--trials`` trials on ``--seeds`` seeds
through the searcher's ``ask/tell`` (the project's own search stack, a test
objective instead of a trained model). Report how many trials Bayesian search
needs, median over seeds, to reach the same searcher's random search's median
best value at the last trial. Targets: at most 40 of 100 for Optuna, 70 for
hyperopt; the figures are printed side by side.

    python bench/bench_sample_efficiency.py [--seeds 10] [--trials 100] [--sampler tpe]
                                            [--searchers optuna,hyperopt]

The packages' tests run a small version (few seeds and trials, a loose bound)
through :func:`compare`.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neural.search.base import Outcome, SearchSettings
from neural.space.params import Param

Objective = Callable[[dict[str, Any]], float]


@dataclass(frozen=True)
class ParamSpace:
    """A search space given directly as parameters (what the searchers read: ``.params``)."""

    params: tuple[Param, ...]


@dataclass(frozen=True)
class Problem:
    """A named space with a deterministic objective to minimise."""

    name: str
    space: Any  # a SearchSpace, or a ParamSpace: the searcher reads only ``.params``
    objective: Objective


# ---------------------------------------------------------------------------- Hartmann-6

_H6_ALPHA = (1.0, 1.2, 3.0, 3.2)
_H6_A = (
    (10, 3, 17, 3.5, 1.7, 8),
    (0.05, 10, 17, 0.1, 8, 14),
    (3, 3.5, 1.7, 10, 17, 8),
    (17, 8, 0.05, 10, 0.1, 14),
)
_H6_P = (
    (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
    (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
    (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
    (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
)
HARTMANN6_MINIMUM = -3.32237


def hartmann6(point: dict[str, Any]) -> float:
    """The Hartmann-6 function on [0, 1]^6 (minimum -3.32237)."""
    x = [point[f"x{i}"] for i in range(1, 7)]
    total = 0.0
    for alpha, a_row, p_row in zip(_H6_ALPHA, _H6_A, _H6_P, strict=True):
        total -= alpha * math.exp(-sum(a * (xi - p) ** 2 for a, xi, p in zip(a_row, x, p_row, strict=True)))
    return total


def hartmann6_problem() -> Problem:
    params = tuple(Param(f"x{i}", "range", low=0.0, high=1.0) for i in range(1, 7))
    return Problem("hartmann6", ParamSpace(params), hartmann6)


# ---------------------------------------------------------------------------- mixed space


ADVANCED_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "advanced_hpo.neural"


def advanced_like_space() -> Any:
    """The search space of the seed's advanced example (``examples/advanced_hpo.neural``):
    eleven parameters, categorical (numbers, tuples, strings), log-uniform and stepped."""
    from neural.program import load_program

    return load_program(str(ADVANCED_EXAMPLE)).space


def synthetic_validation_loss(point: dict[str, Any]) -> float:
    """A smooth stand-in for the advanced example's validation loss (a point of its space).

    The learning rate dominates (best near 0.01, shifted by the batch size, as
    in real training); dropout, decay and the architecture choices add smaller
    terms. Minimum 0.05.
    """
    batch = point["train.batch_size"]
    best_lr = 0.01 * math.sqrt(batch / 64)
    lr_term = (
        0.6 * (math.log10(point["optimizer.learning_rate.initial_learning_rate"]) - math.log10(best_lr)) ** 2
    )
    dropout_term = 1.5 * (point["dropout_1.rate"] - 0.5) ** 2
    decay_term = 30.0 * (point["optimizer.learning_rate.decay_rate"] - 0.96) ** 2
    decay_steps_term = {500: 0.04, 1000: 0.0, 2000: 0.02}[point["optimizer.learning_rate.decay_steps"]]
    width_term = {128: 0.05, 256: 0.0, 512: 0.02}[point["dense_1.units"]]
    conv_term = (
        (0.03 if point["conv2d_1.filters"] == 32 else 0.0)
        + (0.02 if point["conv2d_1.kernel_size"] == (5, 5) else 0.0)
        + (0.04 if point["conv2d_1.padding"] == "valid" else 0.0)
        + (0.01 if point["conv2d_2.filters"] == 64 else 0.0)
        + (0.02 if point["conv2d_2.kernel_size"] == (5, 5) else 0.0)
    )
    return 0.05 + lr_term + dropout_term + decay_term + decay_steps_term + width_term + conv_term


def advanced_like_problem() -> Problem:
    return Problem("advanced-like mixed", advanced_like_space(), synthetic_validation_loss)


# ---------------------------------------------------------------------------- the comparison


#: Searcher name → (module, class) and the bound on its median trials to match (of 100, 10 seeds).
SEARCHERS: dict[str, tuple[str, str]] = {
    "optuna": ("neural_search_optuna.searcher", "OptunaSearcher"),
    "hyperopt": ("neural_search_hyperopt.searcher", "HyperoptSearcher"),
}
TARGETS: dict[str, float] = {"optuna": 40, "hyperopt": 70}


def searcher_class(name: str) -> Any:
    """The searcher class of plugin ``name`` (imported on first use)."""
    import importlib

    module, cls = SEARCHERS[name]
    return getattr(importlib.import_module(module), cls)


def installed_searchers() -> list[str]:
    """The searchers of :data:`SEARCHERS` whose package is installed."""
    import importlib.util

    return [name for name, (module, _) in SEARCHERS.items() if importlib.util.find_spec(module.split(".")[0])]


def best_curve(
    problem: Problem,
    method: str,
    seed: int,
    trials: int,
    sampler: str | None = None,
    searcher: str = "optuna",
) -> list[float]:
    """Best-so-far objective after each trial of one search through the ``searcher`` plugin."""
    settings = SearchSettings(method=method, seed=seed, n_trials=trials, sampler=sampler)
    instance = searcher_class(searcher)(problem.space, settings)
    curve: list[float] = []
    best = math.inf
    while (proposal := instance.ask()) is not None:
        value = problem.objective(proposal.params)
        instance.tell(proposal, Outcome("complete", value=value))
        best = min(best, value)
        curve.append(best)
    instance.close()
    return curve


@dataclass(frozen=True)
class Comparison:
    """The figures of one problem: random's median best, and Bayesian's trials to reach it."""

    problem: str
    searcher: str
    trials: int
    random_median_best: float
    bayesian_median_best: float
    trials_to_match: list[float]  # per seed; inf when never reached

    @property
    def median_trials_to_match(self) -> float:
        return statistics.median(self.trials_to_match)


def compare(
    problem: Problem,
    seeds: Sequence[int],
    trials: int,
    sampler: str | None = None,
    searcher: str = "optuna",
) -> Comparison:
    """Run both methods of ``searcher`` on every seed; measure Bayesian's trials to reach random's median best."""
    random_curves = [best_curve(problem, "random", seed, trials, searcher=searcher) for seed in seeds]
    bayes_curves = [best_curve(problem, "bayesian", seed, trials, sampler, searcher) for seed in seeds]
    target = statistics.median(curve[-1] for curve in random_curves)
    reached = [
        float(next((i + 1 for i, best in enumerate(curve) if best <= target), math.inf))
        for curve in bayes_curves
    ]
    return Comparison(
        problem=problem.name,
        searcher=searcher,
        trials=trials,
        random_median_best=target,
        bayesian_median_best=statistics.median(curve[-1] for curve in bayes_curves),
        trials_to_match=reached,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--sampler", default=None, help="the searcher's Bayesian sampler (default: tpe)")
    parser.add_argument(
        "--searchers", default=",".join(installed_searchers()), help="comma-separated: optuna,hyperopt"
    )
    parser.add_argument("--target", type=float, default=None, help="one bound for every searcher")
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    names = [name.strip() for name in args.searchers.split(",") if name.strip()]
    ok = True
    for problem in (hartmann6_problem(), advanced_like_problem()):
        print(f"{problem.name}: {args.seeds} seeds x {args.trials} trials")
        for name in names:
            target = args.target if args.target is not None else TARGETS[name]
            started = time.perf_counter()
            result = compare(problem, seeds, args.trials, args.sampler, name)
            elapsed = time.perf_counter() - started
            median = result.median_trials_to_match
            ok = ok and median <= target
            per_seed = ", ".join("never" if math.isinf(t) else str(int(t)) for t in result.trials_to_match)
            verdict = "meets" if median <= target else "MISSES"
            print(
                f"  {name:9s} random's median best at trial {args.trials}: {result.random_median_best:.5f}; "
                f"bayesian's: {result.bayesian_median_best:.5f} ({elapsed:.0f}s)"
            )
            print(f"  {'':9s} trials bayesian needs to reach random's median best: {per_seed}")
            print(f"  {'':9s} median: {median:g} trials ({verdict} the target of {target:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
