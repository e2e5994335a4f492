"""The search's defaults that depend on its budget, and the header lines announcing them.

Called by :func:`neural.search.study_plan.plan_study` once per search. Each
default is a rule a user can read in one line of the search header and
override in the train block or on the command line; none changes what a
finished trial's value means.

- Budget: ``--timeout S`` with no trial count anywhere (no ``--trials``, no
  ``n_trials`` in the train block) means "trials until the time is up" (capped
  at :data:`OPEN_ENDED_TRIAL_CAP`), not the default ten trials.
- Pruning: with trials of at least :data:`PRUNING_MIN_EPOCHS` epochs and a
  budget of at least :data:`PRUNING_MIN_TRIALS` trials (or an open-ended one),
  a search whose train block names no ``pruner`` uses its searcher's
  ``default_pruner``; ``pruner: "none"`` turns it off.
- First trial: a Bayesian search (or one whose train block says
  ``first_trial: "nominal"``) evaluates the nominal point first, each ``HPO``
  at its first choice or low bound, the model ``neural check`` shows: one
  known, usually safe point gives the search an early working model while the
  sampler's random start-up explores (as when a tuner starts from its default
  configuration). ``first_trial: "random"`` draws it.
- Workers: ``--parallel auto`` (the command line's default) runs one worker
  per available core with one framework thread each (:func:`auto_workers`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neural.search.base import Searcher
    from neural.search.budget import TrialBudget

#: Pruning pays only when a trial has epochs left to save after the warm-up.
PRUNING_MIN_EPOCHS = 4
#: ... and when there are trials to compare.
PRUNING_MIN_TRIALS = 4
#: ``--parallel auto``.
AUTO = "auto"
#: The methods whose searches start at the nominal point unless ``first_trial`` says otherwise.
NOMINAL_FIRST_METHODS = frozenset({"bayesian"})


def budget_line(budget: TrialBudget, timeout: float | None) -> str | None:
    """The header line for an open-ended budget (None for a trial count: the search line says it)."""
    if not budget.open_ended:
        return None
    return (
        f"budget: trials until the --timeout of {timeout:g} s (at most {budget.n_trials}); "
        "--trials N or n_trials in the train block sets a count"
    )


def default_pruner(searcher_class: type[Searcher], *, epochs: int, n_trials: int, open_ended: bool) -> str:
    """The pruner for a train block that names none: the searcher's default, when the budget pays for it."""
    name = searcher_class.default_pruner
    if name is None or epochs < PRUNING_MIN_EPOCHS:
        return "none"
    if not open_ended and n_trials < PRUNING_MIN_TRIALS:
        return "none"
    return name


def auto_workers(n_trials: int) -> int:
    """``--parallel auto``: one worker per available core (no more than there are trials).

    One single-threaded worker per core beats one process using every core:
    the framework's threads meet at a barrier after every layer, which costs
    little on an idle machine and a great deal on a busy one (measured here:
    an epoch of the advanced example took 5-7 s in one thread and 45-86 s in
    two while other jobs shared the two cores).
    """
    from neural.search.workers import available_cores

    return max(1, min(available_cores(), n_trials))


def workers_line(workers: int, requested: int | str) -> str | None:
    """The header line that explains an automatic worker count (None when the user gave one)."""
    if requested != AUTO:
        return None
    from neural.search.workers import available_cores, threads_per_worker

    threads = threads_per_worker(workers) if workers > 1 else available_cores()
    return (
        f"workers: {workers} (--parallel auto: {available_cores()} core(s), {threads} thread(s) each); "
        "--parallel N sets a number"
    )


def divergence_line(enabled: bool, epochs: int) -> str | None:
    """The header line for the divergence guard (see :mod:`neural.search.trial`)."""
    from neural.search.trial import GUARD_EPOCHS

    if not enabled or epochs <= GUARD_EPOCHS:
        return None
    return (
        f"divergence guard: a trial whose val_accuracy is still at chance after {GUARD_EPOCHS} epochs "
        "is pruned, one with a NaN loss fails; divergence_guard: false turns it off"
    )


def starts_at_nominal(first_trial: str | None, method: str, searcher_class: type[Searcher]) -> bool:
    """Whether trial 0 is the nominal point: ``first_trial``, else the method's default.

    Never for grid search (its order is the grid's), nor by default with a
    searcher that cannot place a point of its own choosing.
    """
    if method == "grid":
        return False
    if first_trial is not None:
        return first_trial == "nominal"
    return method in NOMINAL_FIRST_METHODS and searcher_class.takes_first_point


def first_trial_line(
    point: dict[str, object] | None, defaulted: bool, searcher_class: type[Searcher]
) -> str | None:
    """The header line for a search that starts at the nominal point (None otherwise)."""
    if point is None:
        return None
    if not searcher_class.takes_first_point:
        return (
            f"note: the {searcher_class.name} searcher cannot start at a point of its own choosing, "
            'so first_trial: "nominal" has no effect'
        )
    how = "by default" if defaulted else "first_trial"
    return (
        f"first trial: the nominal point ({how}: each HPO at its first choice or low bound, the model "
        'neural check shows); first_trial: "random" draws it like the rest'
    )
