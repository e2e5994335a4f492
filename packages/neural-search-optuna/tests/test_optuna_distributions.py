"""The DSL's search space maps onto Optuna distributions exactly, and back."""

from __future__ import annotations

import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna_support import advanced_space, space_of

from neural.space.params import Param
from neural_search_optuna.distributions import (
    grid_search_space,
    to_distribution,
    to_optuna_params,
    to_optuna_value,
    to_point,
    to_value,
)

TUPLES = Param("conv2d_1.kernel_size", "choice", choices=((3, 3), (5, 5)), labels=("(3, 3)", "(5, 5)"))
STRINGS = Param("conv2d_1.padding", "choice", choices=("same", "valid"), labels=("'same'", "'valid'"))
BOOLS = Param("lstm_1.return_sequences", "choice", choices=(True, False), labels=("true", "false"))
NUMBERS = Param("dense_1.units", "choice", choices=(64, 0.5, 128), labels=("64", "0.5", "128"))
CUSTOM = Param(
    "conv2d_2.filters",
    "custom",
    choices=({"filters": 32, "kernel_size": 3}, {"filters": 64, "kernel_size": 5}),
    labels=("small", "big"),
)
STEPPED_INT = Param("dense_2.units", "range", low=16, high=128, step=16, is_int=True)
STEPPED_FLOAT = Param("dropout_1.rate", "range", low=0.3, high=0.7, step=0.1)
CONTINUOUS_INT = Param("train.epochs", "range", low=1, high=9, is_int=True)
CONTINUOUS_FLOAT = Param("dropout_2.rate", "range", low=0.0, high=0.5)
LOG_FLOAT = Param("optimizer.learning_rate", "log_range", low=1e-4, high=1e-1, log=True)
LOG_INT = Param("dense_3.units", "log_range", low=8, high=512, log=True, is_int=True)


def test_stepped_ranges_map_to_stepped_int_and_float_distributions() -> None:
    assert to_distribution(STEPPED_INT) == IntDistribution(16, 128, step=16)
    assert to_distribution(STEPPED_FLOAT) == FloatDistribution(0.3, 0.7, step=0.1)


def test_continuous_ranges_map_to_unstepped_distributions() -> None:
    assert to_distribution(CONTINUOUS_INT) == IntDistribution(1, 9)
    assert to_distribution(CONTINUOUS_FLOAT) == FloatDistribution(0.0, 0.5)


def test_log_ranges_map_to_log_distributions_without_step() -> None:
    assert to_distribution(LOG_FLOAT) == FloatDistribution(1e-4, 1e-1, log=True)
    assert to_distribution(LOG_INT) == IntDistribution(8, 512, log=True)


@pytest.mark.parametrize("param", [TUPLES, STRINGS, BOOLS, NUMBERS, CUSTOM], ids=lambda p: p.name)
def test_choices_map_to_categoricals_over_their_labels(param: Param) -> None:
    assert to_distribution(param) == CategoricalDistribution(list(param.labels))


@pytest.mark.parametrize("param", [TUPLES, STRINGS, BOOLS, NUMBERS], ids=lambda p: p.name)
def test_labels_map_back_to_the_exact_option_objects(param: Param) -> None:
    for label, choice in zip(param.labels, param.choices, strict=True):
        value = to_value(param, label)
        assert value == choice and type(value) is type(choice)
        assert to_optuna_value(param, value) == label


def test_custom_maps_to_the_option_name() -> None:
    assert to_value(CUSTOM, "big") == "big"
    assert to_optuna_value(CUSTOM, "small") == "small"


def test_stepped_float_values_come_back_rounded_to_the_step() -> None:
    assert to_value(STEPPED_FLOAT, 0.30000000000000004 + 0.2) == 0.5
    assert repr(to_value(STEPPED_FLOAT, 0.1 * 3 + 0.3)) == "0.6"
    assert to_value(STEPPED_INT, 48.0) == 48 and isinstance(to_value(STEPPED_INT, 48.0), int)


