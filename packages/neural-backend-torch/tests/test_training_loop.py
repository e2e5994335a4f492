"""The generated training loop: Keras schedules, early stopping with best weights, stopping on request."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch_support import model_of, module_of

from neural.lang.catalogue import LOSSES, OPTIMIZERS, SCHEDULES
from neural.testing import StopAfter, tiny_train_data
from neural_backend_torch.backend import TorchBackend


def network_with(
    optimizer: str = "Adam(learning_rate=0.01)", train: str = "epochs: 3  batch_size: 16"
) -> str:
    return f"""
network Loop {{
  input: (6,)
  layers:
    Dense(8, "relu")
    Output(3, "softmax")
  optimizer: {optimizer}
  loss: "sparse_categorical_crossentropy"
  train {{ {train} }}
}}
"""


# Keras' formulas, written out independently of the generator.
def keras_exponential(step: int, initial: float, steps: int, rate: float, staircase: bool) -> float:
    progress = math.floor(step / steps) if staircase else step / steps
    return initial * rate**progress


def keras_inverse_time(step: int, initial: float, steps: int, rate: float, staircase: bool) -> float:
    progress = math.floor(step / steps) if staircase else step / steps
    return initial / (1 + rate * progress)


def keras_cosine(step: int, initial: float, steps: int, alpha: float) -> float:
    step = min(step, steps)
    return initial * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / steps)) + alpha)


def keras_polynomial(step: int, initial: float, steps: int, end: float, power: float, cycle: bool) -> float:
    if cycle:
        steps = steps * max(math.ceil(step / steps), 1)
    else:
        step = min(step, steps)
    return (initial - end) * (1 - step / steps) ** power + end


SCHEDULES_UNDER_TEST = [
    ("ExponentialDecay(0.1, 10, 0.5)", lambda s: keras_exponential(s, 0.1, 10, 0.5, False)),
    ("ExponentialDecay(0.1, 10, 0.5, staircase=true)", lambda s: keras_exponential(s, 0.1, 10, 0.5, True)),
    ("InverseTimeDecay(0.1, 10, 0.5)", lambda s: keras_inverse_time(s, 0.1, 10, 0.5, False)),
    ("InverseTimeDecay(0.1, 10, 0.5, staircase=true)", lambda s: keras_inverse_time(s, 0.1, 10, 0.5, True)),
    ("CosineDecay(0.1, 10)", lambda s: keras_cosine(s, 0.1, 10, 0.0)),
    ("CosineDecay(0.1, 10, alpha=0.2)", lambda s: keras_cosine(s, 0.1, 10, 0.2)),
    ("PolynomialDecay(0.1, 10)", lambda s: keras_polynomial(s, 0.1, 10, 0.0001, 1.0, False)),
    (
        "PolynomialDecay(0.1, 10, 0.01, power=2.0, cycle=true)",
        lambda s: keras_polynomial(s, 0.1, 10, 0.01, 2.0, True),
    ),
]


@pytest.mark.parametrize(
    ("schedule", "keras"), SCHEDULES_UNDER_TEST, ids=[s for s, _ in SCHEDULES_UNDER_TEST]
)
def test_schedule_follows_keras_at_each_optimizer_step(schedule: str, keras) -> None:  # type: ignore[no-untyped-def]
    module = module_of(model_of(network_with(f"SGD(learning_rate={schedule})")))
    network = module.build_model()
    optimizer = module.build_optimizer(network)
    scheduler = module.build_scheduler(optimizer)
    for step in range(26):  # the rate used by the optimizer's step-th update
        assert module.learning_rate_at(step) == pytest.approx(keras(step), rel=1e-12)
        assert optimizer.param_groups[0]["lr"] == pytest.approx(keras(step), rel=1e-9)
        optimizer.step()
        scheduler.step()


def test_the_tests_cover_every_schedule_of_the_catalogue() -> None:
    assert {schedule.split("(")[0] for schedule, _ in SCHEDULES_UNDER_TEST} == set(SCHEDULES)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_of_the_catalogue_trains(optimizer: str) -> None:
    model = model_of(network_with(f"{optimizer}(learning_rate=0.01)", "epochs: 1  batch_size: 16"))
    source = TorchBackend().generate(model)
    result = TorchBackend().train(model, tiny_train_data(), seed=0, threads=1)
    assert np.isfinite(result.history[0]["loss"]) and "torch.optim." in source


def test_nesterov_sgd_keeps_its_momentum() -> None:
    module = module_of(model_of(network_with("SGD(learning_rate=0.1, momentum=0.9, nesterov=true)")))
    group = module.build_optimizer(module.build_model()).param_groups[0]
    assert group["momentum"] == 0.9 and group["nesterov"] is True


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_loss_of_the_catalogue_trains(loss: str) -> None:
    output = 'Output(1, "sigmoid")' if loss == "binary_crossentropy" else 'Output(3, "softmax")'
    source = (
        network_with()
        .replace('Output(3, "softmax")', output)
        .replace("sparse_categorical_crossentropy", loss)
    )
    model = model_of(source)
    data = tiny_train_data(num_classes=2 if loss == "binary_crossentropy" else 3)
    result = TorchBackend().train(model, data, seed=0, threads=1)
    assert all(np.isfinite(epoch["loss"]) for epoch in result.history)


def test_a_constant_rate_has_no_scheduler() -> None:
    module = module_of(model_of(network_with()))
    assert module.build_scheduler(module.build_optimizer(module.build_model())) is None


def test_the_reported_rate_is_the_schedules_after_the_epochs_steps() -> None:
    model = model_of(
        network_with("SGD(learning_rate=ExponentialDecay(0.1, 4, 0.5))", "epochs: 2  batch_size: 16")
    )
    data = tiny_train_data(train_size=64)  # 4 batches per epoch
    result = TorchBackend().train(model, data, seed=0, threads=1)
    assert [epoch["lr"] for epoch in result.history] == pytest.approx([0.05, 0.025])


def test_early_stopping_restores_the_best_epochs_weights() -> None:
    # A min_delta no epoch can beat: epoch 0 stays the best, training stops after `patience` more.
    model = model_of(
        network_with(train="epochs: 6  batch_size: 16  early_stopping: true  patience: 2  min_delta: 100")
    )
    module = module_of(model)
    data = tiny_train_data()
    torch.manual_seed(0)
    network = module.build_model()
    snapshots: list[dict[str, torch.Tensor]] = []

    def snapshot(epoch: int, metrics: dict[str, float]) -> bool:
        snapshots.append({key: value.clone() for key, value in network.state_dict().items()})
        return False

    history = module.train(
        network,
        data.x_train,
        data.y_train,
        data.x_val,
        data.y_val,
        epochs=6,
        batch_size=16,
        callback=snapshot,
        seed=0,
    )
    assert len(history["epochs"]) == 3 and history["stopped_early"] and history["best_epoch"] == 0
    final = network.state_dict()
    assert all(torch.equal(final[key], snapshots[0][key]) for key in final)
    assert not all(torch.equal(final[key], snapshots[-1][key]) for key in final)


def test_early_stopping_keeps_the_epoch_with_the_best_monitored_value() -> None:
    model = model_of(
        network_with(
            train='epochs: 5  batch_size: 16  early_stopping: true  patience: 5  monitor: "val_accuracy"'
        )
    )
    result = TorchBackend().train(model, tiny_train_data(), seed=0, threads=1)
    accuracies = [epoch["val_accuracy"] for epoch in result.history]
    assert result.best_epoch == int(np.argmax(accuracies))
    assert result.best_metrics["val_accuracy"] == max(accuracies)


def test_the_reporter_stops_training_and_marks_it_pruned() -> None:
    model = model_of(network_with(train="epochs: 4  batch_size: 16  early_stopping: true"))
    reporter = StopAfter(2)
    result = TorchBackend().train(model, tiny_train_data(), reporter=reporter, seed=0, threads=1)
    assert result.pruned and len(result.history) == 2 and result.best_epoch == 1
    assert [epoch for epoch, _ in reporter.calls] == [0, 1]
