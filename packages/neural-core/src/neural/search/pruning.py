"""Median pruning for the built-in searchers (``pruner: "median"`` in the train block).

Called through :meth:`NumberedSearcher.report` after every epoch of a trial:
once ``startup_trials`` trials have completed, a trial whose best objective so
far is worse than the median of the completed trials' objective at the same
epoch is pruned (Optuna's ``MedianPruner`` rule). Epochs before
``warmup_steps`` are never pruned. :class:`TrialCurves` keeps the running
trials' curves for a searcher's ``report``/``tell``/``restore``.
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

from neural.search.base import COMPLETE

if TYPE_CHECKING:
    from neural.search.base import Outcome, SearchSettings


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


class TrialCurves:
    """Per-trial objective curves and the median rule: the report/tell bookkeeping a searcher needs.

    Built once by a searcher (core's :class:`~neural.search.numbering.NumberedSearcher`,
    the hyperopt plugin's searcher); with ``pruner: "none"`` every call is a no-op
    and :meth:`report` never prunes.
    """

    def __init__(self, settings: SearchSettings) -> None:
        self.rule = MedianPruning(settings.direction) if settings.pruner == "median" else None
        self._curves: dict[int, list[float]] = {}

    @property
    def enabled(self) -> bool:
        """Whether the median rule is on (``pruner: "median"``)."""
        return self.rule is not None

    def report(self, number: int, step: int, value: float) -> bool:
        """Called after epoch ``step`` of trial ``number``; True when the trial should be pruned."""
        if self.rule is None:
            return False
        curve = self._curves.setdefault(number, [])
        curve.append(value)
        return self.rule.should_prune(curve, step)

    def forget(self, number: int) -> None:
        """Called when trial ``number`` is told: drop its running curve."""
        self._curves.pop(number, None)

    def learn(self, outcome: Outcome) -> None:
        """Called for a told or restored trial: a COMPLETE one's curve joins the median's history."""
        if self.rule is not None and outcome.state == COMPLETE:
            self.rule.add_completed(outcome.intermediate)
