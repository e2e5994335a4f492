"""The concrete model: a checked network with every HPO expression bound.

Built by ``SearchSpace.bind(point)`` (or ``concrete_model(network)`` for a file
without HPO). Backends consume only this: every value is validated, every
default filled in, every repeated layer expanded, every shape inferred. Nothing
in it came from raw source text, so generated code built from it cannot carry
injected code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from neural.errors import Span, span_field

Shape = tuple[int, ...]
"""A tensor shape without the batch dimension, channels-last (``(28, 28, 1)``)."""


@dataclass(frozen=True)
class LayerConfig:
    """One layer instance.

    ``kind`` is the registry name (``"Conv2D"``); ``name`` is unique in the
    model (``"conv2d_1"``; the copies of ``Dense(64) * 3`` are ``dense_1``,
    ``dense_1_2``, ``dense_1_3``). ``params`` holds every parameter of the
    layer's schema, normalized (``kernel_size`` always a tuple), defaults filled.
    """

    kind: str
    name: str
    params: dict[str, Any] = field(hash=False)
    input_shape: Shape
    output_shape: Shape
    param_count: int
    span: Span = span_field()


@dataclass(frozen=True)
class ScheduleConfig:
    """A learning-rate schedule with Keras' step-based semantics (``ExponentialDecay``)."""

    name: str
    params: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class OptimizerConfig:
    """An optimizer; ``params["learning_rate"]`` is a float or a :class:`ScheduleConfig`."""

    name: str
    params: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class TrainConfig:
    """The train block with defaults filled in (DESIGN.md §4 lists the keys)."""

    epochs: int = 10
    batch_size: int = 32
    validation_split: float = 0.2
    search_method: str = "random"
    n_trials: int = 10
    early_stopping: bool = False
    patience: int = 5
    min_delta: float = 0.0
    monitor: str = "val_loss"
    objective: str = "val_loss"
    #: None: not set, the search picks one fitted to its budget (``neural.search.defaults``).
    pruner: str | None = None
    seed: int | None = None
    dataset: str = "mnist5k"
    grid_points: int = 5
    sampler: str | None = None
    #: None: the searcher fits its random start-up to the budget.
    startup_trials: int | None = None
    divergence_guard: bool = True
    #: None: not set, a Bayesian search starts at the nominal point (``neural.search.defaults``).
    first_trial: str | None = None
    #: Where training runs: "auto", "cpu", "cuda" or "cuda:N" (neural.devices; --device overrides it).
    device: str = "auto"

    def without_validation_fallback(self) -> TrainConfig:
        """This config, with ``val_`` objective and monitor turned into the training metric when
        ``validation_split`` is 0 (there are no validation metrics then); called when binding a point."""
        if self.validation_split > 0:
            return self
        return dataclasses.replace(
            self, objective=self.objective.removeprefix("val_"), monitor=self.monitor.removeprefix("val_")
        )

    @property
    def direction(self) -> str:
        """``"maximize"`` for accuracy-like objectives, else ``"minimize"``."""
        return "maximize" if "acc" in self.objective else "minimize"


@dataclass(frozen=True)
class ConcreteModel:
    """A fully bound, validated model, ready for a backend.

    ``loss`` is the canonical loss name (``"sparse_categorical_crossentropy"``);
    ``metrics`` canonical metric names (``("accuracy",)``).
    """

    name: str
    input_shape: Shape
    layers: tuple[LayerConfig, ...]
    optimizer: OptimizerConfig
    loss: str
    metrics: tuple[str, ...]
    train: TrainConfig

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape if self.layers else self.input_shape

    @property
    def param_count(self) -> int:
        return sum(layer.param_count for layer in self.layers)