def test_a_value_outside_the_parameter_is_refused() -> None:
    with pytest.raises(ValueError):
        to_optuna_value(STEPPED_FLOAT, 0.35)
    with pytest.raises(ValueError):
        to_optuna_value(TUPLES, (4, 4))


def test_every_optuna_sample_maps_to_a_point_inside_the_space_and_back() -> None:
    import optuna

    params = (
        TUPLES,
        STRINGS,
        BOOLS,
        NUMBERS,
        CUSTOM,
        STEPPED_INT,
        STEPPED_FLOAT,
        CONTINUOUS_INT,
        CONTINUOUS_FLOAT,
        LOG_FLOAT,
        LOG_INT,
    )
    distributions = {p.name: to_distribution(p) for p in params}
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(40):
        trial = study.ask(distributions)
        point = to_point(params, trial.params)
        assert all(p.contains(point[p.name]) for p in params)
        assert isinstance(point[TUPLES.name], tuple)
        back = to_optuna_params(params, point)
        for p in params:
            assert distributions[p.name]._contains(distributions[p.name].to_internal_repr(back[p.name]))
        assert to_point(params, back) == point
        study.tell(trial, 0.0)


def test_grid_space_lists_labels_for_categoricals_and_grid_values_for_ranges() -> None:
    space = grid_search_space((TUPLES, STEPPED_FLOAT, LOG_FLOAT), grid_points=3)
    assert space[TUPLES.name] == ["(3, 3)", "(5, 5)"]
    assert space[STEPPED_FLOAT.name] == [0.3, 0.4, 0.5, 0.6, 0.7]
    assert space[LOG_FLOAT.name] == pytest.approx([1e-4, 10**-2.5, 1e-1])


EVERY_FORM = """
network EveryForm {
  input: (8, 8, 1)
  layers:
    Conv2D(HPO(range(4, 16)), HPO(choice((3, 3), (5, 5))), padding=HPO(choice("same", "valid")),
           use_bias=HPO(choice(true, false)))
    Flatten()
    Dense(HPO(range(16, 64, step=16)), activation="relu")
    Dense(HPO(custom({"narrow": 8, "wide": 32})))
    Dropout(HPO(range(0.1, 0.5, step=0.1)))
    Dropout(HPO(range(0.0, 0.5)))
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train { batch_size: HPO(choice(16, 32)) }
}
"""


def test_every_hpo_form_of_a_dsl_file_maps_to_its_optuna_distribution() -> None:
    space = space_of(EVERY_FORM)
    mapped = {param.name: to_distribution(param) for param in space.params}
    assert mapped == {
        "conv2d_1.filters": IntDistribution(4, 16),
        "conv2d_1.kernel_size": CategoricalDistribution(["(3, 3)", "(5, 5)"]),
        "conv2d_1.padding": CategoricalDistribution(list(space["conv2d_1.padding"].labels)),
        "conv2d_1.use_bias": CategoricalDistribution(list(space["conv2d_1.use_bias"].labels)),
        "dense_1.units": IntDistribution(16, 64, step=16),
        "dense_2.units": CategoricalDistribution(["narrow", "wide"]),
        "dropout_1.rate": FloatDistribution(0.1, 0.5, step=0.1),
        "dropout_2.rate": FloatDistribution(0.0, 0.5),
        "optimizer.learning_rate": FloatDistribution(1e-4, 1e-1, log=True),
        "train.batch_size": CategoricalDistribution(["16", "32"]),
    }
    labels = space["conv2d_1.use_bias"].labels
    assert [to_value(space["conv2d_1.use_bias"], label) for label in labels] == [True, False]
    assert to_value(space["conv2d_1.kernel_size"], "(5, 5)") == (5, 5)


def test_sampled_points_of_the_seed_advanced_example_bind_to_a_model() -> None:
    import optuna

    space = advanced_space()
    distributions = {p.name: to_distribution(p) for p in space.params}
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(5):
        trial = study.ask(distributions)
        point = to_point(space.params, trial.params)
        model = space.bind(point)  # raises when a value is not one the model accepts
        assert model.layers[0].params["kernel_size"] == point["conv2d_1.kernel_size"]
        study.tell(trial, 0.0)
