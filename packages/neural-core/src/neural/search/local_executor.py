"""``--executor local`` (the default): trials in this process or in worker processes on this machine.

Core registers :class:`LocalExecutors` through ``neural_register_executors``
like any plugin. ``--parallel 1`` runs each trial inside the search process
(:class:`~neural.search.workers.InProcessExecutor`), unless the backend
recycles its workers (Keras); otherwise :class:`~neural.search.workers.WorkerPool`
keeps that many worker processes, the cores split between them
(``--cpus-per-trial C`` gives each C framework threads instead). On GPUs
(the search's device is ``auto`` or ``cuda`` and GPUs are visible) each
worker gets one of its own through ``CUDA_VISIBLE_DEVICES``
(:func:`neural.devices.worker_gpus`; ``--parallel auto`` is one per GPU).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from neural.errors import NeuralError
from neural.search.executor import LOCAL, Executor, ExecutorPlugin, ExecutorSettings

if TYPE_CHECKING:
    from rich.console import Console

    from neural.backends.base import Backend, TrainData
    from neural.model import ConcreteModel

#: Options that only a cluster executor honours, with what they are for.
_CLUSTER_ONLY = {
    "address": "--address",
    "gpus_per_trial": "--gpus-per-trial",
    "retries": "--retries",
}


class LocalExecutors(ExecutorPlugin):
    """Worker processes on this machine (``--parallel N|auto``), or the search process itself."""

    name: ClassVar[str] = LOCAL
    summary: ClassVar[str] = "worker processes on this machine (--parallel N|auto)"

    def __init__(self, settings: ExecutorSettings, console: Console) -> None:
        super().__init__(settings, console)
        given = [flag for field, flag in _CLUSTER_ONLY.items() if getattr(settings, field)]
        if given:
            raise NeuralError(
                f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} only to a cluster executor: "
                "add --executor ray "
                "(pip install neural-executor-ray) or leave them out"
            )
        self.workers = 1
        self.gpus: list[str] | None = None
        self._gpus_line: str | None = None

    def open(self, n_trials: int) -> int:
        from neural.devices import worker_gpus
        from neural.search.defaults import AUTO
        from neural.search.driver import resolve_workers

        self.workers = resolve_workers(self.settings.parallel, n_trials)
        device, share = self.settings.device, self.settings.share_gpus
        if device is not None:
            if self.settings.parallel == AUTO and device.uses_gpu and device.gpus and not share:
                self.workers = min(self.workers, len(device.gpus))  # auto on GPUs: one worker per GPU
            self.gpus, self._gpus_line = worker_gpus(device, self.workers, share=share)
        return self.workers

    def start(self, backend: Backend, data: TrainData, model: ConcreteModel) -> Executor:
        from neural.search.capacity import check_parallel
        from neural.search.workers import InProcessExecutor, WorkerPool, available_cores

        check_parallel(self.workers, available_cores(), model, data, self.console)
        threads = self.settings.cpus_per_trial
        recycle_after = backend.trials_per_worker
        if self.workers <= 1 and recycle_after is None:
            return InProcessExecutor(backend, data, threads=threads)
        self.console.print(
            f"workers: starting {self.workers} worker process(es); each imports {backend.name} before its first epoch",
            highlight=False,
        )
        return WorkerPool(
            backend, data, self.workers, threads=threads, trials_per_worker=recycle_after, gpus=self.gpus
        )

    def header_lines(self) -> list[str]:
        from neural.search.defaults import workers_line

        lines = [self._gpus_line, workers_line(self.workers, self.settings.parallel)]
        return [line for line in lines if line]

    def trial_threads(self) -> int | None:
        if self.settings.cpus_per_trial is not None:
            return self.settings.cpus_per_trial
        if self.workers > 1:
            from neural.search.workers import threads_per_worker

            return threads_per_worker(self.workers)
        return None


__all__ = ["LocalExecutors"]
