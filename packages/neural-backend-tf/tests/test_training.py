"""Training with the generated Keras module: every output head, early stopping as in the PyTorch
backend, validation_split 0, the saved .keras file loading in safe mode."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np
import pytest
from tf_support import model_of

from neural.backends.base import TrainData
from neural.testing import RecordingReporter, tiny_train_data
from neural.testing.layer_cases import OUTPUT_HEADS, head_source
from neural_backend_tf.backend import TensorFlowBackend, load_generated_module


def head_data(head: str) -> TrainData:
    _, loss = OUTPUT_HEADS[head]
    classes = 2 if loss == "binary_crossentropy" else 3
    data = tiny_train_data((6,), num_classes=classes)
    if loss in ("mse", "mae"):
        width = model_of(head_source(head)).output_shape[-1]
        rng = np.random.default_rng(0)
        data.y_train = rng.normal(size=(len(data.x_train), width)).astype(np.float32)
        data.y_val = rng.normal(size=(len(data.x_val), width)).astype(np.float32)
    return data


@pytest.mark.parametrize("head", sorted(OUTPUT_HEADS))
def test_every_output_head_trains_and_reports_its_metrics(head: str) -> None:
    model = model_of(head_source(head).replace("epochs: 1", "epochs: 2"))
    source = TensorFlowBackend().generate(model)
    linear = not OUTPUT_HEADS[head][0].endswith('")')  # Output(3) rather than Output(3, "softmax")
    if OUTPUT_HEADS[head][1].endswith("crossentropy"):
        assert f"from_logits={linear}" in source  # a linear output is taken as logits, as in PyTorch
    result = TensorFlowBackend().train(model, head_data(head), seed=0, threads=1)
    assert len(result.history) == 2
    first, last = result.history
    assert np.isfinite(last["loss"]) and np.isfinite(last["val_loss"])
    assert last["loss"] < first["loss"]
    if OUTPUT_HEADS[head][1].endswith("crossentropy"):
        assert 0.0 <= last["val_accuracy"] <= 1.0


def test_the_saved_model_loads_in_safe_mode_and_predicts_the_same(tmp_path: Path) -> None:
    source = head_source("linear_sparse")
    model = model_of(source)
    backend = TensorFlowBackend()
    result = backend.train(model, tiny_train_data((6,)), seed=0, threads=1)
    assert result.device == "cpu"  # where TF kept the weights (this machine has no GPU)
    path = backend.save(result, tmp_path / "probe.keras")
    assert path == tmp_path / "probe.keras"
    assert [p.name for p in tmp_path.iterdir()] == ["probe.keras"]  # the temp file is gone
    loaded = keras.saving.load_model(path, safe_mode=True)
    x = tiny_train_data((6,)).x_val
    np.testing.assert_allclose(loaded.predict(x, verbose=0), result.artifact.predict(x, verbose=0), atol=1e-6)


def test_early_stopping_stops_after_patience_and_restores_the_best_epochs_weights() -> None:
    source = head_source("softmax_sparse").replace(
        "epochs: 1", "epochs: 8  early_stopping: true  patience: 2  min_delta: 10"
    )
    model = model_of(source)
    data = tiny_train_data((6,))
    result = TensorFlowBackend().train(model, data, seed=0, threads=1)
    # min_delta 10: no epoch after the first counts as better, so epochs 2 and 3 exhaust the patience.
    assert len(result.history) == 3 and result.stopped_early and result.best_epoch == 0
    network = result.artifact
    module = load_generated_module(TensorFlowBackend().generate(model), model.name)
    val_loss = float(module.build_loss()(module.as_targets(data.y_val), network(data.x_val, training=False)))
    assert val_loss == pytest.approx(result.history[0]["val_loss"], rel=1e-5)


def test_validation_split_zero_trains_on_the_training_data_alone() -> None:
    model = model_of(head_source("softmax_sparse").replace("epochs: 1", "epochs: 2  validation_split: 0"))
    assert model.train.objective == "loss"
    data = tiny_train_data((6,))
    data.x_val, data.y_val = data.x_val[:0], data.y_val[:0]
    reporter = RecordingReporter()
    result = TensorFlowBackend().train(model, data, reporter=reporter, seed=0, threads=1)
    assert [sorted(k for k in m if k not in ("lr", "time")) for m in result.history] == [["accuracy", "loss"]] * 2
    assert len(reporter.calls) == 2


def test_the_same_seed_gives_the_same_training() -> None:
    model = model_of(head_source("softmax_sparse").replace("epochs: 1", "epochs: 2"))
    data = tiny_train_data((6,))
    first = TensorFlowBackend().train(model, data, seed=5, threads=1)
    second = TensorFlowBackend().train(model, data, seed=5, threads=1)
    other = TensorFlowBackend().train(model, data, seed=6, threads=1)
    assert [m["val_loss"] for m in first.history] == [m["val_loss"] for m in second.history]
    assert [m["val_loss"] for m in first.history] != [m["val_loss"] for m in other.history]


@pytest.mark.slow
def test_the_guides_basic_example_reaches_ninety_percent_on_mnist5k_in_three_epochs() -> None:
    from neural.program import load_program
    from neural.training import prepare_model_data

    program = load_program(Path(__file__).resolve().parents[3] / "examples" / "basic_hpo.neural")
    point = {**program.space.nominal_point(), "optimizer.learning_rate": 0.001}
    model = program.space.bind(point)
    data = prepare_model_data(model, "mnist5k", seed=0)
    model = dataclasses.replace(model, train=dataclasses.replace(model.train, epochs=3))
    result = TensorFlowBackend().train(model, data, seed=0, threads=2)
    assert result.history[-1]["val_accuracy"] >= 0.90, result.history
