"""What the built-in searchers share: trials numbered in order, each point a function of its number.

:class:`TrialNumbers` hands out the lowest number not yet issued in a study,
so after ``--resume`` the trials that were interrupted get their old numbers
back and every later trial gets the number it would have had in an
uninterrupted run. :class:`NumberedSearcher` builds the ask/report/tell/restore
protocol on it (with optional median pruning); a subclass only says which
point trial ``k`` evaluates and how many trials there can be.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.search.base import Outcome, PastTrial, Proposal, Searcher, SearchSettings
from neural.search.pruning import TrialCurves

if TYPE_CHECKING:
    from neural.space.space import SearchSpace


class TrialNumbers:
    """The set of trial numbers issued so far in a study (restored ones included)."""

    def __init__(self) -> None:
        self._issued: set[int] = set()
        self._lowest_free = 0

    def restore(self, numbers: Iterable[int]) -> None:
        """Mark the numbers of trials finished in an earlier run as issued."""
        self._issued.update(numbers)
        self._advance()

    def peek(self) -> int:
        """The number :meth:`take` would return next."""
        return self._lowest_free

    def take(self) -> int:
        """Issue and return the lowest free number."""
        number = self._lowest_free
        self._issued.add(number)
        self._advance()
        return number

    def _advance(self) -> None:
        while self._lowest_free in self._issued:
            self._lowest_free += 1


class NumberedSearcher(Searcher):
    """A searcher whose trial ``k`` always evaluates :meth:`point_for` ``(k)``.

    Outcomes teach it nothing about where to look, so ``--parallel`` and
    ``--resume`` cannot change what any trial number evaluates (with
    ``pruner: "median"`` they may change which trials are cut short). Its study lives in ``hpo_results.json``
    only: a shared ``--storage`` is refused with a pointer to a plugin that has one.
    """

    def __init__(self, space: SearchSpace, settings: SearchSettings) -> None:
        super().__init__(space, settings)
        if settings.storage:
            raise NeuralError(
                f"the built-in {self.name} searcher keeps its study in hpo_results.json and cannot share "
                "one through --storage: install neural-search-optuna (pip install neural-search-optuna) "
                "or drop --storage"
            )
        if settings.pruner not in ("none", "median"):
            raise NeuralError(
                f'pruner "{settings.pruner}" needs a search plugin: pip install neural-search-optuna '
                f'(the built-in {self.name} searcher prunes with "median" or "none")'
            )
        self._numbers = TrialNumbers()
        self._curves = TrialCurves(settings)

    @abstractmethod
    def point_for(self, number: int) -> dict[str, Any]:
        """The point trial ``number`` evaluates (the same in every run with these settings)."""

    def limit(self) -> int:
        """How many trials the study can have: the budget, unless the space has fewer points."""
        return self.settings.n_trials

    def ask(self) -> Proposal | None:
        """Return the lowest-numbered trial not yet issued, or None once :meth:`limit` are issued."""
        if self._numbers.peek() >= self.limit():
            return None
        number = self._numbers.take()
        return Proposal(number=number, params=self.point_for(number))

    def report(self, proposal: Proposal, step: int, value: float) -> bool:
        """Record epoch ``step``'s objective; True prunes the trial (``pruner: "median"`` only)."""
        return self._curves.report(proposal.number, step, value)

    def tell(self, proposal: Proposal, outcome: Outcome) -> None:
        """Outcomes never change later proposals; completed curves feed the median pruning."""
        self._curves.forget(proposal.number)
        self._curves.learn(outcome)

    def restore(self, trials: list[PastTrial]) -> None:
        """Skip the numbers of trials finished in an earlier run (and learn their curves)."""
        self._numbers.restore(trial.number for trial in trials)
        for trial in trials:
            self._curves.learn(trial.outcome)
