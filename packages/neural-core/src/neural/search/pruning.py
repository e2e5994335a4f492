"""Median pruning for the built-in searchers (``pruner: "median"`` in the train block).

Called through :meth:`NumberedSearcher.report` after every epoch of a trial:
once ``startup_trials`` trials have completed, a trial whose best objective so
far is worse than the median of the completed trials' objective at the same
epoch is pruned (Optuna's ``MedianPruner`` rule). Epochs before
``warmup_steps`` are never pruned.
"""

from __future__ import annotations

import statistics


class MedianPruning:
    """Decides whether a running trial falls behind the completed ones."""

    def __init__(self, direction: str, *, startup_trials: int = 3, warmup_steps: int = 0) -> None:
        self.maximize = direction == "maximize"
        self.startup_trials = startup_trials
        self.warmup_steps = warmup_steps
        self._completed: list[list[float]] = []

    def add_completed(self, curve: list[float]) -> None:
        """Remember the per-epoch objective of a trial that ran to its end."""
        if curve:
            self._completed.append(list(curve))

    def should_prune(self, curve: list[float], step: int) -> bool:
        """Whether a trial with objective values ``curve`` (epochs 0..``step``) should stop now."""
        if step < self.warmup_steps or len(self._completed) < self.startup_trials or not curve:
            return False
        at_step = [other[step] for other in self._completed if len(other) > step]
        if not at_step:
            return False
        median = statistics.median(at_step)
        best = max(curve) if self.maximize else min(curve)
        return best < median if self.maximize else best > median
