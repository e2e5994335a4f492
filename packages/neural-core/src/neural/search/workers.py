"""Where trials run: in the search process, or in persistent worker processes.

Both implement :class:`neural.search.executor.Executor` for the trial runner:
``free_slots()``, ``submit(task)``, ``poll(events, timeout)`` and
``shutdown()``. ``poll`` delivers what happened through the runner's
:class:`TrialEvents` (an epoch finished — answer prune or continue; a trial
ended), so the searcher stays in the parent and is the only one asked.

:class:`InProcessExecutor` (``--parallel 1``) runs the trial right inside
``poll``: no process hop, so the framework's per-trial overhead stays tiny.
:class:`WorkerPool` (``--parallel N``) keeps N processes started with the
``spawn`` context (never forked). Each gets the prepared data once, runs one trial at a time,
sends every epoch's objective to the parent and waits for its verdict. A
worker that dies (SIGKILL, the OOM killer) fails its trial with "worker died:
signal 9" and is replaced; a worker whose search process is killed exits at
once (:func:`watch_parent`). A backend with ``trials_per_worker`` (Keras) gets a
pool even for ``--parallel 1``, and each worker is replaced after that many
trials, so a long search's memory stays flat. Threads are split between workers:
``OMP_NUM_THREADS`` is set before the worker starts (so before it imports the
framework) and the backend is told the same number. GPUs likewise: given a
list of GPU ids, worker ``i`` starts with ``CUDA_VISIBLE_DEVICES`` set to the
``i``-th (in turn when there are more workers than ids), so it sees that one
GPU alone, as ``cuda:0``; a replacement worker gets its predecessor's.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from neural.devices import CUDA_VISIBLE_DEVICES
from neural.errors import NeuralError
from neural.search.executor import TrialEvents
from neural.search.trial import TrialTask, execute_trial, failed_report

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from neural.backends.base import Backend, TrainData

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def available_cores() -> int:
    """CPU cores this process may use (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def threads_per_worker(workers: int) -> int:
    """Framework threads for each of ``workers`` processes: the cores split evenly, at least 1."""
    return max(1, available_cores() // max(1, workers))


# ----------------------------------------------------------------------------- in-process


class InProcessExecutor:
    """Runs one trial at a time inside the search process (``--parallel 1``)."""

    def __init__(self, backend: Backend, data: TrainData, threads: int | None = None) -> None:
        self.backend = backend
        self.data = data
        self.threads = threads
        self._pending: TrialTask | None = None

    def free_slots(self) -> int:
        return 0 if self._pending is not None else 1

    def submit(self, task: TrialTask) -> None:
        """Queue ``task``; it runs in the next :meth:`poll`."""
        if task.threads is None:
            task.threads = self.threads
        self._pending = task

    def poll(self, events: TrialEvents, timeout: float) -> None:
        """Run the queued trial to its end, reporting epochs and the result to ``events``."""
        task, self._pending = self._pending, None
        if task is None:
            return
        report = execute_trial(self.backend, task, self.data, events.on_epoch)
        events.on_done(report)

    def shutdown(self, *, kill: bool = False) -> None:
        self._pending = None

    def worker_pids(self) -> list[int]:
        return []


# ----------------------------------------------------------------------------- worker processes


def worker_main(conn: Connection, backend: Backend, data: TrainData, parent_pid: int | None = None) -> None:
    """The body of a worker process: run trials sent by the parent until told to stop.

    SIGINT is ignored so that Ctrl-C in a terminal (sent to the whole process
    group) reaches only the parent, which then stops the workers itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(parent_pid)

    def on_epoch(number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
        conn.send(("epoch", number, epoch, value, metrics))
        return bool(conn.recv())

    trials_run = 0
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message[0] != "trial":
            return
        report = execute_trial(backend, message[1], data, on_epoch)
        try:
            conn.send(("done", report))
        except (BrokenPipeError, OSError):
            return
        del report, message
        # The generated model module holds reference cycles: free them after every trial.
        # After the first trial everything still alive is the framework itself, so it is
        # frozen out of the collector's sight and later collections take ~1 ms, not ~100 ms.
        gc.collect()
        trials_run += 1
        if trials_run == 1:
            gc.freeze()


#: How often a worker checks that the search process is still alive (seconds).
PARENT_CHECK_INTERVAL = 0.1


def watch_parent(parent_pid: int | None, interval: float = PARENT_CHECK_INTERVAL) -> None:
    """Exit this worker at once when the search process ``parent_pid`` dies (SIGKILL, a crash).

    An idle worker sees the parent's end of the pipe close; a training one does
    not read the pipe until its trial ends (and one still starting may find a
    trial already queued in it), so a daemon thread checks the parent's pid
    instead: re-parenting to init or a subreaper changes it. The process ends
    without cleanup: its trial's results have nowhere to go.
    """
    parent = os.getppid() if parent_pid is None else parent_pid

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="neural-parent-watch", daemon=True).start()


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: TrialTask | None = None
    trials_done: int = 0


@contextmanager
def _child_environment(threads: int, gpu: str | None = None) -> Iterator[None]:
    """Set the thread-count variables (and ``CUDA_VISIBLE_DEVICES`` to ``gpu``, when given) for a
    child about to be started, then restore them."""
    values = {name: str(threads) for name in _THREAD_VARIABLES}
    if gpu is not None:
        values[CUDA_VISIBLE_DEVICES] = gpu
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while a child starts, so it is born ignoring Ctrl-C (the disposition
    survives exec) and a Ctrl-C during its start-up cannot kill it with a traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _death_reason(process: BaseProcess) -> str:
    process.join(timeout=1.0)
    code = process.exitcode
    if code is None:
        return "worker died: it stopped answering"
    if code < 0:
        return f"worker died: signal {-code}"
    return f"worker died: exit code {code}"


class WorkerPool:
    """N persistent worker processes, one trial each at a time (``--parallel N``)."""

    def __init__(
        self,
        backend: Backend,
        data: TrainData,
        size: int,
        threads: int | None = None,
        trials_per_worker: int | None = None,
        gpus: Sequence[str] | None = None,
    ) -> None:
        """Start ``size`` workers; ``gpus``: the GPU ids to hand out, one per worker (None: the
        workers inherit this process's ``CUDA_VISIBLE_DEVICES``)."""
        import multiprocessing

        self.backend = backend
        self.data = data
        self.size = max(1, size)
        self.threads = threads if threads is not None else threads_per_worker(self.size)
        self.trials_per_worker = trials_per_worker
        self.gpus: tuple[str, ...] = tuple(gpus or ())
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = [self._start_worker(index) for index in range(self.size)]

    def gpu_of(self, index: int) -> str | None:
        """The GPU id worker ``index`` is given (None when the pool hands out none)."""
        return self.gpus[index % len(self.gpus)] if self.gpus else None

    def _start_worker(self, index: int) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=worker_main,
            args=(child_end, self.backend, self.data, os.getpid()),
            name="neural-trial-worker",
            daemon=True,
        )
        try:
            with _child_environment(self.threads, self.gpu_of(index)), _sigint_ignored():
                process.start()
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            raise NeuralError(
                f"--parallel cannot hand the {self.backend.name} backend to a worker process ({error}); "
                "run with --parallel 1"
            ) from error
        finally:
            child_end.close()
        return _Worker(process=process, conn=parent_end)

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for tests and diagnostics)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def free_slots(self) -> int:
        return sum(1 for w in self._workers if w.task is None)

    def submit(self, task: TrialTask) -> None:
        """Send ``task`` to an idle worker (the caller checked :meth:`free_slots`)."""
        if task.threads is None:
            task.threads = self.threads
        for index, worker in enumerate(self._workers):
            if worker.task is None:
                if not worker.process.is_alive():  # died while idle: nothing lost, just replace it
                    worker = self._replace(index)
                elif self.trials_per_worker is not None and worker.trials_done >= self.trials_per_worker:
                    worker = self._retire(index)
                worker.task = task
                worker.conn.send(("trial", task))
                return
        raise RuntimeError("submit() called with no idle worker")

    def poll(self, events: TrialEvents, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for messages and deaths; handle all that arrived."""
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return
        waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(waitables, timeout=timeout))
        for worker in busy:
            if worker.conn in ready:
                self._drain(worker, events)
            elif worker.process.sentinel in ready:
                self._drain(worker, events)  # read what it sent before dying, then bury it

    def _drain(self, worker: _Worker, events: TrialEvents) -> None:
        try:
            while worker.task is not None and worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "epoch":
                    _, number, epoch, value, metrics = message
                    worker.conn.send(bool(events.on_epoch(number, epoch, value, metrics)))
                elif message[0] == "done":
                    worker.task = None
                    worker.trials_done += 1
                    events.on_done(message[1])
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            pass
        if worker.task is not None and not worker.process.is_alive():
            task, reason = worker.task, _death_reason(worker.process)
            self._replace(self._workers.index(worker))
            events.on_done(failed_report(task.number, reason))

    def _retire(self, index: int) -> _Worker:
        """Stop idle worker ``index`` after its ``trials_per_worker`` trials and start a fresh one."""
        old = self._workers[index]
        with suppress(BrokenPipeError, OSError):
            old.conn.send(("stop",))
        old.process.join(timeout=5.0)
        return self._replace(index)

    def _replace(self, index: int) -> _Worker:
        """Bury worker ``index`` and start a fresh one in its place; return the new one."""
        old = self._workers[index]
        old.conn.close()
        if old.process.is_alive():
            old.process.kill()
        old.process.join(timeout=1.0)
        self._workers[index] = self._start_worker(index)
        return self._workers[index]

    def shutdown(self, *, kill: bool = False) -> None:
        """Stop every worker: politely when idle, by SIGKILL when ``kill`` or when it hangs."""
        for worker in self._workers:
            if kill and worker.process.is_alive():
                worker.process.kill()
                continue
            with suppress(BrokenPipeError, OSError):
                worker.conn.send(("stop",))
        for worker in self._workers:
            worker.process.join(timeout=5.0)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=1.0)
            worker.conn.close()
        self._workers = []
