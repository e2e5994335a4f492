"""Whether ``--parallel N`` fits the machine: said before the search starts, refused when it cannot.

Called by :func:`neural.search.driver.run_search` once the data is prepared
and before any worker starts. More workers than cores only slows every trial
(each gets a sliver of a core), so it is said in one line; more workers than
the free memory can hold would swap or meet the OOM killer, so it is refused
with the figure and the largest ``--parallel`` that fits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neural.errors import NeuralError
from neural.model_memory import available_memory, estimate_memory, format_bytes

if TYPE_CHECKING:
    from rich.console import Console

    from neural.backends.base import TrainData
    from neural.model import ConcreteModel

#: What one worker process costs before it trains: an interpreter with the framework imported
#: (PyTorch on CPU measures ~300 MB resident).
WORKER_BASE_BYTES = 320 * 2**20


def worker_bytes(model: ConcreteModel, data: TrainData) -> int:
    """The memory one worker needs: the framework, its copy of the data, one training step of ``model``."""
    arrays = (data.x_train, data.y_train, data.x_val, data.y_val)
    return WORKER_BASE_BYTES + sum(int(array.nbytes) for array in arrays) + estimate_memory(model).total


def check_parallel(
    parallel: int, cores: int, model: ConcreteModel, data: TrainData, console: Console
) -> None:
    """Refuse ``parallel`` workers the free memory cannot hold; say so when they outnumber ``cores``."""
    if parallel <= 1:
        return
    each = worker_bytes(model, data)
    free = available_memory()
    if free is not None and parallel * each > free:
        fits = max(1, free // each)
        raise NeuralError(
            f"--parallel {parallel} needs about {format_bytes(parallel * each)} ({parallel} workers × "
            f"{format_bytes(each)}: the framework, the data and one training step each), but only "
            f"{format_bytes(free)} is free: use --parallel {fits} or fewer"
        )
    if parallel > cores:
        console.print(
            f"note: --parallel {parallel} starts more workers than this machine's {cores} core(s), so every "
            f"trial runs slower; --parallel {cores} uses the machine fully",
            highlight=False,
            soft_wrap=True,
        )


__all__ = ["WORKER_BASE_BYTES", "check_parallel", "worker_bytes"]
