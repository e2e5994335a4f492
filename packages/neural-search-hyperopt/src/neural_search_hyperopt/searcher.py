"""``HyperoptSearcher``: random, Bayesian (TPE, adaptive TPE) and annealing search with hyperopt.

The core's trial runner drives it through the :class:`~neural.search.base.Searcher`
lifecycle; hyperopt's ``fmin`` is never used. The searcher keeps a hyperopt
``Domain`` (built from :mod:`neural_search_hyperopt.space`) and a ``Trials``
object, and drives a suggest function the way Ray Tune's ``HyperOptSearch``
does:

- ``ask``: ``suggest([number], domain, trials, seed)`` → the new trial's
  document gets the canonical raw values of its point → ``insert_trial_docs``
  → ``refresh``; the trial is RUNNING (hyperopt's TPE counts it as a trial of
  infinite loss until it is told).
- ``tell``: a complete trial becomes ``JOB_STATE_DONE`` with
  ``{"loss": value, "status": "ok"}`` (the value negated when maximising); a
  pruned one is DONE with its last epoch's value as its loss (hyperopt sees a
  finished trial with that loss, so TPE ranks it among the worse ones); a
  failed one becomes ``JOB_STATE_ERROR`` with the error text, which hyperopt
  leaves out of its history (``Trials.refresh`` keeps only new, running and
  done trials).

Reproducible and resumable. The hyperopt trial id is the trial number (the
lowest number not yet issued, so after ``--resume`` an interrupted trial gets
its number back), and trial ``k``'s suggest call gets a seed drawn from
``numpy.random.default_rng([seed, k])``. :meth:`HyperoptSearcher.restore`
rebuilds the ``Trials`` from the results file (nothing is pickled), with the
same raw values and losses the uninterrupted run held. So with one worker a
search killed after ``k`` trials and resumed proposes what an uninterrupted
one would have; hyperopt's ``fmin`` cannot (it restarts its seed stream,
hyperopt#809). With ``--parallel N`` what a trial proposes depends on which
others have finished, so runs are not repeatable there.

The study lives in ``hpo_results.json`` only: a shared ``--storage`` is
refused. ``pruner: "median"`` uses core's median rule; ``hyperband`` needs the
Optuna plugin.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from neural.errors import NeuralError
from neural.search.base import (
    FAILED,
    PRUNED,
    Outcome,
    PastTrial,
    Proposal,
    Searcher,
    SearchSettings,
)
from neural.search.numbering import TrialNumbers
from neural.search.pruning import TrialCurves
from neural_search_hyperopt.algorithms import make_algorithm
from neural_search_hyperopt.space import HyperoptSpace

if TYPE_CHECKING:
    from neural.space.space import SearchSpace

#: How trials that did not complete reach hyperopt (written into the results file).
OUTCOMES_AS_HYPEROPT_SEES_THEM = {
    "complete": 'JOB_STATE_DONE, {"loss": value, "status": "ok"} (value negated when maximizing)',
    "pruned": "JOB_STATE_DONE with the last epoch's value as its loss",
    "failed": "JOB_STATE_ERROR: left out of the history the algorithm learns from",
}
_SEED_BOUND = 2**31 - 1


def suggest_seed(study_seed: int, number: int) -> int:
    """The seed trial ``number``'s suggest call gets: drawn from ``default_rng([study_seed, number])``."""
    import numpy as np

    return int(np.random.default_rng([int(study_seed), int(number)]).integers(_SEED_BOUND))


