"""The space mapping is exact: values in their set or bounds, on the grid, of the right type.

The property test draws 2,000 proposals per method (40 studies of 50 trials,
some pruned, some failed) over a space holding every HPO form, and checks each
value; ``log_range`` draws of random search and of TPE's random start-up are
log-uniform by a Kolmogorov-Smirnov test on their logs.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from typing import Any

import pytest
from hyperopt_support import EVERY_FORM, drive, searcher, space_of

from neural.space.params import CHOICE, CUSTOM, Param
from neural_search_hyperopt.space import HyperoptSpace, grid_top, to_raw, to_value

STUDIES = 40
TRIALS = 50
METHODS = ("random", "bayesian", "anneal")
LEARNING_RATE = "optimizer.learning_rate.initial_learning_rate"


def toy_objective(point: dict[str, Any]) -> float:
    """Smooth in the numbers, with a preference among the options, so the methods move around."""
    value = (math.log10(point[LEARNING_RATE]) + 2.5) ** 2 / 4
    value += (point["dropout_1.rate"] - 0.3) ** 2 + (point["optimizer.learning_rate.decay_rate"] - 0.95) ** 2
    value += abs(point["dense_1.units"] - 40) / 56 + abs(point["dense_2.units"] - 10) / 28
    value += 0.1 * (point["conv2d_2.kernel_size"] == (5, 5)) + 0.1 * (point["conv2d_2.use_bias"] is False)
    return value + 0.1 * (point["conv2d_1.filters"] == "big") + point["dropout_2.rate"] / 10


@pytest.fixture(scope="module")
def every_form() -> Any:
    return space_of(EVERY_FORM)


@functools.cache
def draws(method: str) -> list[dict[str, Any]]:
    """2,000 proposals of ``method`` over :data:`EVERY_FORM` (drawn once per test session)."""
    every_form = space_of(EVERY_FORM)
    points = []
    for study in range(STUDIES):
        instance = searcher(every_form, method, seed=study, n_trials=TRIALS)
        points += [proposal.params for proposal, _ in drive(instance, toy_objective, TRIALS)]
    assert len(points) == STUDIES * TRIALS
    return points


def assert_exact_value(param: Param, value: Any) -> None:
    """``value`` is a legal value of ``param``: an option itself, or a number on the grid, in bounds."""
    if param.kind == CHOICE:
        assert any(value == option and type(value) is type(option) for option in param.choices), value
        return
    if param.kind == CUSTOM:
        assert type(value) is str and value in param.labels
        return
    assert param.low is not None and param.high is not None
    assert type(value) is (int if param.is_int else float), (param.name, value)
    assert param.low <= value <= param.high, (param.name, value)
    if param.step is not None:
        assert value in param.grid_values(), (param.name, value)
        decimals = max(len(repr(float(param.step)).split(".")[1].rstrip("0")), 0)
        assert value == round(value, decimals), (param.name, value)  # 0.3, never 0.30000000000000004


@pytest.mark.parametrize("method", METHODS)
def test_every_proposal_is_an_exact_value_of_its_parameter(every_form: Any, method: str) -> None:
    for point in draws(method):
        assert set(point) == set(every_form.names)
        for param in every_form.params:
            assert_exact_value(param, point[param.name])


@pytest.mark.parametrize("method", METHODS)
def test_every_option_and_grid_point_is_proposed(every_form: Any, method: str) -> None:
    points = draws(method)
    for param in every_form.params:
        if param.is_categorical or param.step is not None:
            seen = Counter(point[param.name] for point in points)
            assert set(seen) == set(param.grid_values()), (method, param.name, seen)


def test_random_search_is_uniform_over_a_stepped_grid_ends_included(every_form: Any) -> None:
    """hp.quniform(low, high, q) gives the two ends half the mass; the grid-index form does not."""
    from scipy.stats import chisquare

    points = draws("random")
    param = every_form["optimizer.learning_rate.decay_rate"]
    grid = param.grid_values()
    assert grid == (0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99)
    counts = Counter(point[param.name] for point in points)
    assert chisquare([counts[value] for value in grid]).pvalue > 1e-3, counts


@pytest.mark.parametrize("method", ["random", "bayesian"])  # annealing samples near the best after trial 0
def test_log_range_draws_are_log_uniform(every_form: Any, method: str) -> None:
    from scipy.stats import kstest

    points = draws(method)
    param = every_form[LEARNING_RATE]
    # TPE draws from the prior only during its random start-up (the first 10 trials of each study).
    prior = points if method == "random" else [p for i, p in enumerate(points) if i % TRIALS < 10]
    logs = [math.log(point[param.name]) for point in prior]
    low, high = math.log(param.low), math.log(param.high)
    assert kstest(logs, "uniform", args=(low, high - low)).pvalue > 1e-3


def test_the_ks_test_tells_a_uniform_range_from_a_log_uniform_one(every_form: Any) -> None:
    """The KS test above has power: hp.uniform on the same bounds (the classic mistake) fails it."""
    import numpy as np
    from scipy.stats import kstest

    param = every_form[LEARNING_RATE]
    naive = np.random.default_rng(0).uniform(param.low, param.high, size=400)
    low, high = math.log(param.low), math.log(param.high)
    assert kstest(np.log(naive), "uniform", args=(low, high - low)).pvalue < 1e-6


def test_raw_values_invert_to_point_on_every_grid_value(every_form: Any) -> None:
    mapping = HyperoptSpace(every_form.params)
    for param in every_form.params:
        if param.is_categorical or param.step is not None:
            for value in param.grid_values():
                raw = to_raw(param, value)
                back = to_value(param, raw)
                assert back == value and type(back) is type(value)
    point = every_form.nominal_point()
    assert mapping.to_point(mapping.raw_values(point)) == point


def test_raw_values_out_of_the_grid_are_clamped_onto_it(every_form: Any) -> None:
    rate = every_form["optimizer.learning_rate.decay_rate"]
    assert grid_top(rate) == 9
    assert to_value(rate, -0.5) == 0.9 and to_value(rate, 9.5) == 0.99 and to_value(rate, 42.0) == 0.99
    assert to_value(every_form["dense_2.units"], 1e9) == 32
    assert to_value(every_form[LEARNING_RATE], 0.5) == 0.1
    assert to_value(every_form["conv2d_2.use_bias"], 1) is False


def test_a_value_outside_the_space_has_no_raw_value(every_form: Any) -> None:
    with pytest.raises(ValueError):
        to_raw(every_form["dropout_1.rate"], 0.35)
    with pytest.raises(ValueError):
        to_raw(every_form["conv2d_2.use_bias"], 1)  # 1 is not True: booleans stay booleans


def test_the_custom_option_value_reaches_the_model(every_form: Any) -> None:
    instance = searcher(every_form, "random", seed=4, n_trials=20)
    seen = set()
    for proposal, _ in drive(instance, toy_objective, 20):
        model = every_form.bind(proposal.params)
        conv = model.layers[0].params
        expected = {"small": (8, (3, 3)), "big": (16, (5, 5))}[proposal.params["conv2d_1.filters"]]
        assert (conv["filters"], conv["kernel_size"]) == expected
        assert model.layers[1].params["kernel_size"] == proposal.params["conv2d_2.kernel_size"]
        seen.add(proposal.params["conv2d_1.filters"])
    assert seen == {"small", "big"}
