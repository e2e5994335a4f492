"""The trial budget of a search: the one place that computes it.

``neural check`` (to say how many trials a search would run) and
``neural.search.study_plan.plan_study`` (to run them) both call
:func:`trial_budget`, so the two can never disagree. Light: imports nothing
heavy, so ``neural check`` may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from neural.errors import NeuralError

if TYPE_CHECKING:
    from neural.program import Program


@dataclass(frozen=True)
class TrialBudget:
    """How many trials a search runs and why.

    ``grid_size`` is the number of grid points (grid search only, else None);
    ``source`` says where ``n_trials`` came from: ``--trials``, ``n_trials``
    (the train block), ``the whole grid``, ``--timeout`` or ``the default``.
    ``open_ended`` is True when the budget is the ``--timeout`` and ``n_trials``
    only a cap.
    """

    n_trials: int
    grid_size: int | None
    source: str
    open_ended: bool = False

    def describe(self) -> str:
        """``12 trials (--trials)`` / ``100 trials (the whole grid)`` / ``10 of 100 grid points (n_trials)``."""
        if self.open_ended:
            return f"trials until the --timeout (at most {self.n_trials})"
        count = f"{self.n_trials} trial{'s' if self.n_trials != 1 else ''}"
        if self.grid_size is not None and self.n_trials < self.grid_size:
            count = f"{self.n_trials} of {self.grid_size:,} grid points"
        return f"{count} ({self.source})"


#: The trial cap of a search whose budget is its ``--timeout`` alone.
OPEN_ENDED_TRIAL_CAP = 1000


def trial_budget(
    program: Program, method: str, trials: int | None = None, *, timeout: float | None = None
) -> TrialBudget:
    """The number of trials a search of ``program`` with ``method`` runs.

    ``trials`` is ``--trials`` (or the budget a resumed search recorded). Without
    it: the train block's ``n_trials`` when the file declares it, else for a grid
    search the whole grid, else with a ``--timeout`` trials until the time is up
    (at most :data:`OPEN_ENDED_TRIAL_CAP`), else the default (10). A grid search
    never runs more trials than it has points.
    """
    train = program.nominal_model().train
    grid_size = program.space.size(train.grid_points) if method == "grid" else None
    declared = any(keyword.name == "n_trials" for keyword in program.network.train or ())
    if trials is not None:
        n_trials, source = trials, "--trials"
    elif declared:
        n_trials, source = train.n_trials, "n_trials"
    elif grid_size is not None:
        n_trials, source = grid_size, "the whole grid"
    elif timeout is not None:
        return TrialBudget(OPEN_ENDED_TRIAL_CAP, None, "--timeout", open_ended=True)
    else:
        n_trials, source = train.n_trials, "the default n_trials"
    if n_trials < 1:
        raise NeuralError(f"the number of trials must be at least 1, got {n_trials}: pass e.g. --trials 10")
    if grid_size is not None and n_trials > grid_size:
        n_trials, source = grid_size, "the whole grid"
    return TrialBudget(n_trials, grid_size, source)
