"""OptunaSearcher in one process: methods, seeding, grid, pruning, restore, settings, errors."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import replace as dataclasses_replace
from pathlib import Path
from typing import Any

import pytest
from optuna.trial import TrialState
from optuna_support import load_bench, space_of

from neural.errors import NeuralError
from neural.search.base import Outcome, PastTrial, SearchSettings
from neural_search_optuna.searcher import OptunaSearcher

bench = load_bench("bench_sample_efficiency")

SMALL = space_of(
    """
network Small {
  input: (8, 8, 1)
  layers:
    Conv2D(4, HPO(choice((3, 3), (5, 5))), padding="same")
    Flatten()
    Dense(HPO(custom({"narrow": 8, "mid": 16, "wide": 32})))
    Dropout(HPO(range(0.1, 0.3, step=0.1)))
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
}
"""
)
UNIT = space_of(
    """
network Unit {
  input: (4,)
  layers:
    Dropout(HPO(range(0.0, 0.8)))
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
}
"""
)
X = "dropout_1.rate"


def run(searcher: OptunaSearcher, objective: Callable[[dict[str, Any]], float]) -> list[dict[str, Any]]:
    """Drive ``searcher`` to the end with a test objective; return the proposed points."""
    points = []
    while (proposal := searcher.ask()) is not None:
        points.append(proposal.params)
        searcher.tell(proposal, Outcome("complete", value=objective(proposal.params)))
    searcher.close()
    return points


def mixed_points(method: str, seed: int, n_trials: int = 15) -> list[dict[str, Any]]:
    searcher = OptunaSearcher(
        bench.advanced_like_space(), SearchSettings(method=method, seed=seed, n_trials=n_trials)
    )
    return run(searcher, bench.synthetic_validation_loss)


# ---------------------------------------------------------------------------- seeding and budget


@pytest.mark.parametrize("method", ["random", "bayesian"])
def test_the_same_seed_gives_the_same_proposals(method: str) -> None:
    assert mixed_points(method, seed=7) == mixed_points(method, seed=7)


@pytest.mark.parametrize("method", ["random", "bayesian"])
def test_another_seed_gives_other_proposals(method: str) -> None:
    assert mixed_points(method, seed=7) != mixed_points(method, seed=8)


def test_an_in_memory_study_stops_at_its_budget_with_consecutive_numbers() -> None:
    searcher = OptunaSearcher(UNIT, SearchSettings(method="random", n_trials=4))
    numbers = []
    while (proposal := searcher.ask()) is not None:
        numbers.append(proposal.number)
        searcher.tell(proposal, Outcome("complete", value=proposal.params[X]))
    assert numbers == [0, 1, 2, 3]
    assert searcher.ask() is None


def test_proposals_are_points_of_the_space() -> None:
    for point in mixed_points("bayesian", seed=1, n_trials=20):
        for param in bench.advanced_like_space().params:
            assert param.contains(point[param.name]), (param.name, point[param.name])
        assert isinstance(point["conv2d_1.kernel_size"], tuple)


# ---------------------------------------------------------------------------- grid


def test_grid_enumerates_every_point_once_then_returns_none() -> None:
    searcher = OptunaSearcher(SMALL, SearchSettings(method="grid", n_trials=1000, seed=3))
    points = run(searcher, lambda p: p["dropout_1.rate"])
    expected = [
        dict(zip([p.name for p in SMALL.params], combo, strict=True))
        for combo in itertools.product(*(p.grid_values() for p in SMALL.params))
    ]
    assert len(points) == len(expected) == 18
    assert sorted(map(repr, points)) == sorted(map(repr, expected))
    assert searcher.ask() is None


def test_grid_stops_at_a_budget_smaller_than_the_grid() -> None:
    searcher = OptunaSearcher(SMALL, SearchSettings(method="grid", n_trials=5))
    points = run(searcher, lambda p: 0.0)
    assert len(points) == 5 and len({repr(p) for p in points}) == 5


def test_grid_on_a_continuous_range_uses_grid_points() -> None:
    searcher = OptunaSearcher(UNIT, SearchSettings(method="grid", n_trials=100, grid_points=3))
    assert sorted(p[X] for p in run(searcher, lambda p: p[X])) == [0.0, 0.4, 0.8]


# ---------------------------------------------------------------------------- samplers


@pytest.mark.parametrize("sampler", ["gp", "cmaes"])
def test_gp_and_cmaes_samplers_propose_points_of_the_space(sampler: str) -> None:
    space = space_of(
        """
