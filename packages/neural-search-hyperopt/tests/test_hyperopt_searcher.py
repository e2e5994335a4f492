"""HyperoptSearcher's own behaviour: what hyperopt is told, settings, errors, seeds and resume."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hyperopt_support import ADVANCED_EXAMPLE, EVERY_FORM, drive, past_trials, searcher, space_of

from neural.errors import NeuralError
from neural.search.base import COMPLETE, FAILED, PRUNED, Outcome

METHODS = ("random", "bayesian", "anneal")


def advanced_space() -> Any:
    from neural.program import load_program

    return load_program(str(ADVANCED_EXAMPLE)).space


def loss(point: dict[str, Any]) -> float:
    """A smooth stand-in for the advanced example's validation loss."""
    bench_value = (math.log10(point["optimizer.learning_rate.initial_learning_rate"]) + 2) ** 2
    return bench_value + (point["dropout_1.rate"] - 0.5) ** 2 + 0.01 * (point["dense_1.units"] == 128)


def proposals(told: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(proposal.number, proposal.params) for proposal, _ in told]


# ----------------------------------------------------------------------------- resume


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("cut", [3, 14])
def test_a_search_cut_after_k_trials_and_restored_proposes_what_an_uninterrupted_one_did(
    method: str, cut: int
) -> None:
    space = advanced_space()
    budget = 22  # past TPE's 10 random start-up trials on both sides of the cut
    uninterrupted = drive(searcher(space, method, seed=7, n_trials=budget), loss, budget)
    first = drive(searcher(space, method, seed=7, n_trials=budget), loss, cut)
    resumed = searcher(space, method, seed=7, n_trials=budget)
    resumed.restore(past_trials(first, space))
    rest = drive(resumed, loss, budget)
    assert proposals(first + rest) == proposals(uninterrupted)
    assert resumed.ask() is None


def test_a_trial_interrupted_before_it_was_told_runs_again_with_its_own_number() -> None:
    space = advanced_space()
    uninterrupted = drive(searcher(space, "bayesian", seed=1, n_trials=16), loss, 16)
    first = searcher(space, "bayesian", seed=1, n_trials=16)
    told = drive(first, loss, 12)
    assert first.ask() is not None  # trial 12 was running when the process died: not in the results file
    resumed = searcher(space, "bayesian", seed=1, n_trials=16)
    resumed.restore(past_trials(told, space))
    rest = drive(resumed, loss, 16)
    assert [proposal.number for proposal, _ in rest] == [12, 13, 14, 15]
    assert proposals(told + rest) == proposals(uninterrupted)


def test_the_rebuilt_trials_hold_what_the_uninterrupted_run_held() -> None:
    space = space_of(EVERY_FORM)
    original = searcher(space, "bayesian", seed=3, n_trials=30)
    told = drive(original, lambda point: point["dropout_1.rate"], 30)
    rebuilt = searcher(space, "bayesian", seed=3, n_trials=30)
    rebuilt.restore(past_trials(told, space))

    def history(instance: Any) -> list[tuple[Any, ...]]:
        return [
            (doc["tid"], doc["state"], doc["result"], doc["misc"]["vals"])
            for doc in instance.trials._dynamic_trials
        ]

    assert history(rebuilt) == history(original)


def test_another_seed_gives_other_proposals() -> None:
    space = advanced_space()
    one = drive(searcher(space, "bayesian", seed=1, n_trials=12), loss, 12)
    two = drive(searcher(space, "bayesian", seed=2, n_trials=12), loss, 12)
    assert proposals(one) != proposals(two)


def test_adaptive_tpe_is_repeatable_resumable_and_takes_parallel_asks() -> None:
    space = advanced_space()
    # ATPE's LightGBM models take over after its 10 initialisation trials.
    uninterrupted = drive(searcher(space, "bayesian", sampler="atpe", seed=5, n_trials=13), loss, 13)
    first = drive(searcher(space, "bayesian", sampler="atpe", seed=5, n_trials=13), loss, 11)
    resumed = searcher(space, "bayesian", sampler="atpe", seed=5, n_trials=13)
    resumed.restore(past_trials(first, space))
    two_open = [resumed.ask(), resumed.ask()]  # --parallel 2: trial 12 is asked while 11 runs
    assert [proposal.number for proposal in two_open if proposal] == [11, 12]
    assert [(p.number, p.params) for p in two_open if p] == proposals(uninterrupted)[11:]
    for proposal, _ in uninterrupted:
        assert all(space[name].contains(value) for name, value in proposal.params.items())
    assert resumed.describe()["algorithm"]["name"] == "hyperopt.atpe.suggest"


def test_adaptive_tpe_without_lightgbm_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "lightgbm" else real_find_spec(name, *a)
    )
    with pytest.raises(NeuralError, match="pip install lightgbm scikit-learn") as info:
        searcher(advanced_space(), "bayesian", sampler="atpe")
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------------- what hyperopt is told


