"""The searcher interface: proposes points; the core owns the trial loop.

A searcher plugin returns its :class:`Searcher` subclass from the
``neural_register_searchers`` hook. The trial runner (``neural.search.runner``)
drives every searcher the same way, so parallel workers, persistence, progress,
failure policy and resume behave alike for all of them:

1. ``searcher = Cls(space, settings)`` once per study.
2. :meth:`Searcher.restore` with the trials already in the results file
   (``--resume``), before the first ``ask``.
3. Repeatedly: :meth:`ask` → a :class:`Proposal` (None when the space is
   exhausted or the study's budget is used); the trial trains and calls
   :meth:`report` after every epoch (True: prune it); then :meth:`tell` with
   the :class:`Outcome`. With ``--parallel N`` up to N proposals are open at
   once. A searcher on a study shared by several processes returns the
   whole study's finished trials from :meth:`study_trials` (merged into the
   results file when the search starts and after each trial).
4. :meth:`close` at the end (also after Ctrl-C).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from neural.space.space import SearchSpace

COMPLETE = "complete"
PRUNED = "pruned"
FAILED = "failed"


@dataclass
class SearchSettings:
    """Everything a searcher may need besides the space.

    ``method`` is ``random``, ``bayesian``, ``grid`` or another method the
    searcher lists; ``direction`` ``minimize`` or ``maximize``; ``seed`` the
    study seed; ``n_trials`` the budget; ``grid_points`` the number of points
    a grid puts on a continuous range; ``pruner`` ``median``/``hyperband``/``none``;
    ``sampler`` a searcher-specific sampler name; ``storage``/``study_name``
    a persistent or shared study (searchers that support it).
    ``startup_trials`` how many trials a model-based sampler proposes at random
    before it models the results (None: the searcher's own choice, fitted to the
    budget); ``open_ended`` True when the budget is the ``--timeout`` and
    ``n_trials`` only a cap; ``defaulted`` names the settings the study plan
    chose by default rather than the user (the header announces them).
    ``first_point`` the point trial 0 of a new study evaluates (the space's
    nominal point, train block ``first_trial``), or None: searchers whose
    ``takes_first_point`` is True honour it; a resumed or joined study that
    already holds trials ignores it.
    """

    method: str = "random"
    direction: str = "minimize"
    seed: int = 0
    n_trials: int = 10
    grid_points: int = 5
    pruner: str = "none"
    sampler: str | None = None
    storage: str | None = None
    study_name: str | None = None
    max_epochs: int = 1
    options: dict[str, Any] = field(default_factory=dict)
    startup_trials: int | None = None
    open_ended: bool = False
    defaulted: tuple[str, ...] = ()
    first_point: dict[str, Any] | None = None


@dataclass
class Proposal:
    """A point to evaluate. ``number`` is the trial number (0-based, unique in the study);
    ``handle`` is the searcher's own object for the trial (an Optuna trial, ...)."""

    number: int
    params: dict[str, Any]
    handle: Any = None


@dataclass
class Outcome:
    """How a trial ended: ``state`` is complete, pruned or failed; ``value`` the
    objective (None when failed); ``intermediate`` the per-epoch objective values."""

    state: str
    value: float | None = None
    intermediate: list[float] = field(default_factory=list)
    error: str | None = None


@dataclass
class PastTrial:
    """A finished trial from the results file, given to :meth:`Searcher.restore`."""

    number: int
    params: dict[str, Any]
    outcome: Outcome


class Searcher(ABC):
    """Proposes points of a :class:`SearchSpace`.

    ``name`` is unique among installed searchers (``--searcher NAME``);
    ``methods`` the ``search_method`` values it implements; ``priority`` picks
    the best installed searcher for a method (higher wins; core's own are 0);
    ``default_pruner`` the pruner a search uses when the train block names none
    and its budget makes pruning pay (None: no pruning by default);
    ``takes_first_point`` whether it starts a new study at ``settings.first_point``.
    """

    name: ClassVar[str]
    methods: ClassVar[frozenset[str]]
    priority: ClassVar[int] = 0
    default_pruner: ClassVar[str | None] = None
    #: Whether the searcher evaluates ``settings.first_point`` as trial 0 of a new study.
    takes_first_point: ClassVar[bool] = False

    def __init__(self, space: SearchSpace, settings: SearchSettings) -> None:
        self.space = space
        self.settings = settings

    @abstractmethod
    def ask(self) -> Proposal | None:
        """Return the next point, or None when there is nothing left to try."""

    def report(self, proposal: Proposal, step: int, value: float) -> bool:
        """Record the objective after epoch ``step``; return True to prune. Default: never prune."""
        return False

    @abstractmethod
    def tell(self, proposal: Proposal, outcome: Outcome) -> None:
        """Record how the trial of ``proposal`` ended."""

    def restore(self, trials: list[PastTrial]) -> None:  # noqa: B027 - an optional hook, as in Optuna's samplers
        """Load trials finished in an earlier run (``--resume``). Default: ignore them."""

    def study_trials(self) -> list[PastTrial] | None:
        """Every finished trial of a study shared with other processes, or None (the default).

        Called by the trial runner when the search starts, after each trial this
        process finishes, and when the search ends. A searcher whose study lives
        in shared storage (several ``neural run --storage URL --study NAME``
        processes) returns the trials finished so far by *all* of them, so that
        each process's ``hpo_results.json``, best trial and ``.best.neural``
        describe the whole study. Return None when only this process adds
        trials (nothing to merge). Called once per finished trial, so one
        storage query per call is the most it should cost.
        """
        return None

    def close(self) -> None:  # noqa: B027 - an optional hook
        """Called once when the search ends (also after Ctrl-C)."""

    def header_lines(self) -> list[str]:
        """Lines for the search header, printed once before the first trial: one per setting
        that shapes the search and that a user may want to change (sampler start-up,
        pruning), each saying how to override it. Default: none."""
        return []

    def describe(self) -> dict[str, Any]:
        """Settings worth writing into the results file (sampler defaults, ...)."""
        return {"searcher": self.name, "method": self.settings.method}
