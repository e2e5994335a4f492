"""``OptunaSearcher``: random, Bayesian (TPE, GP, CMA-ES) and grid search on an Optuna study.

The core's trial runner drives it through the :class:`~neural.search.base.Searcher`
lifecycle with Optuna's ask-and-tell interface: ``ask`` →
``study.ask(fixed_distributions)``, ``report`` → ``trial.report`` +
``trial.should_prune``, ``tell`` → ``study.tell``.

Budget and trial numbers. ``settings.n_trials`` is the budget of the whole
*study*, not of one process: before asking, the searcher counts the study's
trials that are COMPLETE, PRUNED, FAILED or RUNNING, and ``ask`` returns None
once they reach the budget (for grid: the smaller of the budget and the grid
size). So N processes sharing ``--storage``/``--study`` together run exactly
``n_trials`` trials, and ``--resume`` after a crash continues to exactly
``n_trials`` (the crashed trial counts, as FAILED). ``Proposal.number`` is
Optuna's ``trial.number``: unique in the study, whichever process asked.

In memory (no ``--storage``), :meth:`OptunaSearcher.restore` replays the results
file's trials into the study and new numbers continue after the highest
restored one. ``settings.options`` may hold ``heartbeat_interval`` /
``grace_period`` (seconds, persistent studies) and ``pruner_startup_trials`` /
``pruner_warmup_steps`` (median pruner). The environment variables
``NEURAL_OPTUNA_HEARTBEAT_INTERVAL`` and ``NEURAL_OPTUNA_GRACE_PERIOD`` (whole
seconds) set the heartbeat for ``neural run`` processes, which have no other
way to pass them (e.g. a short grace period in tests); ``options`` win.

Shared studies. Each process that opens a persistent study takes the next
process index from the study's ``neural:processes`` attribute (under the budget
lock); process 0 seeds its sampler with ``settings.seed``, later ones with a
seed derived from it and their index (grid search excepted), so processes sharing a study (or
resuming one) do not propose the same points. :meth:`OptunaSearcher.study_trials`
lists the whole study's finished trials for each process's results file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import threading
import warnings
from typing import TYPE_CHECKING, Any, ClassVar

from neural.errors import NeuralError
from neural.search.base import (
    COMPLETE,
    FAILED,
    PRUNED,
    Outcome,
    PastTrial,
    Proposal,
    Searcher,
    SearchSettings,
)
from neural_search_optuna.distributions import to_distributions, to_optuna_params, to_point
from neural_search_optuna.heartbeat import HeartbeatThread
from neural_search_optuna.pruners import make_pruner, pruner_line
from neural_search_optuna.samplers import make_sampler, sampler_line, sampler_name
from neural_search_optuna.storage import ERROR_ATTR, HeartbeatSettings, open_storage, redact

if TYPE_CHECKING:
    import optuna

    from neural.space.space import SearchSpace

SPACE_ATTR = "neural:space"
PROCESSES_ATTR = "neural:processes"
#: Environment variables read for the heartbeat of persistent studies (whole seconds).
HEARTBEAT_ENV = {
    "heartbeat_interval": "NEURAL_OPTUNA_HEARTBEAT_INTERVAL",
    "grace_period": "NEURAL_OPTUNA_GRACE_PERIOD",
}
DEFAULT_STUDY_NAME = "neural"
NOT_RESTORED = "not in the results file this study was resumed from (interrupted)"


class OptunaSearcher(Searcher):
    """Proposes points with an Optuna sampler; prunes with an Optuna pruner.

    Created once per search by the trial runner (see the module docstring for
    how the budget is shared). Safe to call from several threads.
    """

    name: ClassVar[str] = "optuna"
    methods: ClassVar[frozenset[str]] = frozenset({"random", "bayesian", "grid"})
    priority: ClassVar[int] = 10
    default_pruner: ClassVar[str | None] = "asha"
    takes_first_point: ClassVar[bool] = True

    def __init__(self, space: SearchSpace, settings: SearchSettings) -> None:
        super().__init__(space, settings)
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)  # the runner prints its own progress
        self._params = tuple(space.params)
        self._distributions = to_distributions(self._params)
        self._sampler, self._sampler_info = make_sampler(settings, self._params)
        self._pruner, self._pruner_info = make_pruner(settings)
        self._budget = self._trial_budget()
        self._storage = open_storage(
            settings.storage, HeartbeatSettings.from_options(heartbeat_options(settings))
        )
        self._study_name = settings.study_name or DEFAULT_STUDY_NAME
        self._study = self._open_study()
        if self._storage.persistent:
            self._seed_for_this_process()
        self._open_trials: dict[int, optuna.trial.Trial] = {}
        self._reported_steps: dict[int, set[int]] = {}
        self._lock = threading.Lock()
        self._number_offset = 0
        #: enqueued as trial 0 by the first ask of a study that is still empty
        self._first_point = settings.first_point if sampler_name(settings) != "grid" else None
        self._finished: dict[int, PastTrial] = {}
        self._heartbeat: HeartbeatThread | None = None
        if self._storage.persistent:
            self._storage.fail_stale_trials(self._study)
            self._heartbeat = HeartbeatThread(self._beat, self._storage.heartbeat.interval)

    # ------------------------------------------------------------------ set-up

    def _trial_budget(self) -> int:
        budget = int(self.settings.n_trials)
        if sampler_name(self.settings) == "grid":
            grid_size = math.prod(p.cardinality(self.settings.grid_points) for p in self._params)
            budget = min(budget, grid_size)
        return budget

    def _open_study(self) -> optuna.Study:
        """Create the study, or load it when the storage already has one of that name."""
        import optuna

        storage = self._storage.storage
        study = optuna.create_study(
            storage=storage,
            # Named in memory too: Hyperband picks brackets by hashing the study name, so a
            # random name would make pruning differ from run to run under the same seed.
            study_name=self._study_name,
            sampler=self._sampler,
            pruner=self._pruner,
            direction=_study_direction(self.settings.direction),
            load_if_exists=True,
        )
        if storage is None:
            return study
        where = f"study '{self._study_name}' in {redact(self.settings.storage)}"
        if study.direction.name.lower() != self.settings.direction:
            raise NeuralError(
                f"{where} was created to {study.direction.name.lower()} its objective, not to "
                f"{self.settings.direction}; use another --study name or the same objective"
            )
        signature = space_signature(self._params)
        recorded = study.user_attrs.get(SPACE_ATTR)
        if recorded is None:
            study.set_user_attr(SPACE_ATTR, signature)
        elif recorded != signature:
            raise NeuralError(
                f"{where} was created for a different search space; use another --study name "
                "(or the source file the study was started with)"
            )
        return study

    def _seed_for_this_process(self) -> None:
        """Take this process's index in the shared study; past the first, reseed the sampler.

        Without this, processes started with the same ``--seed`` would draw the
        same points (a resumed process too: the ones its killed run drew). Grid
        search needs no seed: each trial takes the lowest grid index no trial of
        the study holds (asked under the budget lock).
        """
        from neural.search.seeds import derive_seed

        if sampler_name(self.settings) == "grid":
            return
        with self._storage.budget_lock(self._study_name):
            index = int(self._study.user_attrs.get(PROCESSES_ATTR, 0))
            self._study.set_user_attr(PROCESSES_ATTR, index + 1)
        if index == 0:
            return
        seed = derive_seed(self.settings.seed, index, "process")
        self._sampler, info = make_sampler(dataclasses.replace(self.settings, seed=seed), self._params)
        self._sampler_info = {**info, "study_seed": self.settings.seed, "process_index": index}
        self._study.sampler = self._sampler

    # ------------------------------------------------------------------ lifecycle

    def ask(self) -> Proposal | None:
        """Start the next trial of the study; None when the study has used its budget."""
        with self._storage.budget_lock(self._study_name):
            self._storage.fail_stale_trials(self._study)
            if self.trials_counted() >= self._budget:
                return None
            if self._first_point is not None:
                if not self._study.trials:  # not resumed, nor joined: this process opens the study
                    self._study.enqueue_trial(to_optuna_params(self._params, self._first_point))
                self._first_point = None
            with warnings.catch_warnings():
                # Optuna warns that storage heartbeats are meant for study.optimize; we beat ourselves.
                warnings.filterwarnings("ignore", message="Heartbeat of storage")
                trial = self._study.ask(self._distributions)
        if trial.number >= self._budget:
            # Only without a cross-process lock (a database other than SQLite/PostgreSQL):
            # another process asked between our count and our ask.
            self._study.tell(trial, state=_trial_state(FAILED))
            return None
        with self._lock:
            self._open_trials[trial.number] = trial
            self._reported_steps[trial.number] = set()
        if self._heartbeat is not None:
            self._heartbeat.add(trial._trial_id)
        return Proposal(trial.number + self._number_offset, to_point(self._params, trial.params), trial)

    def report(self, proposal: Proposal, step: int, value: float) -> bool:
        """Record epoch ``step``'s objective; True when the pruner stops the trial here."""
        from optuna.exceptions import UpdateFinishedTrialError

        trial: optuna.trial.Trial = proposal.handle
        if not math.isfinite(value):
            return False  # the runner fails a diverged trial; NaN would poison the pruner's medians
        try:
            trial.report(float(value), step)
            with self._lock:
                self._reported_steps.setdefault(trial.number, set()).add(step)
            return bool(trial.should_prune())
        except UpdateFinishedTrialError:
            return True  # another process failed it (lost heartbeat): stop training it

    def tell(self, proposal: Proposal, outcome: Outcome) -> None:
        """Finish the trial: COMPLETE with its value, PRUNED, or FAIL (with the error text)."""
        from optuna.exceptions import UpdateFinishedTrialError

        trial: optuna.trial.Trial = proposal.handle
        with self._lock:
            self._open_trials.pop(trial.number, None)
            reported = self._reported_steps.pop(trial.number, set())
        if self._heartbeat is not None:
            self._heartbeat.remove(trial._trial_id)
        state, value, error = outcome.state, outcome.value, outcome.error
        if state == COMPLETE and (value is None or not math.isfinite(value)):
            state, error = FAILED, error or f"objective value {value} is not a finite number"
        try:
            self._record_curve(trial, outcome.intermediate, reported)
            if state == FAILED and error:
                trial.set_user_attr(ERROR_ATTR, error[:2000])
            self._study.tell(trial, value if state == COMPLETE else None, state=_trial_state(state))
        except UpdateFinishedTrialError:
            pass  # another process already failed it for a lost heartbeat; nothing left to record

    def restore(self, trials: list[PastTrial]) -> None:
        """Replay trials of an earlier run into the study (``--resume``).

        A persistent study that already has trials holds them: no-op. In memory,
        the trials are added and new numbers continue after the highest one. A
        persistent study that is still empty (a search moved onto ``--storage``)
        gets them too, with a FAILED placeholder for each missing number, so that
        every process sharing it numbers trials alike.
        """
        if not trials or (self._storage.persistent and self.trials_counted() > 0):
            return
        by_number = {past.number: past for past in trials}
        self._reseed_after_restore(len(by_number))
        if self._storage.persistent:
            for number in range(max(by_number) + 1):
                past = by_number.get(number) or PastTrial(number, {}, Outcome(FAILED, error=NOT_RESTORED))
                self._study.add_trial(self._frozen_trial(past))
            return
        for number in sorted(by_number):
            self._study.add_trial(self._frozen_trial(by_number[number]))
        self._number_offset = max(by_number) + 1 - len(by_number)

    def _reseed_after_restore(self, restored: int) -> None:
        """Give a resumed study a sampler seeded from the study seed and the restored count.

        A fresh sampler seeded like the first run's would draw the restored
        trials' points again (random search and TPE's random start-up trials).
        Optuna's sampler state cannot be saved, so the resumed run is not the
        uninterrupted one, but it stays deterministic and explores new points.
        Grid and random search keep their seed: grid skips the cells the study
        already holds, and random draws trial ``k``'s point from (seed, ``k``),
        so a resumed random search equals the uninterrupted one.
        """
        from neural.search.seeds import derive_seed

        if sampler_name(self.settings) in ("grid", "random"):
            return  # their points are functions of the trial number: nothing to skip past
        seed = derive_seed(self.settings.seed, restored, "resume")
        self._sampler, info = make_sampler(dataclasses.replace(self.settings, seed=seed), self._params)
        self._sampler_info = {**info, "study_seed": self.settings.seed, "resumed_after_trials": restored}
        self._study.sampler = self._sampler

    def close(self) -> None:
        """Fail trials still open (the search was stopped), stop the heartbeat, release locks."""
        with self._lock:
            still_open = list(self._open_trials.values())
        for trial in still_open:
            proposal = Proposal(trial.number + self._number_offset, {}, trial)
            self.tell(proposal, Outcome(FAILED, error="the search stopped before this trial finished"))
        if self._heartbeat is not None:
            self._heartbeat.stop()
        self._storage.close()

    def header_lines(self) -> list[str]:
        """The sampler's random start-up and the pruning, one line each, for the search header."""
        return [line for line in (sampler_line(self.settings), pruner_line(self.settings)) if line]

    def describe(self) -> dict[str, Any]:
        """Searcher, sampler, pruner and storage settings for ``hpo_results.json``."""
        import optuna

        return {
            "searcher": self.name,
            "method": self.settings.method,
            "optuna_version": optuna.__version__,
            "sampler": dict(self._sampler_info),
            "pruner": dict(self._pruner_info),
            "storage": redact(self.settings.storage),
            "study_name": self._study_name if self._storage.persistent else None,
            "budget": self._budget,
            "heartbeat": (
                {
                    "interval": self._storage.heartbeat.interval,
                    "grace_period": self._storage.heartbeat.grace_period,
                }
                if self._storage.persistent
                else None
            ),
        }

    # ------------------------------------------------------------------ queries

    @property
    def study(self) -> optuna.Study:
        """The Optuna study (for tests, benchmarks and reports)."""
        return self._study

    def trials_counted(self) -> int:
        """How many trials of the study count against the budget (all but WAITING ones)."""
        from optuna.trial import TrialState

        counted = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.RUNNING)
        return len(self._study.get_trials(deepcopy=False, states=counted))

    def study_trials(self) -> list[PastTrial] | None:
        """Every finished trial of a persistent study, whichever process ran it, in number order.

        For a shared study (``--storage``/``--study``) this is what a results file
        of the whole study lists; the runner calls it when the search starts,
        after each trial it finishes and at the end (one storage read each time).
        None in memory: only this process adds trials there. A trial whose
        parameters no longer fit the space gets an empty point.
        """
        from optuna.trial import TrialState

        if not self._storage.persistent:
            return None
        states = {TrialState.COMPLETE: COMPLETE, TrialState.PRUNED: PRUNED, TrialState.FAIL: FAILED}
        finished = []
        for trial in self._study.get_trials(deepcopy=False, states=tuple(states)):
            # A finished trial never changes, so each is converted once (calls stay cheap in long studies).
            past = self._finished.get(trial.number)
            if past is None:
                past = self._finished[trial.number] = self._past_trial(trial, states[trial.state])
            finished.append(past)
        return finished

    def _past_trial(self, trial: optuna.trial.FrozenTrial, state: str) -> PastTrial:
        try:
            point = to_point(self._params, trial.params)
        except (KeyError, ValueError):
            point = {}
        curve = [trial.intermediate_values[step] for step in sorted(trial.intermediate_values)]
        outcome = Outcome(state, trial.value, curve, trial.user_attrs.get(ERROR_ATTR))
        return PastTrial(trial.number + self._number_offset, point, outcome)

    # ------------------------------------------------------------------ helpers

    def _beat(self, trial_id: int) -> None:
        self._storage.beat(self._study, trial_id)

    def _record_curve(self, trial: optuna.trial.Trial, curve: list[float], reported: set[int]) -> None:
        """Report the per-epoch values of ``curve`` that were not reported step by step."""
        for step, value in enumerate(curve):
            if step not in reported and value is not None and math.isfinite(value):
                trial.report(float(value), step)

    def _frozen_trial(self, past: PastTrial) -> optuna.trial.FrozenTrial:
        """A past trial as Optuna's ``FrozenTrial``; one whose point no longer fits is a FAIL."""
        import optuna

        state = past.outcome.state
        curve = {
            step: v for step, v in enumerate(past.outcome.intermediate) if v is not None and math.isfinite(v)
        }
        try:
            params = to_optuna_params(self._params, past.params)
        except (KeyError, ValueError):
            params, state = {}, FAILED
        value = past.outcome.value if state == COMPLETE else None
        if state == COMPLETE and (value is None or not math.isfinite(value)):
            state, value = FAILED, None
        if state == PRUNED and curve:
            value = curve[max(curve)]
        system_attrs = self._grid_attrs(params) if params else {}
        return optuna.trial.create_trial(
            state=_trial_state(state),
            value=value,
            params=params,
            distributions={name: self._distributions[name] for name in params},
            intermediate_values=curve,
            system_attrs=system_attrs,
        )

    def _grid_attrs(self, params: dict[str, Any]) -> dict[str, Any]:
        """For grid search: mark a replayed point's grid cell as visited, so it is not proposed again."""
        import optuna

        if not isinstance(self._sampler, optuna.samplers.GridSampler):
            return {}
        sampler = self._sampler
        cell = tuple(params[name] for name in sampler._param_names)
        for grid_id, candidate in enumerate(sampler._all_grids):
            if tuple(candidate) == cell:
                return {"grid_id": grid_id, "search_space": sampler._search_space}
        return {}


