"""Optimizers, schedules, losses, metrics and train keys: names, defaults, validation."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from neural.errors import NeuralError
from neural.lang.catalogue import (
    ACTIVATIONS,
    LOSSES,
    METRICS,
    OPTIMIZERS,
    SCHEDULES,
    TRAIN_BLOCK,
    TRAIN_KEYS,
    canonical_loss,
    default_metrics,
    get_optimizer,
    get_schedule,
)
from neural.layers.registry import REQUIRED, ParamError, UnknownNameError
from neural.model import ScheduleConfig, TrainConfig

BETAS = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}

# docs/internals.md, "Optimizers, schedules, losses, train block".
DOCUMENTED_OPTIMIZERS: dict[str, dict[str, Any]] = {
    "Adam": {"learning_rate": 0.001, **BETAS, "amsgrad": False},
    "AdamW": {"learning_rate": 0.001, "weight_decay": 0.004, **BETAS},
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7},
    "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    "Adamax": {"learning_rate": 0.001, **BETAS},
    "Nadam": {"learning_rate": 0.001, **BETAS},
}

DOCUMENTED_SCHEDULES: dict[str, dict[str, Any]] = {
    "ExponentialDecay": {
        "initial_learning_rate": REQUIRED,
        "decay_steps": REQUIRED,
        "decay_rate": REQUIRED,
        "staircase": False,
    },
    "CosineDecay": {"initial_learning_rate": REQUIRED, "decay_steps": REQUIRED, "alpha": 0.0},
    "InverseTimeDecay": {
        "initial_learning_rate": REQUIRED,
        "decay_steps": REQUIRED,
        "decay_rate": REQUIRED,
        "staircase": False,
    },
    "PolynomialDecay": {
        "initial_learning_rate": REQUIRED,
        "decay_steps": REQUIRED,
        "end_learning_rate": 0.0001,
        "power": 1.0,
        "cycle": False,
    },
}


def rejected(call: Any, values: dict[str, Any]) -> ParamError:
    with pytest.raises(ParamError) as info:
        call.normalize(values)
    return info.value


# ------------------------------------------------------------------ optimizers


@pytest.mark.parametrize("name", sorted(DOCUMENTED_OPTIMIZERS))
def test_optimizer_defaults_match_internals_doc(name: str) -> None:
    spec = get_optimizer(name)
    assert spec.normalize({}) == DOCUMENTED_OPTIMIZERS[name]
    assert spec.positional == ("learning_rate",)
    assert spec.doc and all(p.doc for p in spec.params)


def test_only_the_documented_optimizers_exist() -> None:
    assert set(OPTIMIZERS) == set(DOCUMENTED_OPTIMIZERS)


def test_optimizer_given_as_a_string_is_found_in_any_case() -> None:
    assert get_optimizer("adam") is OPTIMIZERS["Adam"]
    assert get_optimizer("rmsprop") is OPTIMIZERS["RMSprop"]
    assert get_optimizer("sgd") is OPTIMIZERS["SGD"]


def test_unknown_optimizer_suggests_the_closest_by_its_proper_name() -> None:
    with pytest.raises(UnknownNameError) as info:
        get_optimizer("adm")
    assert str(info.value) == "unknown optimizer 'adm'"
    assert info.value.hint == "did you mean 'Adam'?"
    with pytest.raises(KeyError) as far:
        get_optimizer("zzz")
    assert "known optimizers: Adagrad, Adam" in (far.value.hint or "")  # type: ignore[attr-defined]


def test_learning_rate_takes_a_positive_number_or_a_schedule() -> None:
    adam = get_optimizer("Adam")
    assert adam.normalize({"learning_rate": 1})["learning_rate"] == 1.0
    schedule = ScheduleConfig("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 100, "alpha": 0.0})
    assert adam.normalize({"learning_rate": schedule})["learning_rate"] is schedule
    assert rejected(adam, {"learning_rate": 0}).message == "learning_rate must be a positive number, got 0"
    assert (
        rejected(adam, {"learning_rate": "fast"}).message
        == "learning_rate must be a positive number, got 'fast'"
    )
    assert adam.param("learning_rate").accepts_schedule  # type: ignore[union-attr]


def test_optimizer_hyperparameters_are_range_checked() -> None:
    assert rejected(get_optimizer("Adam"), {"beta_1": 1.0}).message == (
        "beta_1 must be between 0 and 1 (1 excluded), got 1.0"
    )
    assert rejected(get_optimizer("SGD"), {"momentum": -0.1}).param == "momentum"
    assert (
        rejected(get_optimizer("SGD"), {"nesterov": "yes"}).message
        == "nesterov must be true or false, got 'yes'"
    )
    assert rejected(
        get_optimizer("Adam"), {"momentum": 0.9}
    ).hint == "known parameters of Adam: amsgrad, " + ("beta_1, beta_2, epsilon, learning_rate")


# ------------------------------------------------------------------- schedules


@pytest.mark.parametrize("name", sorted(DOCUMENTED_SCHEDULES))
def test_schedule_parameters_and_positional_order_match_internals_doc(name: str) -> None:
    spec = get_schedule(name)
    documented = DOCUMENTED_SCHEDULES[name]
    assert {p.name: p.default for p in spec.params} == documented
    assert spec.positional == tuple(documented)


def test_only_the_documented_schedules_exist() -> None:
    assert set(SCHEDULES) == set(DOCUMENTED_SCHEDULES)


def test_schedule_normalizes_the_guide_example() -> None:
    # ExponentialDecay(0.1, 1000, 0.96) from the HPO guide, positional arguments assigned in order.
    spec = get_schedule("ExponentialDecay")
    values = dict(zip(spec.positional[:3], (0.1, 1000, 0.96), strict=True))
    assert spec.normalize(values) == {
        "initial_learning_rate": 0.1,
        "decay_steps": 1000,
        "decay_rate": 0.96,
        "staircase": False,
    }


def test_schedule_requires_its_decay_steps_as_an_integer() -> None:
    spec = get_schedule("CosineDecay")
    missing = rejected(spec, {"initial_learning_rate": 0.1})
    assert missing.message == "CosineDecay needs decay_steps"
    assert missing.hint == "write CosineDecay(initial_learning_rate, decay_steps, alpha=0.0)"
    assert rejected(spec, {"initial_learning_rate": 0.1, "decay_steps": 10.5}).message == (
        "decay_steps must be a positive integer, got 10.5"
    )


def test_schedule_names_are_matched_exactly() -> None:
    with pytest.raises(UnknownNameError) as info:
        get_schedule("ExponentalDecay")
    assert info.value.hint == "did you mean 'ExponentialDecay'?"


# -------------------------------------------------------- losses, metrics, acts


def test_losses_metrics_and_activations_are_the_documented_names() -> None:
    assert set(LOSSES) == {
        "sparse_categorical_crossentropy",
        "categorical_crossentropy",
        "binary_crossentropy",
        "mse",
        "mae",
    }
    assert METRICS == ("accuracy",)
    assert set(ACTIVATIONS) == {
        "relu", "sigmoid", "tanh", "softmax", "linear", "elu", "selu", "gelu", "leaky_relu", "swish", "softplus",
    }  # fmt: skip


def test_loss_aliases_normalize_to_the_canonical_name() -> None:
    assert canonical_loss("mse") == "mse"
    assert canonical_loss("mean_squared_error") == "mse"
    assert canonical_loss("mean_absolute_error") == "mae"
    assert canonical_loss("hinge") is None


def test_cross_entropy_losses_report_accuracy_by_default() -> None:
    assert default_metrics("sparse_categorical_crossentropy") == ("accuracy",)
    assert default_metrics("binary_crossentropy") == ("accuracy",)
    assert default_metrics("mse") == ()


# ------------------------------------------------------------------ train keys


def test_train_keys_are_the_train_config_fields_with_the_same_defaults() -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    assert {name: spec.default for name, spec in TRAIN_KEYS.items()} == defaults
    assert TrainConfig(**TRAIN_BLOCK.normalize({})) == TrainConfig()
    assert all(spec.doc for spec in TRAIN_KEYS.values())


def test_train_block_values_become_a_train_config() -> None:
    values = {"epochs": 5, "validation_split": 0.25, "early_stopping": True, "min_delta": 0, "seed": 7}
    config = TrainConfig(**TRAIN_BLOCK.normalize(values))
    assert (config.epochs, config.validation_split, config.early_stopping, config.seed) == (5, 0.25, True, 7)
    assert config.min_delta == 0.0 and isinstance(config.min_delta, float)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("epochs", 0, "epochs must be a positive integer, got 0"),
        ("batch_size", 32.0, "batch_size must be a positive integer, got 32.0"),
        ("validation_split", 1.0, "validation_split must be between 0 and 1 (1 excluded), got 1.0"),
        ("validation_split", -0.1, "validation_split must be between 0 and 1 (1 excluded), got -0.1"),
        ("n_trials", -2, "n_trials must be a positive integer, got -2"),
        ("early_stopping", "true", "early_stopping must be true or false, got 'true'"),
        ("patience", -1, "patience must be a non-negative integer, got -1"),
        ("min_delta", -0.5, "min_delta must be a non-negative number, got -0.5"),
        ("seed", -1, "seed must be an integer between 0 and 4294967295, got -1"),
        ("grid_points", 0, "grid_points must be an integer between 1 and 10000, got 0"),
        (
            "search_method",
            "two words",
            "search_method must be a name (letters, digits, '_' or '-'), got 'two words'",
        ),
        ("dataset", "", "dataset must be a non-empty string, got ''"),
    ],
)
def test_train_values_out_of_range_are_explained(key: str, value: Any, message: str) -> None:
    with pytest.raises(ParamError) as info:
        TRAIN_KEYS[key].validate(value)
    assert info.value.message == message
    assert info.value.param == key


def test_train_choices_suggest_the_closest_value() -> None:
    for key, typo, suggestion in (
        ("pruner", "medain", "median"),
        ("objective", "val_acc", "val_accuracy"),
        ("monitor", "val_los", "val_loss"),
        ("sampler", "cmaes ", "cmaes"),
    ):
        with pytest.raises(ParamError) as info:
            TRAIN_KEYS[key].validate(typo)
        assert info.value.hint == f"did you mean '{suggestion}'?", key


def test_search_method_accepts_any_searchers_method_name() -> None:
    for method in ("random", "bayesian", "grid", "anneal", "tpe-adaptive"):
        assert TRAIN_KEYS["search_method"].validate(method) == method


def test_sampler_accepts_every_shipped_searchers_sampler() -> None:
    for sampler in ("tpe", "gp", "cmaes", "atpe", "random", "auto"):  # atpe: hyperopt's adaptive TPE
        assert TRAIN_KEYS["sampler"].validate(sampler) == sampler


def test_optional_train_keys_accept_none() -> None:
    assert TRAIN_KEYS["seed"].validate(None) is None
    assert TRAIN_KEYS["sampler"].validate(None) is None
    with pytest.raises(NeuralError):
        TRAIN_KEYS["epochs"].validate(None)


def test_unknown_train_key_gets_did_you_mean() -> None:
    error = rejected(TRAIN_BLOCK, {"epoch": 3})
    assert error.message == "train has no parameter 'epoch'"
    assert error.hint == "did you mean 'epochs'?"