class HyperoptSearcher(Searcher):
    """Proposes points with a hyperopt suggest function over a ``Trials`` history.

    Created once per search by the trial runner; called from one thread.
    """

    name: ClassVar[str] = "hyperopt"
    methods: ClassVar[frozenset[str]] = frozenset({"random", "bayesian", "anneal"})
    #: Below the Optuna searcher (10), above core's (0): ``--searcher hyperopt`` picks it beside Optuna.
    priority: ClassVar[int] = 5

    def __init__(self, space: SearchSpace, settings: SearchSettings) -> None:
        super().__init__(space, settings)
        if settings.storage:
            raise NeuralError(
                "the hyperopt searcher keeps its study in hpo_results.json and cannot share one through "
                "--storage: use --searcher optuna (pip install neural-search-optuna) or drop --storage"
            )
        if settings.pruner not in ("none", "median"):
            raise NeuralError(
                f'pruner "{settings.pruner}" is not available with the hyperopt searcher (it prunes with '
                '"median" or "none"); use --searcher optuna for hyperband'
            )
        if settings.direction not in ("minimize", "maximize"):
            raise NeuralError(f"unknown objective direction '{settings.direction}'; use minimize or maximize")
        from hyperopt import Trials, base

        self._suggest, self._algorithm_info = make_algorithm(settings)
        self._space = HyperoptSpace(space.params)
        self._domain = base.Domain(_never_evaluated, self._space.expression())
        self._trials = Trials()
        self._docs: dict[int, dict[str, Any]] = {}
        self._numbers = TrialNumbers()
        self._sign = -1.0 if settings.direction == "maximize" else 1.0
        self._curves = TrialCurves(settings)

    # ------------------------------------------------------------------ lifecycle

    def ask(self) -> Proposal | None:
        """Suggest the lowest-numbered trial not yet issued; None once the budget is issued."""
        from hyperopt.base import JOB_STATE_RUNNING

        if self._numbers.peek() >= self.settings.n_trials:
            return None
        number = self._numbers.take()
        seed = suggest_seed(self.settings.seed, number)
        try:
            [doc] = self._suggest([number], self._domain, self._trials, seed)
            point = self._space.to_point(doc["misc"]["vals"])
        except Exception as error:  # hyperopt's algorithms raise anything; the user gets one line
            name = self._algorithm_info["name"]
            raise NeuralError(
                f"{name} failed to propose trial {number}: {type(error).__name__}: {error}; every finished "
                "trial is saved, so --resume continues after a fix (or pick another search_method)"
            ) from error
        # The canonical raw values, exactly what restore() rebuilds from the results file.
        doc["misc"]["vals"] = self._space.raw_values(point)
        doc["misc"]["idxs"] = {label: [number] for label in doc["misc"]["vals"]}
        doc["state"] = JOB_STATE_RUNNING
        self._insert([doc])
        return Proposal(number=number, params=point, handle=number)

    def report(self, proposal: Proposal, step: int, value: float) -> bool:
        """Record epoch ``step``'s objective; True prunes the trial (``pruner: "median"`` only)."""
        return self._curves.report(proposal.number, step, value)

    def tell(self, proposal: Proposal, outcome: Outcome) -> None:
        """Finish the trial's document: done with its loss, or an error (see the module docstring)."""
        self._curves.forget(proposal.number)
        doc = self._docs.get(proposal.number)
        if doc is None:
            return
        if _finish(doc, outcome, self._sign):
            self._curves.learn(outcome)
        else:
            self._trials.refresh()  # drops the error document from the history

    def restore(self, trials: list[PastTrial]) -> None:
        """Rebuild the ``Trials`` from trials of an earlier run (``--resume``), in number order.

        Their numbers are not issued again. A trial whose point no longer fits
        the space keeps its number but teaches the algorithm nothing.
        """
        self._numbers.restore(past.number for past in trials)
        docs = []
        for past in sorted(trials, key=lambda past: past.number):
            if past.number in self._docs:
                continue
            try:
                vals = self._space.raw_values(past.params)
            except (KeyError, ValueError):
                continue
            misc = {
                "tid": past.number,
                "cmd": self._domain.cmd,
                "workdir": self._domain.workdir,
                "idxs": {label: [past.number] for label in vals},
                "vals": vals,
            }
            [doc] = self._trials.new_trial_docs([past.number], [None], [self._domain.new_result()], [misc])
            _finish(doc, past.outcome, self._sign)
            docs.append(doc)
            self._curves.learn(past.outcome)
        if docs:
            self._insert(docs)

    def describe(self) -> dict[str, Any]:
        """Algorithm, seeding, pruner and space encoding for ``hpo_results.json``."""
        import hyperopt

        return {
            "searcher": self.name,
            "method": self.settings.method,
            "hyperopt_version": hyperopt.__version__,
            "algorithm": {**self._algorithm_info, "seed": self.settings.seed},
            "seeding": "trial k's suggest call is seeded from numpy.random.default_rng([seed, k])",
            "outcomes": dict(OUTCOMES_AS_HYPEROPT_SEES_THEM),
            "pruner": {"name": "median", "startup_trials": 3} if self._curves.enabled else {"name": "none"},
            "budget": self.settings.n_trials,
            "space": self._space.describe(),
        }

    # ------------------------------------------------------------------ queries

    @property
    def trials(self) -> Any:
        """The hyperopt ``Trials`` (for tests and benchmarks)."""
        return self._trials

    @property
    def domain(self) -> Any:
        """The hyperopt ``Domain`` (for tests and benchmarks)."""
        return self._domain

    # ------------------------------------------------------------------ helpers

    def _insert(self, docs: list[dict[str, Any]]) -> None:
        """Insert ``docs`` (hyperopt copies them) and keep each stored document by its trial id."""
        before = len(self._trials._dynamic_trials)
        self._trials.insert_trial_docs(docs)
        for stored in self._trials._dynamic_trials[before:]:
            self._docs[stored["tid"]] = stored
        self._trials.refresh()


def _finish(doc: dict[str, Any], outcome: Outcome, sign: float) -> bool:
    """Set a trial document's state and result from ``outcome``; False when it ends as an error."""
    from hyperopt.base import JOB_STATE_DONE, JOB_STATE_ERROR, STATUS_FAIL, STATUS_OK

    loss = _objective(outcome)
    if outcome.state == FAILED or loss is None:
        error = outcome.error or f"objective value {outcome.value} is not a finite number"
        doc["state"] = JOB_STATE_ERROR
        doc["result"] = {"status": STATUS_FAIL, "failure": error[:2000]}
        doc["misc"]["error"] = ("neural", error[:2000])
        return False
    doc["state"] = JOB_STATE_DONE
    doc["result"] = {"loss": sign * loss, "status": STATUS_OK}
    if outcome.state == PRUNED:
        doc["result"]["pruned"] = True
    return True


def _objective(outcome: Outcome) -> float | None:
    """The value hyperopt learns from: a complete trial's value, a pruned one's last epoch; None if neither."""
    candidates: list[float | None] = [outcome.value]
    if outcome.state == PRUNED:
        candidates = [*reversed(outcome.intermediate), outcome.value]
    for value in candidates:
        if value is not None and math.isfinite(value):
            return float(value)
    return None


def _never_evaluated(point: dict[str, Any]) -> float:
    """The ``Domain``'s objective: the core's trial runner trains trials, hyperopt never calls it."""
    raise RuntimeError("the hyperopt searcher never evaluates its Domain; the trial runner trains trials")