def heartbeat_options(settings: SearchSettings) -> dict[str, Any]:
    """``settings.options`` plus the heartbeat settings given by environment variables (options win)."""
    options = dict(settings.options)
    for key, variable in HEARTBEAT_ENV.items():
        text = os.environ.get(variable)
        if key in options or not text:
            continue
        try:
            options[key] = int(text)
        except ValueError:
            raise NeuralError(
                f"{variable}={text!r} is not a whole number of seconds; set it to e.g. 10"
            ) from None
    return options


def space_signature(params: tuple[Any, ...]) -> str:
    """A short hash of the space's parameters (names, kinds, bounds, choices), not their lines."""
    description = []
    for param in params:
        data = param.to_dict()
        data.pop("line", None)
        data.pop("column", None)
        description.append(data)
    text = json.dumps(description, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _study_direction(direction: str) -> optuna.study.StudyDirection:
    from optuna.study import StudyDirection

    if direction not in ("minimize", "maximize"):
        raise NeuralError(f"unknown objective direction '{direction}'; use minimize or maximize")
    return StudyDirection.MAXIMIZE if direction == "maximize" else StudyDirection.MINIMIZE


def _trial_state(state: str) -> optuna.trial.TrialState:
    from optuna.trial import TrialState

    return {COMPLETE: TrialState.COMPLETE, PRUNED: TrialState.PRUNED, FAILED: TrialState.FAIL}[state]
