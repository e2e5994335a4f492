"""The backend interface: one subclass per framework (PyTorch, TensorFlow, ...).

A backend plugin returns its :class:`Backend` subclass from the
``neural_register_backends`` hook. Core calls:

1. :meth:`Backend.generate` for ``neural compile``: one standalone, readable,
   deterministic Python module (same model, same bytes).
2. :meth:`Backend.train` for ``neural run`` and for every HPO trial. It must
   train the model *that generated module defines* (execute the generated
   source), so compile and run cannot drift apart. After every epoch it calls
   ``reporter.on_epoch_end``; when that returns True it stops (the trial was
   pruned) and returns a result with ``pruned=True``.
3. :meth:`Backend.save` to write the trained weights of a :class:`TrainResult`.

A complete two-file plugin (``pyproject.toml`` entry point + ``plugin.py``)
is shown in ``docs/plugins.md``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import numpy as np

    from neural.model import ConcreteModel


class Reporter(Protocol):
    """Receives each epoch's metrics during training; may ask to stop."""

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        """Called after epoch ``epoch`` (0-based) with ``loss``, ``accuracy``,
        ``val_loss``, ``val_accuracy`` (and ``lr``). Returns True to stop training now."""
        ...


class NullReporter:
    """A reporter that records nothing and never stops training."""

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        return False


@dataclass
class TrainData:
    """Training and validation arrays, channels-last, already shaped as the model's input.

    ``x_*`` are float32 of shape ``(N, *input_shape)``; ``y_*`` int64 class
    labels of shape ``(N,)`` (or float targets for regression losses).
    ``notes`` say what was done to fit the data to the model (resized, flattened).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    num_classes: int
    name: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class TrainResult:
    """What training returns.

    ``history`` has one metrics dict per epoch run. ``best_epoch`` indexes the
    epoch whose weights the model holds at the end (early stopping restores the
    best weights). ``artifact`` is the framework's trained model object, for
    :meth:`Backend.save`; it is never serialized by core. ``device`` is where
    the framework actually trained (``"cpu"``, ``"cuda:0"`` ...; None when the
    backend cannot tell); every trial's record keeps it.
    """

    history: list[dict[str, float]]
    best_epoch: int
    stopped_early: bool = False
    pruned: bool = False
    duration: float = 0.0
    artifact: Any = None
    device: str | None = None

    @property
    def final_metrics(self) -> dict[str, float]:
        return dict(self.history[-1]) if self.history else {}

    @property
    def best_metrics(self) -> dict[str, float]:
        return dict(self.history[self.best_epoch]) if self.history else {}


class Backend(ABC):
    """Generates and trains code for one framework.

    ``name`` is what ``--backend`` takes; ``aliases`` are accepted too
    (``torch`` for ``pytorch``). ``model_suffix`` is the trained-model file's
    extension. ``trials_per_worker`` says where search trials run (see below).
    """

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    model_suffix: ClassVar[str] = ".bin"
    #: The framework's name in messages ("no GPU is visible to PyTorch"); the backend's name when empty.
    framework: ClassVar[str] = ""
    #: True when the generated module trains on the train block's ``device`` (its ``DEVICE``
    #: constant, ``--device``); a backend that leaves it False is refused any GPU device.
    places_devices: ClassVar[bool] = False
    #: None: with ``--parallel 1`` trials run in the search process, and a worker
    #: process runs any number of trials. A number N: every trial runs in a spawned
    #: worker process, replaced by a fresh one after N trials, for a framework that
    #: keeps memory from model to model in one process (Keras).
    trials_per_worker: ClassVar[int | None] = None

    @abstractmethod
    def generate(self, model: ConcreteModel) -> str:
        """Return the source of a standalone Python module for ``model``."""

    @abstractmethod
    def train(
        self,
        model: ConcreteModel,
        data: TrainData,
        *,
        reporter: Reporter | None = None,
        seed: int = 0,
        threads: int | None = None,
    ) -> TrainResult:
        """Train ``model`` on ``data`` with the generated module; return the result."""

    @abstractmethod
    def save(self, result: TrainResult, path: Path) -> Path:
        """Write the trained weights of ``result`` to ``path``; return the path written."""
