"""The conformance suite every backend plugin's tests subclass.

::

    class TestTorchBackend(BackendSuite):
        backend_class = TorchBackend

It checks, on a tiny network and synthetic data: ``generate`` is
deterministic and its module compiles, runs and defines the model; ``train``
returns the four metrics per epoch, calls the reporter after every epoch and
stops when the reporter asks; ``save`` writes a file. Override
:meth:`BackendSuite.check_defines_model` to check more of the generated
module (for example, build the model and count its parameters).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pytest

from neural.backends.base import TrainData, TrainResult

if TYPE_CHECKING:
    from neural.backends.base import Backend
    from neural.model import ConcreteModel

EPOCH_METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")
"""The metrics every backend reports after each epoch."""

TINY_NETWORK = """\
network ConformanceMLP {
  input: (6,)
  layers:
    Dense(8, "relu")
    Output(3, "softmax")
  optimizer: Adam(learning_rate=0.01)
  loss: "sparse_categorical_crossentropy"
  train { epochs: 3  batch_size: 16  validation_split: 0.25  dataset: "synthetic" }
}
"""


def tiny_train_data(
    input_shape: tuple[int, ...] = (6,),
    num_classes: int = 3,
    train_size: int = 64,
    val_size: int = 32,
    seed: int = 0,
) -> TrainData:
    """Synthetic data a model can learn: labels are the argmax of a fixed linear map of x."""
    rng = np.random.default_rng(seed)
    features = int(np.prod(input_shape))
    weights = rng.normal(size=(features, num_classes))
    x = rng.normal(size=(train_size + val_size, *input_shape)).astype(np.float32)
    y = np.argmax(x.reshape(len(x), features) @ weights, axis=1).astype(np.int64)
    return TrainData(
        x_train=x[:train_size],
        y_train=y[:train_size],
        x_val=x[train_size:],
        y_val=y[train_size:],
        num_classes=num_classes,
        name="conformance",
    )


class RecordingReporter:
    """A reporter that records every ``on_epoch_end`` call and never stops training."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, dict[str, float]]] = []

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        self.calls.append((epoch, dict(metrics)))
        return False


class StopAfter(RecordingReporter):
    """A reporter that asks to stop after ``epochs`` epochs (as a pruner does)."""

    def __init__(self, epochs: int) -> None:
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        super().on_epoch_end(epoch, metrics)
        return len(self.calls) >= self.epochs


class BackendSuite:
    """Subclass it and set ``backend_class``; pytest runs every ``test_*`` below.

    ``network`` is the source of the model under test (a tiny MLP by default;
    it must declare its ``epochs``).
    """

    backend_class: ClassVar[type[Backend]]
    network: ClassVar[str] = TINY_NETWORK
    #: The plugin's ``plugin`` module (``"my_package.plugin"``): when set, a test checks its import stays light.
    plugin_module: ClassVar[str | None] = None

    # ------------------------------------------------------------ fixtures

    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls) -> Backend:
        return cls.backend_class()

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls) -> ConcreteModel:
        from neural.program import compile_source

        return compile_source(cls.network, "conformance.neural").concrete_model()

    @pytest.fixture(scope="class")
    @classmethod
    def data(cls, model: ConcreteModel) -> TrainData:
        return tiny_train_data(model.input_shape, num_classes=model.output_shape[-1])

    @pytest.fixture(scope="class")
    @classmethod
    def trained(
        cls, backend: Backend, model: ConcreteModel, data: TrainData
    ) -> tuple[TrainResult, RecordingReporter]:
        """One training run shared by the tests that inspect its result."""
        reporter = RecordingReporter()
        result = backend.train(model, data, reporter=reporter, seed=0, threads=1)
        return result, reporter

    # --------------------------------------------------------------- hooks

    def check_defines_model(self, namespace: dict[str, Any], model: ConcreteModel) -> None:
        """Called with the namespace the generated module ran in. By default: the
        module defines at least one class or function of its own."""
        own = [
            name
            for name, value in namespace.items()
            if callable(value) and getattr(value, "__module__", None) == namespace["__name__"]
        ]
        assert own, "the generated module defines no class or function"

    # --------------------------------------------------------------- tests

    def test_plugin_module_imports_no_heavy_library(self) -> None:
        if self.plugin_module is None:
            return
        from neural.testing.startup import assert_light_import

        assert_light_import(self.plugin_module)

    def test_backend_has_a_name(self) -> None:
        cls = self.backend_class
        assert isinstance(cls.name, str) and cls.name
        assert all(isinstance(alias, str) and alias for alias in cls.aliases)
        assert cls.model_suffix.startswith(".")

    def test_generate_is_deterministic(self, backend: Backend, model: ConcreteModel) -> None:
        first = backend.generate(model)
        assert first == backend.generate(model)
        assert first == self.backend_class().generate(model)

    def test_generated_module_compiles(self, backend: Backend, model: ConcreteModel) -> None:
        compile(backend.generate(model), "<generated>", "exec")

    def test_generated_module_runs_and_defines_the_model(
        self, backend: Backend, model: ConcreteModel
    ) -> None:
        namespace: dict[str, Any] = {"__name__": "neural_generated"}
        exec(compile(backend.generate(model), "<generated>", "exec"), namespace)
        self.check_defines_model(namespace, model)

    def test_train_returns_the_four_metrics_per_epoch(
        self, trained: tuple[TrainResult, RecordingReporter], model: ConcreteModel
    ) -> None:
        result, _ = trained
        assert len(result.history) == model.train.epochs
        for metrics in result.history:
            for key in EPOCH_METRICS:
                assert key in metrics, f"epoch metrics lack {key!r}: {sorted(metrics)}"
                assert math.isfinite(metrics[key])
            assert 0.0 <= metrics["accuracy"] <= 1.0 and 0.0 <= metrics["val_accuracy"] <= 1.0
        assert 0 <= result.best_epoch < len(result.history)
        assert not result.pruned

    def test_train_calls_the_reporter_after_every_epoch(
        self, trained: tuple[TrainResult, RecordingReporter], model: ConcreteModel
    ) -> None:
        result, reporter = trained
        assert [epoch for epoch, _ in reporter.calls] == list(range(model.train.epochs))
        for (_, reported), recorded in zip(reporter.calls, result.history, strict=True):
            assert reported["val_loss"] == pytest.approx(recorded["val_loss"])

    def test_train_stops_when_the_reporter_asks(
        self, backend: Backend, model: ConcreteModel, data: TrainData
    ) -> None:
        assert model.train.epochs > 1, "the suite's network must train for more than one epoch"
        reporter = StopAfter(1)
        result = backend.train(model, data, reporter=reporter, seed=0, threads=1)
        assert len(reporter.calls) == 1
        assert len(result.history) == 1
        assert result.pruned

    def test_save_writes_a_file(
        self, backend: Backend, trained: tuple[TrainResult, RecordingReporter], tmp_path: Path
    ) -> None:
        result, _ = trained
        written = backend.save(result, tmp_path / f"model{self.backend_class.model_suffix}")
        assert Path(written).is_file() and Path(written).stat().st_size > 0
