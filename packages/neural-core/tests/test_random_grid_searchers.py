"""The built-in random and grid searchers: exact DSL semantics of every HPO form,
grid completeness and order, reproducibility by seed, and resume by trial number."""

from __future__ import annotations

import itertools
import math

import pytest

from neural.program import compile_source
from neural.search.base import COMPLETE, Outcome, PastTrial, SearchSettings
from neural.search.grid_search import GridSearcher
from neural.search.random_search import RandomSearcher
from neural.testing import SearcherSuite

EVERY_FORM = """
network Forms {
  input: (8, 8, 1)
  layers:
    Conv2D(HPO(custom({"small": {"filters": 4, "kernel_size": 3},
                       "big": {"filters": 8, "kernel_size": 5}})), activation="relu")
    Conv2D(filters=HPO(choice(4, 8)), kernel_size=HPO(choice((1, 1), (3, 3))),
           padding=HPO(choice("same", "valid")))
    Flatten()
    Dense(HPO(range(8, 32, step=8)), activation=HPO(choice("relu", "tanh")), use_bias=HPO(choice(true, false)))
    Dropout(HPO(range(0.3, 0.7, step=0.1)))
    Dense(HPO(range(2, 5)))
    Dropout(HPO(range(0.0, 0.5)))
    Output(10, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 16 grid_points: 3 }
}
"""


@pytest.fixture(scope="module")
def space():  # type: ignore[no-untyped-def]
    return compile_source(EVERY_FORM, "forms.neural").space


def names_by_kind(space) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    kinds: dict[str, list[str]] = {}
    for param in space.params:
        kinds.setdefault(param.kind, []).append(param.name)
    return kinds


def random_points(space, n: int, seed: int = 0) -> list[dict]:  # type: ignore[no-untyped-def]
    searcher = RandomSearcher(space, SearchSettings(method="random", seed=seed, n_trials=n))
    points = []
    while (proposal := searcher.ask()) is not None:
        points.append(proposal.params)
        searcher.tell(proposal, Outcome(state=COMPLETE, value=0.0))
    return points


def test_random_proposals_are_legal_points_of_every_form(space) -> None:  # type: ignore[no-untyped-def]
    points = random_points(space, 300)
    assert len(points) == 300
    for point in points:
        space.validate_point(point)
        for param in space.params:
            assert param.contains(point[param.name]), (param.name, point[param.name])


def test_random_covers_every_option_and_every_step_including_high(space) -> None:  # type: ignore[no-untyped-def]
    points = random_points(space, 300)
    for param in space.params:
        seen = [point[param.name] for point in points]
        if param.kind in ("choice", "custom") or param.step is not None:
            expected = param.labels if param.kind == "custom" else param.grid_values()
            assert set(map(repr, seen)) == set(map(repr, expected)), param.name


def test_random_stepped_float_range_gives_rounded_values(space) -> None:  # type: ignore[no-untyped-def]
    rate = next(p for p in space.params if p.kind == "range" and p.step is not None and not p.is_int)
    values = {point[rate.name] for point in random_points(space, 200)}
    assert values == {0.3, 0.4, 0.5, 0.6, 0.7}
    assert all(isinstance(v, float) for v in values)


def test_random_integer_ranges_give_ints(space) -> None:  # type: ignore[no-untyped-def]
    points = random_points(space, 200)
    stepped = next(p for p in space.params if p.kind == "range" and p.is_int and p.step is not None)
    continuous = next(p for p in space.params if p.kind == "range" and p.is_int and p.step is None)
    assert {point[stepped.name] for point in points} == {8, 16, 24, 32}
    assert {point[continuous.name] for point in points} == {2, 3, 4, 5}
    assert all(type(point[continuous.name]) is int for point in points)


def test_random_keeps_choice_types(space) -> None:  # type: ignore[no-untyped-def]
    points = random_points(space, 100)
    for param in space.params:
        if param.kind == "choice":
            for point in points:
                value = point[param.name]
                assert any(type(value) is type(c) and value == c for c in param.choices)
    kernel = next(p for p in space.params if p.kind == "choice" and isinstance(p.choices[0], tuple))
    assert {point[kernel.name] for point in points} == {(1, 1), (3, 3)}