network Mixed {
  input: (4,)
  layers:
    Dense(HPO(range(1, 9, step=2)))
    Dropout(HPO(range(0.0, 0.9)))
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
}
"""
    )
    settings = SearchSettings(method="bayesian", sampler=sampler, seed=0, n_trials=13)
    searcher = OptunaSearcher(space, settings)
    points = run(
        searcher,
        lambda p: (
            (p["dropout_1.rate"] - 0.3) ** 2
            + math.log10(p["optimizer.learning_rate"]) ** 2
            + p["dense_1.units"]
        ),
    )
    assert len(points) == 13
    assert all(all(param.contains(point[param.name]) for param in space.params) for point in points)
    assert searcher.describe()["sampler"]["name"] == {"gp": "GPSampler", "cmaes": "CmaEsSampler"}[sampler]


def test_describe_holds_the_tpe_settings_for_the_results_file() -> None:
    described = OptunaSearcher(UNIT, SearchSettings(method="bayesian", seed=5)).describe()
    sampler = described["sampler"]
    assert sampler["name"] == "TPESampler" and sampler["seed"] == 5
    assert sampler["multivariate"] is True and sampler["constant_liar"] is True
    assert sampler["n_startup_trials"] == 3 and sampler["consider_endpoints"] is False
    assert described["optuna_version"].startswith("5.")
    assert described["pruner"] == {"name": "NopPruner"}


@pytest.mark.parametrize(
    ("settings", "startup"),
    [
        ({"n_trials": 10}, 3),  # the guide's budget: Optuna's 10 would leave no trial to TPE
        ({"n_trials": 24}, 6),
        ({"n_trials": 200}, 10),
        ({"n_trials": 1000, "open_ended": True}, 5),
        ({"n_trials": 10, "startup_trials": 7}, 7),
    ],
)
def test_tpe_random_start_up_is_fitted_to_the_budget_unless_the_train_block_sets_it(
    settings: dict[str, Any], startup: int
) -> None:
    searcher = OptunaSearcher(UNIT, SearchSettings(method="bayesian", seed=0, **settings))
    assert searcher.describe()["sampler"]["n_startup_trials"] == startup
    assert searcher.study.sampler._n_startup_trials == startup
    lines = searcher.header_lines()
    assert any(line.startswith(f"sampler: TPE, its first {startup} trial(s) random") for line in lines)


def test_default_asha_pruning_is_announced_with_its_rungs_and_how_to_turn_it_off() -> None:
    settings = SearchSettings(method="bayesian", pruner="asha", max_epochs=20, defaulted=("pruner",))
    searcher = OptunaSearcher(UNIT, settings)
    assert searcher.describe()["pruner"]["name"] == "SuccessiveHalvingPruner"
    line = next(line for line in searcher.header_lines() if line.startswith("pruning:"))
    assert "asha by default" in line and "after epochs 2, 4, 10" in line and 'pruner: "none"' in line
    chosen = OptunaSearcher(UNIT, dataclasses_replace(settings, defaulted=()))
    assert "by default" not in " ".join(chosen.header_lines())
    off = OptunaSearcher(UNIT, SearchSettings(method="bayesian", pruner="none", max_epochs=20))
    assert not any(line.startswith("pruning:") for line in off.header_lines())


def test_asha_prunes_a_trial_behind_the_best_third_at_a_rung() -> None:
    searcher = OptunaSearcher(UNIT, SearchSettings(method="bayesian", pruner="asha", max_epochs=20, seed=0))
    curves = [[0.5, 0.3, 0.2], [0.6, 0.4, 0.3], [0.9, 0.8, 0.7]]  # minimised: the later ones are worse
    verdicts = []
    for curve in curves:
        proposal = searcher.ask()
        assert proposal is not None
        pruned = [searcher.report(proposal, step, value) for step, value in enumerate(curve)]
        verdicts.append(pruned)
        searcher.tell(proposal, Outcome("pruned" if any(pruned) else "complete", curve[-1], curve))
    assert verdicts[0] == [False, False, False]  # alone at the rung after epoch 2: promoted
    assert verdicts[2][1] is True  # behind the best at epoch 2


def test_an_unknown_sampler_is_a_user_error_with_a_suggestion() -> None:
    with pytest.raises(NeuralError, match="did you mean 'cmaes'"):
        OptunaSearcher(UNIT, SearchSettings(method="bayesian", sampler="cmaess"))


def test_a_sampler_with_a_method_other_than_bayesian_is_a_user_error() -> None:
    with pytest.raises(NeuralError, match="only applies to search_method 'bayesian'"):
        OptunaSearcher(UNIT, SearchSettings(method="random", sampler="gp"))


def test_an_unknown_pruner_is_a_user_error_with_a_suggestion() -> None:
    with pytest.raises(NeuralError, match="did you mean 'median'"):
        OptunaSearcher(UNIT, SearchSettings(pruner="medain"))


# ---------------------------------------------------------------------------- pruning


def bad_region_curve(x: float, epochs: int) -> list[float]:
    """Per-epoch losses: they fall for x < 0.5, and stay high in the bad region x >= 0.5."""
    if x >= 0.5:
        return [2.0 + x] * epochs
    return [x + 1.0 / (epoch + 1) for epoch in range(epochs)]


def run_with_pruning(
    pruner: str, epochs: int, n_trials: int
) -> tuple[OptunaSearcher, dict[int, tuple[float, int, str]]]:
    """A search over the bad-region objective; returns ``{number: (x, epochs run, state)}``."""
    settings = SearchSettings(method="random", seed=0, n_trials=n_trials, pruner=pruner, max_epochs=epochs)
    searcher = OptunaSearcher(UNIT, settings)
    epochs_run: dict[int, tuple[float, int, str]] = {}
    while (proposal := searcher.ask()) is not None:
        curve = bad_region_curve(proposal.params[X], epochs)
        for epoch, value in enumerate(curve):
            if searcher.report(proposal, epoch, value):
                searcher.tell(proposal, Outcome("pruned", value=value, intermediate=curve[: epoch + 1]))
                epochs_run[proposal.number] = (proposal.params[X], epoch + 1, "pruned")
                break
        else:
            searcher.tell(proposal, Outcome("complete", value=curve[-1], intermediate=curve))
            epochs_run[proposal.number] = (proposal.params[X], epochs, "complete")
    return searcher, epochs_run


def test_the_median_pruner_stops_trials_in_a_bad_region_early() -> None:
    epochs = 8
    searcher, epochs_run = run_with_pruning("median", epochs, 30)
    # Once the pruner has seen a few complete trials, every trial in the bad region stops early.
    judged = [v for n, v in epochs_run.items() if n >= 12 and v[0] >= 0.5]
    assert len(judged) >= 5
    assert all(state == "pruned" and ran <= 2 for _, ran, state in judged)
    best_x = min(x for x, _, _ in epochs_run.values())
    assert all(state == "complete" for x, _, state in epochs_run.values() if x == best_x)
    assert sum(ran for _, ran, _ in epochs_run.values()) < 0.7 * epochs * len(epochs_run)
    pruned = {t.number: t for t in searcher.study.trials if t.state == TrialState.PRUNED}
    assert all(len(t.intermediate_values) == epochs_run[n][1] for n, t in pruned.items())


def test_the_hyperband_pruner_stops_most_trials_in_a_bad_region_early() -> None:
    epochs = 9
    _, epochs_run = run_with_pruning("hyperband", epochs, 40)
    bad = [(ran, state) for x, ran, state in epochs_run.values() if x >= 0.5]
    good = [ran for x, ran, _ in epochs_run.values() if x < 0.5]
    assert sum(state == "pruned" for _, state in bad) >= 0.6 * len(bad)
    assert sum(ran for ran, _ in bad) / len(bad) < sum(good) / len(good)


def test_the_hyperband_pruner_uses_the_epochs_as_its_resource() -> None:
    settings = SearchSettings(method="random", n_trials=3, pruner="hyperband", max_epochs=9)
    described = OptunaSearcher(UNIT, settings).describe()["pruner"]
    assert described == {
        "name": "HyperbandPruner",
        "min_resource": 1,
        "max_resource": 9,
        "reduction_factor": 3,
    }


def test_told_outcomes_land_in_the_study_with_their_curves() -> None:
    searcher = OptunaSearcher(UNIT, SearchSettings(method="random", n_trials=4))
    pruned, failed, nan, complete = (searcher.ask() for _ in range(4))
    assert searcher.report(pruned, 0, float("nan")) is False
    searcher.tell(pruned, Outcome("pruned", value=0.9, intermediate=[1.0, 0.9]))
    searcher.tell(failed, Outcome("failed", error="shape mismatch"))
    searcher.tell(nan, Outcome("complete", value=float("nan"), intermediate=[0.5]))
    searcher.tell(complete, Outcome("complete", value=0.25, intermediate=[0.5, 0.25]))
    trials = searcher.study.trials
    assert [t.state for t in trials] == [
        TrialState.PRUNED,
        TrialState.FAIL,
        TrialState.FAIL,
        TrialState.COMPLETE,
    ]
    assert trials[0].intermediate_values == {0: 1.0, 1: 0.9}
    assert trials[1].user_attrs["neural:error"] == "shape mismatch"
    assert "not a finite number" in trials[2].user_attrs["neural:error"]
    assert trials[3].value == 0.25 and trials[3].intermediate_values == {0: 0.5, 1: 0.25}


# ---------------------------------------------------------------------------- restore (--resume)


def past_trials(method: str, n: int, seed: int = 0) -> list[PastTrial]:
    searcher = OptunaSearcher(SMALL, SearchSettings(method=method, n_trials=n, seed=seed))
    past = []
    while (proposal := searcher.ask()) is not None:
        value = proposal.params["dropout_1.rate"]
        searcher.tell(proposal, Outcome("complete", value=value, intermediate=[value]))
        past.append(
            PastTrial(
                proposal.number, proposal.params, Outcome("complete", value=value, intermediate=[value])
            )
        )
    return past


def test_restore_replays_earlier_trials_into_an_in_memory_study() -> None:
    past = past_trials("bayesian", 5)
    past[1] = PastTrial(1, past[1].params, Outcome("pruned", value=None, intermediate=[0.7, 0.6]))
    past[2] = PastTrial(2, past[2].params, Outcome("failed", error="boom"))
    searcher = OptunaSearcher(SMALL, SearchSettings(method="bayesian", n_trials=8))
    searcher.restore(past)
    trials = searcher.study.trials
    assert [t.state for t in trials] == [
        TrialState.COMPLETE,
        TrialState.PRUNED,
        TrialState.FAIL,
        TrialState.COMPLETE,
        TrialState.COMPLETE,
    ]
    assert trials[1].intermediate_values == {0: 0.7, 1: 0.6}
    numbers = [p.number for p in iter(searcher.ask, None)]
    assert numbers == [5, 6, 7]


@pytest.mark.parametrize("method", ["random", "bayesian"])
def test_a_resumed_study_does_not_propose_the_restored_points_again(method: str) -> None:
    first = OptunaSearcher(UNIT, SearchSettings(method=method, n_trials=3, seed=4))
    past = []
    while (proposal := first.ask()) is not None:
        outcome = Outcome("complete", value=proposal.params[X])
        first.tell(proposal, outcome)
        past.append(PastTrial(proposal.number, proposal.params, outcome))

    resumed = OptunaSearcher(UNIT, SearchSettings(method=method, n_trials=6, seed=4))
    resumed.restore(past)
    again = run(resumed, lambda point: point[X])
    resumed_twice = OptunaSearcher(UNIT, SearchSettings(method=method, n_trials=6, seed=4))
    resumed_twice.restore(past)

    assert len(again) == 3
    assert {p[X] for p in again}.isdisjoint(t.params[X] for t in past)
    assert run(resumed_twice, lambda point: point[X]) == again  # still deterministic


def test_restore_continues_numbers_after_a_gap() -> None:
    past = past_trials("random", 3)
    past[2] = PastTrial(4, past[2].params, past[2].outcome)  # trial 2 and 3 were interrupted
    searcher = OptunaSearcher(SMALL, SearchSettings(method="random", n_trials=5))
    searcher.restore(past)
    assert [p.number for p in iter(searcher.ask, None)] == [5, 6]


def test_restored_grid_cells_are_not_proposed_again() -> None:
    first = past_trials("grid", 6, seed=2)
    searcher = OptunaSearcher(SMALL, SearchSettings(method="grid", n_trials=1000, seed=2))
    searcher.restore(first)
    rest = run(searcher, lambda p: 0.0)
    assert len(rest) == 12
    assert {repr(p.params) for p in first}.isdisjoint(repr(p) for p in rest)


# ---------------------------------------------------------------------------- persistent studies


def test_a_journal_study_refuses_another_search_space(tmp_path: Path) -> None:
    journal = str(tmp_path / "study.log")
    OptunaSearcher(UNIT, SearchSettings(storage=journal, study_name="s")).close()
    with pytest.raises(NeuralError, match="different search space"):
        OptunaSearcher(SMALL, SearchSettings(storage=journal, study_name="s"))


def test_a_journal_study_refuses_the_opposite_direction(tmp_path: Path) -> None:
    journal = f"journal:{tmp_path / 'study.jsonl'}"
    OptunaSearcher(UNIT, SearchSettings(storage=journal, study_name="s")).close()
    with pytest.raises(NeuralError, match="to minimize its objective"):
        OptunaSearcher(UNIT, SearchSettings(storage=journal, study_name="s", direction="maximize"))


def test_a_storage_that_is_neither_a_journal_nor_a_url_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(NeuralError, match="neither a journal file nor a database URL"):
        OptunaSearcher(UNIT, SearchSettings(storage=str(tmp_path / "study.db")))


def test_an_unreachable_database_is_a_user_error_without_its_password() -> None:
    url = "postgresql://neural:secret@127.0.0.1:1/nowhere"
    with pytest.raises(NeuralError, match="cannot open storage") as raised:
        OptunaSearcher(UNIT, SearchSettings(storage=url, study_name="s"))
    assert "secret" not in str(raised.value)


def test_a_sqlite_study_resumes_where_the_last_process_stopped(tmp_path: Path) -> None:
    settings = SearchSettings(
        method="bayesian", n_trials=6, storage=f"sqlite:///{tmp_path / 's.db'}", study_name="s"
    )
    first = OptunaSearcher(UNIT, settings)
    for _ in range(4):
        proposal = first.ask()
        first.tell(proposal, Outcome("complete", value=proposal.params[X]))
    first.close()
    second = OptunaSearcher(UNIT, settings)
    second.restore([])  # the storage holds the trials already
    assert [p.number for p in iter(second.ask, None)] == [4, 5]
    assert second.describe()["storage"] == settings.storage


def test_close_fails_the_trials_still_open(tmp_path: Path) -> None:
    settings = SearchSettings(n_trials=3, storage=str(tmp_path / "s.log"), study_name="s")
    searcher = OptunaSearcher(UNIT, settings)
    searcher.ask()
    searcher.close()
    reopened = OptunaSearcher(UNIT, settings)
    [trial] = reopened.study.trials
    assert trial.state == TrialState.FAIL and "stopped" in trial.user_attrs["neural:error"]


def test_study_trials_lists_the_trials_of_every_process_sharing_the_study(tmp_path: Path) -> None:
    settings = SearchSettings(n_trials=4, storage=str(tmp_path / "s.log"), study_name="s", pruner="median")
    one, two = OptunaSearcher(SMALL, settings), OptunaSearcher(SMALL, settings)
    for searcher, outcome in (
        (one, Outcome("complete", 0.5, [0.7, 0.5])),
        (two, Outcome("pruned", 0.9, [0.9])),
        (one, Outcome("failed", error="diverged")),
        (two, Outcome("complete", 0.2, [0.2])),
    ):
        proposal = searcher.ask()
        assert proposal is not None
        searcher.tell(proposal, outcome)
    trials = two.study_trials()
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert [t.outcome.state for t in trials] == ["complete", "pruned", "failed", "complete"]
    assert trials[0].outcome.intermediate == [0.7, 0.5] and trials[2].outcome.error == "diverged"
    assert all(SMALL[name].contains(value) for t in trials for name, value in t.params.items())
    assert one.ask() is None and two.ask() is None


def test_a_search_moved_onto_an_empty_storage_keeps_its_trial_numbers(tmp_path: Path) -> None:
    past = past_trials("random", 3)
    past[2] = PastTrial(4, past[2].params, past[2].outcome)  # trials 2 and 3 were interrupted
    settings = SearchSettings(n_trials=6, storage=str(tmp_path / "s.log"), study_name="s")
    searcher = OptunaSearcher(SMALL, settings)
    searcher.restore(past)
    assert [p.number for p in iter(searcher.ask, None)] == [5]
    states = [t.state for t in searcher.study.trials]
    assert states[:5] == [
        TrialState.COMPLETE,
        TrialState.COMPLETE,
        TrialState.FAIL,
        TrialState.FAIL,
        TrialState.COMPLETE,
    ]
    again = OptunaSearcher(SMALL, settings)
    again.restore(past)  # the storage has them now: nothing is added twice
    assert len(again.study.trials) == 6


def test_two_searchers_sharing_a_journal_split_a_grid_without_repeats(tmp_path: Path) -> None:
    settings = SearchSettings(method="grid", n_trials=100, storage=str(tmp_path / "g.log"), study_name="g")
    one, two = OptunaSearcher(SMALL, settings), OptunaSearcher(SMALL, settings)
    points = []
    for searcher in itertools.cycle((one, two)):
        proposal = searcher.ask()
        if proposal is None:
            break
        points.append(repr(proposal.params))
        searcher.tell(proposal, Outcome("complete", value=0.0))
    assert len(points) == len(set(points)) == 18
