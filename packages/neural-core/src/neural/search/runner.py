"""The trial loop: ask the searcher, train, report epochs, tell, record — for every searcher.

The driver (``neural.search.driver.run_search``) builds a :class:`TrialRunner`
with a searcher, an executor (in-process or worker processes, see
``neural.search.workers``, or a plugin's: ``neural.search.executor``), the study record and the progress display, and
calls :meth:`TrialRunner.run` once. The loop keeps every executor slot busy
until the budget (``n_trials``), the deadline (``--timeout``) or the space
(``ask`` → None) runs out. Each trial's seed derives from the study seed and
the trial number. A point the model cannot be built at (``bind`` raises) is a
failed trial; so is anything the backend raises or a diverging loss. After
``max_consecutive_failures`` failures in a row the search stops with
:class:`SearchStopped`. Ctrl-C stops the workers, marks running trials failed
("interrupted"), writes the file and raises :class:`SearchInterrupted`.

A study shared with other processes (``--storage``/``--study``): when the search
starts, after each trial of this process ends and when the search ends, the
runner asks :meth:`Searcher.study_trials` for the whole study's finished trials
and adds those it does not hold yet (other processes' trials, or trials a
crashed run left behind) to the results record, by trial number. So the budget
check, the best trial and the results file cover the whole study; this
process's own running trials stay ``running``. When the study is full (``ask``
→ None) but trials of other processes are still running, the runner waits for
them (polling the study every second; a trial of a killed process is failed by
the searcher once its heartbeat is stale), so every process ends with the
whole study in its results file and trains the study's best point.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from neural.errors import DiagnosticsError, NeuralError
from neural.search.base import FAILED, Outcome, PastTrial, Proposal
from neural.search.proposals import SearcherError, check_proposal
from neural.search.results import INTERRUPTED, StudyRecord, TrialRecord, now_iso
from neural.search.results_schema import RUNNING
from neural.search.seeds import trial_seed
from neural.search.trial import TrialReport, TrialTask, failed_report

if TYPE_CHECKING:
    from neural.model import ConcreteModel
    from neural.search.base import Searcher
    from neural.search.executor import Executor
    from neural.search.progress import SearchProgress
    from neural.space.space import SearchSpace

#: How often the loop wakes up while trials run (deadline checks, display).
_POLL_SECONDS = 0.25
#: How often a process whose shared study is full checks whether the other processes' trials ended.
_SHARED_POLL_SECONDS = 1.0


class SearchInterrupted(NeuralError):
    """Ctrl-C stopped the search; everything finished so far is in the results file."""


class SearchStopped(NeuralError):
    """Too many trials failed in a row; the search stopped."""


@dataclass
class RunnerLimits:
    """When the loop stops starting trials: ``n_trials`` counted over the whole study
    (restored trials included), ``timeout`` seconds from the start of this run,
    ``max_consecutive_failures`` failed trials in a row."""

    n_trials: int
    timeout: float | None = None
    max_consecutive_failures: int = 5


@dataclass
class _Open:
    proposal: Proposal
    record: TrialRecord


def with_epochs(model: ConcreteModel, epochs: int | None) -> ConcreteModel:
    """``model`` with its train block's ``epochs`` replaced (``--epochs``), or unchanged."""
    if epochs is None or epochs == model.train.epochs:
        return model
    return dataclasses.replace(model, train=dataclasses.replace(model.train, epochs=epochs))


def bind_error_text(error: NeuralError) -> str:
    """One line saying why a point could not be built into a model."""
    if isinstance(error, DiagnosticsError) and error.diagnostics:
        return f"invalid model at this point: {error.diagnostics[0].message}"
    lines = str(error).strip().splitlines()
    return f"invalid model at this point: {lines[0] if lines else type(error).__name__}"