def test_complete_pruned_and_failed_trials_reach_hyperopt_as_done_done_and_error() -> None:
    from hyperopt.base import JOB_STATE_DONE, JOB_STATE_ERROR

    instance = searcher(space_of(EVERY_FORM), "bayesian", n_trials=5)
    outcomes = [
        Outcome(COMPLETE, value=0.4, intermediate=[0.9, 0.4]),
        Outcome(PRUNED, value=0.8, intermediate=[1.2, 0.8]),
        Outcome(FAILED, error="RuntimeError: diverged"),
        Outcome(COMPLETE, value=math.nan, intermediate=[math.nan]),
    ]
    for outcome in outcomes:
        proposal = instance.ask()
        assert proposal is not None
        instance.tell(proposal, outcome)
    docs = {doc["tid"]: doc for doc in instance.trials._dynamic_trials}
    assert docs[0]["state"] == JOB_STATE_DONE and docs[0]["result"] == {"loss": 0.4, "status": "ok"}
    assert docs[1]["state"] == JOB_STATE_DONE
    assert docs[1]["result"] == {"loss": 0.8, "status": "ok", "pruned": True}
    assert docs[2]["state"] == JOB_STATE_ERROR and docs[2]["misc"]["error"][1] == "RuntimeError: diverged"
    assert docs[3]["state"] == JOB_STATE_ERROR  # a NaN objective teaches nothing
    assert instance.trials.tids == [0, 1]  # hyperopt's history leaves the errors out


def test_a_maximized_objective_is_negated_into_hyperopts_loss() -> None:
    instance = searcher(space_of(EVERY_FORM), "anneal", n_trials=3, direction="maximize")
    proposal = instance.ask()
    assert proposal is not None
    instance.tell(proposal, Outcome(COMPLETE, value=0.93, intermediate=[0.93]))
    assert instance.trials.trials[0]["result"]["loss"] == -0.93


def test_median_pruning_stops_a_trial_behind_the_completed_ones() -> None:
    instance = searcher(space_of(EVERY_FORM), "random", n_trials=10, pruner="median", max_epochs=3)
    for _ in range(3):
        proposal = instance.ask()
        assert proposal is not None
        assert not instance.report(proposal, 0, 0.5)
        instance.tell(proposal, Outcome(COMPLETE, value=0.4, intermediate=[0.5, 0.4]))
    proposal = instance.ask()
    assert proposal is not None
    assert instance.report(proposal, 0, 0.9)


# ----------------------------------------------------------------------------- settings and errors


def test_describe_holds_the_tpe_settings_for_the_results_file() -> None:
    info = searcher(advanced_space(), "bayesian", seed=4).describe()
    assert info["searcher"] == "hyperopt" and info["method"] == "bayesian"
    assert info["algorithm"] == {
        "name": "hyperopt.tpe.suggest",
        "n_startup_jobs": 10,
        "gamma": 0.25,
        "n_ei_candidates": 24,
        "prior_weight": 1.0,
        "seed": 4,
    }
    assert info["hyperopt_version"] == "0.3.0"
    encodings = {entry["name"]: entry["encoding"] for entry in info["space"]}
    assert encodings["optimizer.learning_rate.decay_rate"] == "hp.quniform over grid indices"
    assert encodings["optimizer.learning_rate.initial_learning_rate"] == "hp.loguniform(log low, log high)"


def test_options_override_the_tpe_settings() -> None:
    instance = searcher(advanced_space(), "bayesian", options={"n_startup_jobs": 3, "gamma": 0.5})
    assert instance.describe()["algorithm"]["n_startup_jobs"] == 3
    assert instance.describe()["algorithm"]["gamma"] == 0.5
    with pytest.raises(NeuralError, match="gamma"):
        searcher(advanced_space(), "bayesian", options={"gamma": 2})


def test_describe_holds_the_annealing_settings() -> None:
    algorithm = searcher(advanced_space(), "anneal").describe()["algorithm"]
    assert algorithm == {
        "name": "hyperopt.anneal.suggest",
        "avg_best_idx": 2.0,
        "shrink_coef": 0.1,
        "seed": 0,
    }


def test_an_unknown_sampler_is_a_user_error_with_a_suggestion() -> None:
    with pytest.raises(NeuralError, match="did you mean 'atpe'"):
        searcher(advanced_space(), "bayesian", sampler="apte")


def test_a_sampler_with_a_method_other_than_bayesian_is_a_user_error() -> None:
    with pytest.raises(NeuralError, match="only applies to search_method 'bayesian'"):
        searcher(advanced_space(), "anneal", sampler="tpe")


def test_an_algorithm_that_fails_to_propose_is_a_one_line_user_error() -> None:
    instance = searcher(advanced_space(), "anneal")

    def broken(*args: Any) -> list[dict[str, Any]]:
        raise ValueError("probabilities contain NaN")

    instance._suggest = broken
    with pytest.raises(NeuralError) as info:
        instance.ask()
    message = str(info.value)
    assert "hyperopt.anneal.suggest failed to propose trial 0: ValueError: probabilities" in message
    assert "\n" not in message and "--resume" in message


def test_a_shared_storage_and_hyperband_point_to_the_optuna_searcher() -> None:
    with pytest.raises(NeuralError, match="--searcher optuna"):
        searcher(advanced_space(), "bayesian", storage="study.log")
    with pytest.raises(NeuralError, match="hyperband"):
        searcher(advanced_space(), "bayesian", pruner="hyperband")