def test_random_continuous_float_range_is_uniform(space) -> None:  # type: ignore[no-untyped-def]
    rate = next(p for p in space.params if p.kind == "range" and p.step is None and not p.is_int)
    values = [point[rate.name] for point in random_points(space, 400)]
    assert all(0.0 <= v <= 0.5 for v in values)
    below_middle = sum(1 for v in values if v < 0.25) / len(values)
    assert 0.4 < below_middle < 0.6
    assert len(set(values)) > 390


def test_random_log_range_is_log_uniform(space) -> None:  # type: ignore[no-untyped-def]
    lr = next(p for p in space.params if p.kind == "log_range")
    values = [point[lr.name] for point in random_points(space, 400)]
    assert all(1e-4 <= v <= 1e-2 for v in values)
    below_geometric_middle = sum(1 for v in values if v < 1e-3) / len(values)
    assert 0.4 < below_geometric_middle < 0.6  # a plain uniform draw would put ~9% there


def test_random_custom_proposes_option_names(space) -> None:  # type: ignore[no-untyped-def]
    custom = names_by_kind(space)["custom"][0]
    assert {point[custom] for point in random_points(space, 50)} == {"small", "big"}


def test_random_same_seed_same_proposals_other_seed_differs(space) -> None:  # type: ignore[no-untyped-def]
    assert random_points(space, 20, seed=3) == random_points(space, 20, seed=3)
    assert random_points(space, 20, seed=3) != random_points(space, 20, seed=4)


def test_random_resume_proposes_what_an_uninterrupted_study_would(space) -> None:  # type: ignore[no-untyped-def]
    uninterrupted = random_points(space, 8, seed=11)
    resumed = RandomSearcher(space, SearchSettings(method="random", seed=11, n_trials=8))
    done = [0, 1, 2, 5]  # 3 and 4 were running when the first run stopped
    resumed.restore([PastTrial(n, uninterrupted[n], Outcome(COMPLETE, 0.0)) for n in done])
    proposals = []
    while (proposal := resumed.ask()) is not None:
        proposals.append(proposal)
    assert [p.number for p in proposals] == [3, 4, 6, 7]
    assert [p.params for p in proposals] == [uninterrupted[n] for n in (3, 4, 6, 7)]


def grid_points(space, n_trials: int = 10**9) -> list[dict]:  # type: ignore[no-untyped-def]
    searcher = GridSearcher(space, SearchSettings(method="grid", n_trials=n_trials, grid_points=3))
    points = []
    while (proposal := searcher.ask()) is not None:
        assert proposal.number == len(points)
        points.append(proposal.params)
        searcher.tell(proposal, Outcome(state=COMPLETE, value=1.0))
    assert searcher.ask() is None
    return points


def test_grid_enumerates_the_whole_cartesian_product_once_in_order(space) -> None:  # type: ignore[no-untyped-def]
    points = grid_points(space)
    axes = [p.grid_values(3) for p in space.params]
    expected = [
        dict(zip([p.name for p in space.params], combo, strict=True)) for combo in itertools.product(*axes)
    ]
    assert len(points) == space.size(3) == math.prod(len(a) for a in axes)
    assert points == expected


def test_grid_puts_announced_points_on_continuous_ranges(space) -> None:  # type: ignore[no-untyped-def]
    points = grid_points(space)
    lr = next(p for p in space.params if p.kind == "log_range")
    rate = next(p for p in space.params if p.kind == "range" and p.step is None and not p.is_int)
    assert sorted({point[lr.name] for point in points}) == pytest.approx([1e-4, 1e-3, 1e-2])
    assert sorted({point[rate.name] for point in points}) == pytest.approx([0.0, 0.25, 0.5])


def test_grid_stops_at_the_trial_budget(space) -> None:  # type: ignore[no-untyped-def]
    assert grid_points(space, n_trials=7) == grid_points(space)[:7]


