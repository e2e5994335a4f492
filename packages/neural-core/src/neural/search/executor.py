"""Where trials run: the executor interface, and the plugin kind that provides one by name.

The trial runner (:mod:`neural.search.runner`) talks to an :class:`Executor`
only: it keeps every free slot busy with :meth:`Executor.submit` and calls
:meth:`Executor.poll`, which reports what happened through the runner's
:class:`TrialEvents` (an epoch ended: answer prune or continue; a trial
ended). The searcher, the results file, progress and Ctrl-C stay in the
search process whatever the executor, so every searcher works unchanged.

Core's own executors are :class:`~neural.search.workers.InProcessExecutor`
(``--parallel 1``) and :class:`~neural.search.workers.WorkerPool` (worker
processes), picked by the built-in ``local`` :class:`ExecutorPlugin`
(:mod:`neural.search.local_executor`). A plugin adds another one by name
(``--executor NAME``) through the ``neural_register_executors`` hook: it
returns :class:`ExecutorPlugin` subclasses, as ``neural-executor-ray`` does.
The lifecycle, all in the search process:

1. ``Plugin(settings, console)`` when the search starts (``settings`` holds
   ``--parallel``, ``--address``, ``--cpus-per-trial``, ``--gpus-per-trial``,
   ``--retries``); a setting the plugin cannot honour is a
   :class:`~neural.errors.NeuralError`.
2. :meth:`ExecutorPlugin.open` once, before the data loads: connect to where
   trials run and return how many run at once (the header says it).
3. :meth:`ExecutorPlugin.start` once the data is prepared: return the
   :class:`Executor` the runner drives to the end of the search, which then
   calls its ``shutdown`` (``kill=True`` after Ctrl-C or with trials open).
4. :meth:`ExecutorPlugin.close` after the search, also after an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from rich.console import Console

    from neural.backends.base import Backend, TrainData
    from neural.devices import DeviceChoice
    from neural.model import ConcreteModel
    from neural.search.trial import TrialReport, TrialTask

#: The name of core's executor (``--executor local``, the default).
LOCAL = "local"


class TrialEvents(Protocol):
    """What an executor reports back to the trial runner (it implements these)."""

    def on_epoch(self, number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
        """An epoch of trial ``number`` ended; return True to prune the trial."""
        ...

    def on_done(self, report: TrialReport) -> None:
        """Trial ``report.number`` ended (complete, pruned or failed)."""
        ...


class Executor(Protocol):
    """Runs trials for the trial runner, one per slot; called only from the search process.

    The runner calls :meth:`free_slots` and :meth:`submit` until no slot is
    free, then :meth:`poll` in a loop; every submitted task ends in exactly one
    ``events.on_done`` (a trial the executor lost — a dead worker or node — as
    a failed report with the reason), and every epoch a trial finishes is
    reported through ``events.on_epoch`` before its ``on_done``, its answer
    delivered to the trial before it trains on.
    """

    def free_slots(self) -> int:
        """How many more tasks :meth:`submit` accepts now."""
        ...

    def submit(self, task: TrialTask) -> None:
        """Start ``task`` in a free slot (the caller checked :meth:`free_slots`)."""
        ...

    def poll(self, events: TrialEvents, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for epochs and ends of trials; report all that arrived."""
        ...

    def shutdown(self, *, kill: bool = False) -> None:
        """Stop running trials: politely, or at once when ``kill`` (Ctrl-C, trials still open)."""
        ...


@dataclass(frozen=True)
class ExecutorSettings:
    """The command line's say on where trials run (``neural run/compile --hpo``).

    ``parallel``: trials at once (a number, or ``"auto"``: what the executor
    fits); ``address``: the cluster to connect to (None: the executor's own
    default); ``cpus_per_trial`` and ``gpus_per_trial``: resources reserved for
    each trial (None: the executor's default; the framework gets
    ``cpus_per_trial`` threads); ``retries``: how many times a trial whose
    worker or node died is run again before it is recorded failed.
    ``device``: the device the trials train on, decided before the search
    (:class:`~neural.devices.DeviceChoice`; None when the caller decided none);
    ``share_gpus``: ``--share-gpus``, several local workers may share a GPU.
    """

    parallel: int | str = "auto"
    address: str | None = None
    cpus_per_trial: int | None = None
    gpus_per_trial: float | None = None
    retries: int = 0
    device: DeviceChoice | None = None
    share_gpus: bool = False


class ExecutorPlugin:
    """The base class of what ``neural_register_executors`` returns: one executor, by ``name``.

    Subclasses set ``name`` (what ``--executor`` takes) and ``summary`` (one
    line for ``neural plugins``) and implement :meth:`open` and :meth:`start`.
    Import heavy libraries (a cluster client) inside those methods, never at
    module top: ``neural --help`` loads every plugin module.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def __init__(self, settings: ExecutorSettings, console: Console) -> None:
        """Called when the search starts; raise NeuralError for a setting this executor cannot honour."""
        self.settings = settings
        self.console = console

    def open(self, n_trials: int) -> int:
        """Called once, before the data loads: get ready and return how many trials run at once.

        Never more than ``n_trials``; at least 1.
        """
        raise NotImplementedError

    def start(self, backend: Backend, data: TrainData, model: ConcreteModel) -> Executor:
        """Called once the data is prepared: return the executor the trial runner drives.

        ``model`` is the search space's nominal model (for a memory check).
        """
        raise NotImplementedError

    def trial_threads(self) -> int | None:
        """The framework threads each trial trained with (None: the framework's default).

        Called after the search: training the best point again with as many
        threads reproduces the best trial to the last digit.
        """
        return self.settings.cpus_per_trial

    def header_lines(self) -> list[str]:
        """Lines for the search header once :meth:`open` ran (where trials run, and how to change it)."""
        return []

    def close(self) -> None:
        """Called after the search (also after an error or Ctrl-C): release what :meth:`open` took."""


__all__ = ["LOCAL", "Executor", "ExecutorPlugin", "ExecutorSettings", "TrialEvents"]