class TrialRunner:
    """Drives one search to its end. The searcher is only ever called from this process."""

    def __init__(
        self,
        *,
        space: SearchSpace,
        searcher: Searcher,
        executor: Executor,
        study: StudyRecord,
        limits: RunnerLimits,
        seed: int,
        progress: SearchProgress,
        epochs: int | None = None,
        on_trial_end: Callable[[StudyRecord], None] | None = None,
    ) -> None:
        self.space = space
        self.searcher = searcher
        self.executor = executor
        self.study = study
        self.limits = limits
        self.seed = seed
        self.progress = progress
        self.epochs = epochs
        self.on_trial_end = on_trial_end
        self.exhausted = False
        self.timed_out = False
        self._open: dict[int, _Open] = {}
        self._failures_in_a_row = 0
        self._last_failure: str | None = None
        self._deadline: float | None = None
        self._started = 0
        self._shared = False
        self._said_waiting = False

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        """Run trials until the budget, the deadline or the space is used up.

        Raises :class:`SearchStopped` after too many failures in a row and
        :class:`SearchInterrupted` on Ctrl-C; the results file is complete
        on disk in every case.
        """
        if self.limits.timeout is not None:
            self._deadline = time.monotonic() + self.limits.timeout
        try:
            self._run()
        finally:
            self.study.close()

    def _run(self) -> None:
        try:
            self.merge_study_trials()
            self._loop()
            self.merge_study_trials()  # before close: the searcher's storage is still open
        except KeyboardInterrupt:
            self._interrupt()
            raise SearchInterrupted("the search was interrupted") from None
        except SearcherError:
            self._interrupt(status="stopped")
            raise
        finally:
            self.executor.shutdown(kill=bool(self._open))
            self.searcher.close()
        if self._stopped_by_failures():
            self.study.status = "stopped"
            self.study.save(wait=True)
            raise SearchStopped(
                f"the search stopped after {self._failures_in_a_row} failed trials in a row; "
                f"the last one failed with: {self._last_failure}. Fix the model or narrow the search "
                "space, then start again with --force (or raise max_consecutive_failures)"
            )
        self.study.status = "finished"
        self.study.save(wait=True)

    def _loop(self) -> None:
        while True:
            while self.executor.free_slots() > 0 and self._may_start():
                proposal = self.searcher.ask()
                if proposal is None:
                    self.exhausted = True
                    break
                self._start(check_proposal(self.searcher, proposal, self))
            if not self._open:
                if self._wait_for_other_processes():
                    continue
                return
            self.executor.poll(self, _POLL_SECONDS)

    def __contains__(self, number: object) -> bool:
        """Whether trial ``number`` is in the study or running (what :func:`check_proposal` asks)."""
        return number in self.study.trials or number in self._open

    def _may_start(self) -> bool:
        if self.exhausted or self._stopped_by_failures():
            return False
        # the deadline is checked once a trial has started, so even a tiny --timeout runs one trial
        if self._deadline is not None and self._started and time.monotonic() >= self._deadline:
            self.timed_out = True
            return False
        finished = sum(1 for trial in self.study.trials.values() if trial.is_finished)
        return finished + len(self._open) < self.limits.n_trials

    def _stopped_by_failures(self) -> bool:
        limit = self.limits.max_consecutive_failures
        return limit > 0 and self._failures_in_a_row >= limit

    # ------------------------------------------------------------------ one trial

    def _start(self, proposal: Proposal) -> None:
        number = proposal.number
        params = {
            param.name: param.to_json_value(proposal.params[param.name])
            for param in self.space.params
            if param.name in proposal.params
        }
        record = TrialRecord(
            number=number, state=RUNNING, params=params, seed=trial_seed(self.seed, number), started=now_iso()
        )
        self._open[number] = _Open(proposal, record)
        self._started += 1
        self.progress.trial_started(number, params)
        try:
            model = with_epochs(self.space.bind(proposal.params), self.epochs)
        except NeuralError as error:
            # An infeasible point (an impossible shape) costs no training: it is failed and told to
            # the searcher at once, and does not count toward stopping after failures in a row.
            streak = self._failures_in_a_row
            self.on_done(failed_report(number, bind_error_text(error), traceback.format_exc()))
            self._failures_in_a_row = streak
            return
        self.study.put(record)
        self.study.save()
        self.executor.submit(TrialTask(number=number, model=model, seed=record.seed))

    def on_epoch(self, number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
        """An epoch of trial ``number`` ended: show it and ask the searcher whether to prune."""
        self.progress.epoch(number, epoch, value)
        trial = self._open.get(number)
        if trial is None:
            return True  # not ours any more (interrupted): stop it
        # A running trial's finished epochs are on disk too (a long trial can be watched,
        # and a killed search keeps them); on_done replaces them with the trial's report.
        trial.record.intermediate_values.append(value)
        trial.record.metrics.append(dict(metrics))
        self.study.put(trial.record)
        self.study.save()
        return bool(self.searcher.report(trial.proposal, epoch, value))

    def on_done(self, report: TrialReport) -> None:
        """Trial ``report.number`` ended: record it, tell the searcher, save the file."""
        trial = self._open.pop(report.number, None)
        if trial is None:
            return
        record = trial.record
        record.state = report.state
        record.value = report.value
        record.intermediate_values = list(report.intermediate)
        record.metrics = [dict(epoch) for epoch in report.history]
        record.duration = report.duration
        record.error = report.error
        record.traceback = report.traceback
        record.gpus = list(report.gpus)
        record.device = report.device
        record.finished = now_iso()
        self.searcher.tell(
            trial.proposal,
            Outcome(
                state=report.state,
                value=report.value,
                intermediate=list(report.intermediate),
                error=report.error,
            ),
        )
        if report.state == FAILED:
            self._failures_in_a_row += 1
            self._last_failure = report.error
        else:
            self._failures_in_a_row = 0
        self.study.put(record)
        self.progress.trial_finished(record, self.study.best())
        self.merge_study_trials()
        self.study.save()
        if self.on_trial_end is not None:
            self.on_trial_end(self.study)  # e.g. --report rewrites report.html

    # ------------------------------------------------------------------ a shared study

    def merge_study_trials(self) -> None:
        """Add the shared study's finished trials this record lacks (one searcher query).

        Trials already in the record (this process's own, or restored from the
        results file) are kept as they are: they carry metrics and durations the
        study does not. Each added trial prints its line like one of ours.
        """
        shared = self.searcher.study_trials()
        if shared is None:
            return
        self._shared = True
        added = [
            self._shared_record(past)
            for past in shared
            if past.number not in self.study.trials and past.number not in self._open
        ]
        for record in added:
            self.study.put(record)
        best = self.study.best()
        for record in added:
            self.progress.trial_finished(record, best)

    def _wait_for_other_processes(self) -> bool:
        """Pause and return True while a shared study is full but not finished.

        Called when this process has no trial open. The searcher answered None
        although fewer than the budget have finished: other processes hold the
        rest. After the pause the loop asks again (the searcher then fails
        trials whose process died, and proposes one if the budget has room).
        """
        if not (self._shared and self.exhausted) or self._stopped_by_failures():
            return False
        if self._deadline is not None and time.monotonic() >= self._deadline:
            return False
        running = self.limits.n_trials - sum(1 for trial in self.study.trials.values() if trial.is_finished)
        if running <= 0:
            return False
        if not self._said_waiting:
            self.progress.console.print(
                f"the study is full: waiting for {running} trial(s) other processes are running"
            )
            self._said_waiting = True
        time.sleep(_SHARED_POLL_SECONDS)
        self.merge_study_trials()
        self.study.save()
        self.exhausted = False
        return True

    def _shared_record(self, past: PastTrial) -> TrialRecord:
        """A trial another process ran, as the results file holds it (no metrics or duration)."""
        params = {
            param.name: param.to_json_value(past.params[param.name])
            for param in self.space.params
            if param.name in past.params
        }
        outcome = past.outcome
        return TrialRecord(
            number=past.number,
            state=outcome.state,
            params=params,
            value=outcome.value,
            intermediate_values=list(outcome.intermediate),
            seed=trial_seed(self.seed, past.number),
            error=outcome.error,
        )

    # ------------------------------------------------------------------ Ctrl-C

    def _interrupt(self, status: str = "interrupted") -> None:
        """Stop the workers, mark running trials failed ("interrupted") and save."""
        self.executor.shutdown(kill=True)
        for number in list(self._open):
            self.on_done(failed_report(number, INTERRUPTED))
        self.study.status = status
        self.study.save(wait=True)
