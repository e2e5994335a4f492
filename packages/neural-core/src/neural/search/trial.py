"""One trial: train a bound model with the backend and turn the run into a verdict.

:func:`execute_trial` is the single code path a trial takes, whether it runs in
the search process (``--parallel 1``) or in a worker process. It never lets an
ordinary exception out: a backend error, a diverging loss (NaN/inf) or a
missing objective metric becomes a failed :class:`TrialReport` with a one-line
reason and the traceback text. ``KeyboardInterrupt`` is let through so Ctrl-C
stops the search.

The divergence guard (train block ``divergence_guard``, on by default): a
classifier whose validation accuracy is still at chance after
:data:`GUARD_EPOCHS` epochs (or falls back to it later) has diverged or
collapsed onto one class; it stops at once and is recorded as pruned, its value
the last epoch's as for any pruned trial, with the reason in its error text.
It never touches a trial's last epoch, so a trial that runs to its end is
judged exactly as without the guard.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from neural.devices import visible_gpus
from neural.errors import NeuralError
from neural.model_memory import memory_diagnostic
from neural.search.base import COMPLETE, FAILED, PRUNED

if TYPE_CHECKING:
    from neural.backends.base import Backend, TrainData
    from neural.model import ConcreteModel

#: Called after every epoch with (trial number, epoch, objective value, metrics);
#: returns True when the trial should be pruned.
EpochCallback = Callable[[int, int, float, dict[str, float]], bool]

#: The divergence guard judges a trial from this many finished epochs on.
GUARD_EPOCHS = 2
#: "At chance": within this fraction of the way from chance to perfect accuracy.
CHANCE_MARGIN = 0.05


def chance_accuracy(model: ConcreteModel) -> float | None:
    """The validation accuracy of guessing, for a classifier (None when the model does not classify)."""
    if "crossentropy" not in model.loss or not model.output_shape:
        return None
    units = int(model.output_shape[-1])
    return 0.5 if units == 1 else 1.0 / max(units, 2)


@dataclass
class TrialTask:
    """What a trial needs besides the backend and the data (picklable, sent to workers)."""

    number: int
    model: ConcreteModel
    seed: int
    threads: int | None = None


@dataclass
class TrialReport:
    """How a trial ended: ``state`` complete/pruned/failed, the objective ``value``
    (best epoch for complete, last epoch for pruned, None for failed), the
    per-epoch objective values and metrics, and for a failure its reason.
    ``gpus`` are the GPU ids the trial's process was given
    (``CUDA_VISIBLE_DEVICES`` when it ran); ``device`` is where the backend
    trained (None when it failed before training or could not tell)."""

    number: int
    state: str
    value: float | None = None
    intermediate: list[float] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    duration: float | None = None
    error: str | None = None
    traceback: str | None = None
    gpus: list[str] = field(default_factory=list)
    device: str | None = None


def one_line(error: BaseException) -> str:
    """A one-line description of ``error`` for tables and logs."""
    text = str(error).strip().splitlines()
    message = text[0] if text else ""
    if isinstance(error, NeuralError) and message:
        return message  # already written for the user
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def best_of(values: list[float], direction: str) -> float:
    """The best value of a curve: the minimum, or the maximum when maximising."""
    return max(values) if direction == "maximize" else min(values)


class _TrialReporter:
    """The backend's reporter for one trial: records each epoch, catches divergence,
    and asks ``on_epoch`` whether to prune."""

    def __init__(
        self,
        number: int,
        objective: str,
        on_epoch: EpochCallback,
        *,
        chance: float | None = None,
        epochs: int = 0,
    ) -> None:
        self.number = number
        self.objective = objective
        self.on_epoch = on_epoch
        self.chance = chance
        self.epochs = epochs
        self.history: list[dict[str, float]] = []
        self.intermediate: list[float] = []
        self.problem: str | None = None
        self.at_chance: str | None = None

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        clean = {key: float(value) for key, value in metrics.items() if isinstance(value, (int, float))}
        self.history.append(clean)
        loss = clean.get("loss")
        if loss is not None and not math.isfinite(loss):
            self.problem = f"diverged: the training loss became {loss} in epoch {epoch + 1}"
            return True
        if self.objective not in clean:
            reported = ", ".join(sorted(clean)) or "nothing"
            self.problem = (
                f"the objective {self.objective!r} was not reported (the backend reported {reported}); "
                "set objective in the train block to one of them"
            )
            return True
        value = clean[self.objective]
        if not math.isfinite(value):
            self.problem = f"diverged: {self.objective} became {value} in epoch {epoch + 1}"
            return True
        self.intermediate.append(value)
        prune = bool(self.on_epoch(self.number, epoch, value, clean))
        return self._guard(epoch, clean) or prune

    def _guard(self, epoch: int, metrics: dict[str, float]) -> bool:
        """True (and the reason kept) when the validation accuracy is still at chance with epochs left."""
        accuracy = metrics.get("val_accuracy")
        if self.chance is None or accuracy is None or epoch + 1 < GUARD_EPOCHS or epoch + 1 >= self.epochs:
            return False
        if accuracy > self.chance + CHANCE_MARGIN * (1.0 - self.chance):
            return False
        self.at_chance = (
            f"diverged: val_accuracy {accuracy:.3f} is at chance ({self.chance:.3f}) after {epoch + 1} epochs "
            "(divergence_guard: false turns this check off)"
        )
        return True


def execute_trial(backend: Backend, task: TrialTask, data: TrainData, on_epoch: EpochCallback) -> TrialReport:
    """Train ``task.model`` and return the trial's report; called once per trial.

    Frees the trained model before returning (the report holds only numbers),
    so memory does not grow from trial to trial.
    """
    train = task.model.train
    chance = chance_accuracy(task.model) if train.divergence_guard else None
    reporter = _TrialReporter(task.number, train.objective, on_epoch, chance=chance, epochs=train.epochs)
    started = time.perf_counter()
    gpus = visible_gpus()
    too_large = memory_diagnostic(task.model)
    if too_large is not None and too_large.severity == "error":
        report = failed_report(task.number, too_large.message)
        report.gpus = gpus
        return report
    try:
        result = backend.train(task.model, data, reporter=reporter, seed=task.seed, threads=task.threads)
        pruned, device = result.pruned, result.device
        del result
    except Exception as error:  # any backend failure is the trial's failure, not the search's
        return TrialReport(
            number=task.number,
            state=FAILED,
            intermediate=reporter.intermediate,
            history=reporter.history,
            duration=time.perf_counter() - started,
            error=one_line(error),
            traceback=traceback.format_exc(),
            gpus=gpus,
        )
    duration = time.perf_counter() - started
    report = TrialReport(
        number=task.number,
        state=COMPLETE,
        intermediate=reporter.intermediate,
        history=reporter.history,
        duration=duration,
        gpus=gpus,
        device=device,
    )
    if reporter.problem is not None:
        report.state, report.error = FAILED, reporter.problem
    elif not reporter.intermediate:
        report.state, report.error = FAILED, "the backend finished without reporting any epoch"
    elif pruned:
        report.state, report.value = PRUNED, reporter.intermediate[-1]
        report.error = reporter.at_chance
    else:
        report.value = best_of(reporter.intermediate, train.direction)
    return report


def failed_report(number: int, error: str, trace: str | None = None) -> TrialReport:
    """A report for a trial that failed before or outside training (bind error, dead worker)."""
    return TrialReport(number=number, state=FAILED, error=error, traceback=trace)