def test_grid_resume_skips_visited_points(space) -> None:  # type: ignore[no-untyped-def]
    everything = grid_points(space, n_trials=10)
    searcher = GridSearcher(space, SearchSettings(method="grid", n_trials=10, grid_points=3))
    searcher.restore([PastTrial(n, everything[n], Outcome(COMPLETE, 0.0)) for n in (0, 1, 4)])
    rest = []
    while (proposal := searcher.ask()) is not None:
        rest.append((proposal.number, proposal.params))
    assert rest == [(n, everything[n]) for n in (2, 3, 5, 6, 7, 8, 9)]


def test_every_grid_point_of_the_custom_example_binds(space) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from neural.program import load_program

    example = Path(__file__).resolve().parents[3] / "examples" / "custom_conv.neural"
    program = load_program(example)
    searcher = GridSearcher(program.space, SearchSettings(method="grid", n_trials=100, grid_points=3))
    models = []
    while (proposal := searcher.ask()) is not None:
        models.append(program.space.bind(proposal.params))
    assert len(models) == program.space.size(3) == 2 * 3 * 2
    filters = {m.layers[0].params["filters"] for m in models}
    assert filters == {16, 32}


@pytest.mark.parametrize("searcher_class", [RandomSearcher, GridSearcher])
def test_built_in_searchers_refuse_a_shared_storage(space, searcher_class) -> None:  # type: ignore[no-untyped-def]
    from neural.errors import NeuralError

    with pytest.raises(NeuralError, match="pip install neural-search-optuna"):
        searcher_class(space, SearchSettings(method=next(iter(searcher_class.methods)), storage="study.log"))


def settings_with_pruner(pruner: str, direction: str = "minimize") -> SearchSettings:
    return SearchSettings(method="random", n_trials=20, pruner=pruner, direction=direction)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_median_pruning_stops_trials_behind_the_completed_median(space, direction: str) -> None:  # type: ignore[no-untyped-def]
    sign = 1.0 if direction == "minimize" else -1.0
    searcher = RandomSearcher(space, settings_with_pruner("median", direction))
    for level in (1.0, 2.0, 3.0):  # three completed trials: the median at every epoch is 2.0
        proposal = searcher.ask()
        assert not any(searcher.report(proposal, step, sign * level) for step in range(3))  # type: ignore[arg-type]
        searcher.tell(proposal, Outcome(COMPLETE, sign * level, [sign * level] * 3))  # type: ignore[arg-type]
    behind, ahead = searcher.ask(), searcher.ask()
    assert searcher.report(ahead, 0, sign * 1.5) is False  # type: ignore[arg-type]
    assert searcher.report(behind, 0, sign * 2.5) is True  # type: ignore[arg-type]


def test_median_pruning_waits_for_three_completed_trials(space) -> None:  # type: ignore[no-untyped-def]
    searcher = RandomSearcher(space, settings_with_pruner("median"))
    first = searcher.ask()
    searcher.tell(first, Outcome(COMPLETE, 1.0, [1.0]))  # type: ignore[arg-type]
    assert searcher.report(searcher.ask(), 0, 100.0) is False  # type: ignore[arg-type]


def test_without_a_pruner_no_trial_is_pruned(space) -> None:  # type: ignore[no-untyped-def]
    searcher = GridSearcher(space, SearchSettings(method="grid", n_trials=20, grid_points=3))
    for _ in range(5):
        proposal = searcher.ask()
        searcher.tell(proposal, Outcome(COMPLETE, 1.0, [1.0]))  # type: ignore[arg-type]
    assert searcher.report(searcher.ask(), 0, 1e9) is False  # type: ignore[arg-type]


def test_hyperband_needs_a_search_plugin(space) -> None:  # type: ignore[no-untyped-def]
    from neural.errors import NeuralError

    with pytest.raises(NeuralError, match='pruner "hyperband" needs a search plugin'):
        RandomSearcher(space, settings_with_pruner("hyperband"))


class TestRandomSearcherConformance(SearcherSuite):
    plugin_module = "neural.plugins.builtin"
    searcher_class = RandomSearcher


class TestGridSearcherConformance(SearcherSuite):
    searcher_class = GridSearcher
