"""The two kinds of Ray actor a search starts: trial workers, and the broker of pruning verdicts.

A :class:`TrialWorker` is one slot: a Ray actor holding the backend and the
search's data (fetched once from Ray's object store when the actor starts),
running one trial at a time with :func:`neural.search.trial.execute_trial`,
the same code path as a local worker. An actor lives for the whole search, so
the framework is imported once per slot and the actor keeps the
``CUDA_VISIBLE_DEVICES`` Ray gave it (a Ray task using a GPU would start a
fresh process for every trial).

After every epoch the trial reports to the :class:`VerdictBroker` (an async
actor) and waits for the answer; the search process collects the reports from
the broker, asks its searcher, and hands the verdicts back. So pruning works
as with local workers, and the searcher never leaves the search process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neural.backends.base import Backend, TrainData
    from neural.search.trial import TrialReport, TrialTask

#: One epoch's report: (trial number, epoch, objective value, metrics).
EpochReport = tuple[int, int, float, dict[str, float]]


class TrialWorker:
    """The body of a trial actor (wrapped with ``ray.remote`` by the executor)."""

    def __init__(self, backend: Backend, data: TrainData) -> None:
        """Called once when Ray starts the actor; ``data`` arrives from the object store."""
        self.backend = backend
        self.data = data
        self.trials_run = 0

    def pid(self) -> int:
        """This actor's process id (the executor waits on it to know the actor is up)."""
        return os.getpid()

    def run(self, task: TrialTask, broker: Any) -> TrialReport:
        """Train one trial; report each epoch to ``broker`` and wait for its verdict. Returns the report."""
        import ray

        from neural.search.trial import execute_trial

        def on_epoch(number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
            return bool(ray.get(broker.report.remote(number, epoch, value, metrics)))

        report = execute_trial(self.backend, task, self.data, on_epoch)
        # The generated model module holds reference cycles: free them after every trial, and
        # after the first one freeze what is left (the framework) out of the collector's sight.
        gc.collect()
        self.trials_run += 1
        if self.trials_run == 1:
            gc.freeze()
        return report


class VerdictBroker:
    """Carries epoch reports from trial actors to the search process and its verdicts back (async actor)."""

    def __init__(self) -> None:
        self._reports: list[EpochReport] = []
        self._arrived = asyncio.Event()
        self._waiting: dict[tuple[int, int], asyncio.Future[bool]] = {}

    async def report(self, number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
        """Called by a trial after each epoch; returns the search process's verdict (True: prune)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[(number, epoch)] = future
        self._reports.append((number, epoch, value, metrics))
        self._arrived.set()
        return await future

    async def next_reports(self, timeout: float) -> list[EpochReport]:
        """Called by the search process: the reports that arrived, waiting up to ``timeout`` s for one."""
        if not self._reports:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout)
        reports, self._reports = self._reports, []
        self._arrived.clear()
        return reports

    def verdicts(self, answers: list[tuple[int, int, bool]]) -> None:
        """Called by the search process with (trial, epoch, prune) for reports it has judged."""
        for number, epoch, prune in answers:
            future = self._waiting.pop((number, epoch), None)
            if future is not None and not future.done():
                future.set_result(prune)
