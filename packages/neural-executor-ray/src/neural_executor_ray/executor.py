"""The Ray executor: one :class:`~neural_executor_ray.actors.TrialWorker` actor per slot.

Built by :meth:`RayExecutors.start <neural_executor_ray.ray_executors.RayExecutors.start>`
once Ray is connected and the data prepared; the trial runner drives it like
a local worker pool (:class:`neural.search.executor.Executor`). The data goes
into Ray's object store once (``ray.put``); every actor, a replacement too,
reads it from there. :meth:`RayExecutor.poll` waits on the running trials and
on the broker's next epoch reports at once (``ray.wait``), answers each report
with the runner's verdict, and reports every finished trial. A trial whose
actor or node died is failed with the reason, or run again on a fresh actor
when ``retries`` allows (an actor that cannot even start stops the search with
the cause: every other would fail alike); a rerun's epochs that the searcher already saw are
answered "go on" without asking it twice. A backend with ``trials_per_worker``
(Keras) gets a fresh actor after that many trials, as local workers do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.search.trial import failed_report

if TYPE_CHECKING:
    from neural.backends.base import Backend, TrainData
    from neural.search.executor import TrialEvents
    from neural.search.trial import TrialTask


@dataclass
class _Slot:
    actor: Any
    task: TrialTask | None = None
    ref: Any = None
    trials_done: int = 0


class RayExecutor:
    """``slots`` trial actors of ``cpus`` CPUs and ``gpus`` GPUs each; ``threads`` framework threads per trial."""

    def __init__(
        self,
        backend: Backend,
        data: TrainData,
        *,
        slots: int,
        cpus: float,
        gpus: float,
        threads: int | None,
        retries: int = 0,
    ) -> None:
        import ray

        from neural_executor_ray.actors import TrialWorker, VerdictBroker

        self.threads = threads
        self.retries = retries
        self._backend = backend
        self._data_ref = ray.put(data)
        self._worker_class: Any = ray.remote(TrialWorker).options(
            num_cpus=cpus, num_gpus=gpus, max_restarts=0, max_task_retries=0
        )
        self._broker: Any = ray.remote(VerdictBroker).options(num_cpus=0).remote()
        self._slots = [_Slot(self._new_actor()) for _ in range(max(1, slots))]
        self._reports_ref: Any = None
        self._attempts: dict[int, int] = {}
        #: the last epoch of each trial the runner was asked about (a rerun's earlier epochs are not asked again)
        self._told: dict[int, int] = {}

    def _new_actor(self) -> Any:
        return self._worker_class.remote(self._backend, self._data_ref)

    # ------------------------------------------------------------------ the Executor interface

    def free_slots(self) -> int:
        return sum(1 for slot in self._slots if slot.task is None)

    def submit(self, task: TrialTask) -> None:
        """Start ``task`` on an idle actor (the caller checked :meth:`free_slots`)."""
        if task.threads is None:
            task.threads = self.threads
        for slot in self._slots:
            if slot.task is None:
                self._attempts[task.number] = self._attempts.get(task.number, 0) + 1
                self._run(slot, task)
                return
        raise RuntimeError("submit() called with no idle slot")

    def _run(self, slot: _Slot, task: TrialTask) -> None:
        slot.task = task
        slot.ref = slot.actor.run.remote(task, self._broker)

    def poll(self, events: TrialEvents, timeout: float) -> None:
        """Wait up to ``timeout`` s for epoch reports and finished trials; hand them all to ``events``."""
        import ray

        busy = [slot for slot in self._slots if slot.task is not None]
        if not busy:
            return
        if self._reports_ref is None:
            self._reports_ref = self._broker.next_reports.remote(timeout)
        ray.wait([self._reports_ref, *(slot.ref for slot in busy)], num_returns=1, timeout=timeout)
        # Epochs first: a trial cannot end before its last epoch's verdict, so its report comes after.
        ready, _ = ray.wait([self._reports_ref], timeout=0)
        if ready:
            reports, self._reports_ref = ray.get(self._reports_ref), None
            answers = [(number, epoch, self._verdict(events, number, epoch, value, metrics))
                       for number, epoch, value, metrics in reports]
            if answers:
                self._broker.verdicts.remote(answers)
        finished, _ = ray.wait([slot.ref for slot in busy], num_returns=len(busy), timeout=0)
        for slot in busy:
            if slot.ref in finished:
                self._collect(slot, events)

    def _verdict(self, events: TrialEvents, number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
        if epoch <= self._told.get(number, -1):
            return False  # a rerun repeating an epoch the searcher already judged "go on"
        self._told[number] = epoch
        return bool(events.on_epoch(number, epoch, value, metrics))

    def _collect(self, slot: _Slot, events: TrialEvents) -> None:
        """Report the trial ``slot`` finished (or lost), and free or replace the slot."""
        import ray
        from ray.exceptions import RayActorError, RayTaskError

        task, ref = slot.task, slot.ref
        assert task is not None
        slot.task, slot.ref = None, None
        try:
            report = ray.get(ref)
        except RayActorError as error:
            if error.actor_init_failed:
                # Every actor would fail the same way (a node without the packages, a backend that
                # cannot be unpickled there): stop the search with the cause, not trial after trial.
                raise NeuralError(
                    f"a Ray worker could not start: {_last_line(error)}; every node needs the packages "
                    "this machine runs (neural-core, the backend, neural-executor-ray)"
                ) from error
            slot.actor = self._new_actor()
            if self._attempts.get(task.number, 1) <= self.retries:
                self._attempts[task.number] += 1
                self._run(slot, task)
                return
            self._forget(task.number)
            events.on_done(failed_report(task.number, death_reason(error)))
            return
        except RayTaskError as error:  # execute_trial lets no ordinary exception out: this is Ray's own
            self._forget(task.number)
            events.on_done(failed_report(task.number, f"ray: {_first_line(error)}", str(error)))
            return
        self._forget(task.number)
        slot.trials_done += 1
        recycle_after = self._backend.trials_per_worker
        if recycle_after is not None and slot.trials_done >= recycle_after:
            # As local workers are (Keras): a fresh actor after that many trials keeps memory flat.
            ray.kill(slot.actor, no_restart=True)
            slot.actor, slot.trials_done = self._new_actor(), 0
        events.on_done(report)

    def _forget(self, number: int) -> None:
        self._attempts.pop(number, None)
        self._told.pop(number, None)

    def shutdown(self, *, kill: bool = False) -> None:
        """Stop every actor and the broker (a running trial has nowhere to report to any more)."""
        import ray

        for slot in self._slots:
            ray.kill(slot.actor, no_restart=True)
        ray.kill(self._broker, no_restart=True)
        self._slots = []

    def worker_pids(self) -> list[int]:
        """The process ids of the trial actors, once they are up (for tests and diagnostics)."""
        import ray

        return [int(pid) for pid in ray.get([slot.actor.pid.remote() for slot in self._slots])]


def death_reason(error: BaseException) -> str:
    """One line for a trial whose actor or node died: ``ray worker died (pid 123 on 10.0.0.2): ...``."""
    text = str(error)
    pid = re.search(r"\bpid: (\d+)", text)
    ip = re.search(r"\bip: ([\w.:-]+)", text)
    detail = re.search(r"Worker exit detail: (.+?)(?:\. |$)", text, re.MULTILINE)
    where = f" (pid {pid.group(1)} on {ip.group(1)})" if pid and ip else ""
    if detail:
        why = detail.group(1).strip()
    elif "node" in text.lower() and "died" in text.lower():
        why = "its node died"
    else:
        why = _first_line(error)
    return f"ray worker died{where}: {why}"


def _last_line(error: BaseException) -> str:
    """The last line of a remote traceback: the exception that ended it."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
