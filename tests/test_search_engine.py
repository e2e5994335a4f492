"""The search engine end to end with the real PyTorch backend on tiny models:
trials, seeds, objective, failures, pruning, grid budget, results file, .best.neural."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import jsonschema
import pytest

from neural.errors import NeuralError
from neural.program import compile_source, load_program
from neural.search.base import PRUNED, SearchSettings
from neural.search.random_search import RandomSearcher
from neural.search.results_schema import RESULTS_SCHEMA
from neural.search.runner import SearchStopped
from neural.search.seeds import trial_seed
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from hpo_backends import RaisingBackend
from search_support import TINY, search, trial_signature, write_model


def test_random_search_records_every_trial_and_writes_the_best_source(tmp_path: Path) -> None:
    model = write_model(tmp_path)
    run = search(model, TorchBackend(), tmp_path / "out", seed=7)
    jsonschema.validate(run.results, RESULTS_SCHEMA)
    trials = run.results["trials"]
    assert [t["number"] for t in trials] == [0, 1, 2, 3]
    assert all(t["state"] == "complete" for t in trials)
    for trial in trials:
        assert len(trial["intermediate_values"]) == 2 == len(trial["metrics"])
        assert trial["value"] == min(trial["intermediate_values"])  # val_loss: the best epoch counts
        assert trial["intermediate_values"] == [m["val_loss"] for m in trial["metrics"]]
        assert trial["seed"] == trial_seed(7, trial["number"])
    best = min(trials, key=lambda t: t["value"])
    assert run.results["best_trial"]["number"] == best["number"]
    assert run.outcome is not None and run.outcome.best_value == best["value"]
    assert run.results["status"] == "finished" and run.results["seed"] == 7
    assert run.results["searcher"]["name"] == "random" and run.results["backend"]["name"] == "pytorch"
    assert {"neural-core", "torch", "python"} <= set(run.results["versions"])
    assert run.results["space"][0]["name"] == "dense_1.units"
    best_file = tmp_path / "out" / "tiny.best.neural"
    assert run.outcome.written == [tmp_path / "out" / "hpo_results.json", best_file]
    written = compile_source(best_file.read_text())
    assert written.concrete_model() == run.outcome.best_model
    assert "# width" in best_file.read_text()
    for number in range(4):
        assert f"trial {number:>3} complete" in run.output  # one line per trial even without a terminal
    assert "best trials" in run.output


def test_same_seed_gives_the_same_trials_and_values(tmp_path: Path) -> None:
    model = write_model(tmp_path)
    first = search(model, TorchBackend(), tmp_path / "a", seed=3, trials=3)
    second = search(model, TorchBackend(), tmp_path / "b", seed=3, trials=3)
    other = search(model, TorchBackend(), tmp_path / "c", seed=4, trials=3)
    assert trial_signature(first) == trial_signature(second)
    assert [t[2] for t in trial_signature(first)] != [t[2] for t in trial_signature(other)]


def test_proposals_follow_the_random_searcher_for_the_study_seed(tmp_path: Path) -> None:
    model = write_model(tmp_path)
    run = search(model, TorchBackend(), tmp_path / "out", seed=5, trials=3)
    program = load_program(model)
    reference = RandomSearcher(program.space, SearchSettings(seed=5, n_trials=3))
    for number, trial in run.trials().items():
        point = reference.point_for(number)
        assert trial["params"] == {name: program.space[name].to_json_value(v) for name, v in point.items()}


def test_grid_search_announces_its_size_and_caps_the_budget(tmp_path: Path) -> None:
    source = TINY.replace(
        "optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))", "optimizer: Adam(learning_rate=0.01)"
    )
    source = source.replace("n_trials: 4", 'search_method: "grid"\n    epochs: 1').replace("epochs: 2\n", "")
    model = write_model(tmp_path, source)
    run = search(model, TorchBackend(), tmp_path / "out", trials=50, searcher="grid")
    assert "grid search: 3 point(s)" in run.output
    assert run.output.index("grid search") < run.output.index("trial   0")
    assert [t["params"]["dense_1.units"] for t in run.results["trials"]] == [4, 8, 16]
    assert run.results["budget"]["n_trials"] == 3


def test_grid_without_a_declared_budget_runs_the_whole_grid(tmp_path: Path) -> None:
    source = TINY.replace("n_trials: 4", 'search_method: "grid"\n    grid_points: 4').replace(
        "epochs: 2", "epochs: 1"
    )
    model = write_model(tmp_path, source)
    run = search(model, TorchBackend(), tmp_path / "out", searcher="grid")
    assert len(run.results["trials"]) == 12  # 3 widths x 4 learning rates, beyond the default n_trials of 10
    lrs = sorted({t["params"]["optimizer.learning_rate"] for t in run.results["trials"]})
    assert lrs == pytest.approx([10 ** (-3 + 2 * i / 3) for i in range(4)])  # log-spaced 1e-3 .. 1e-1


def test_maximized_objective_picks_the_highest_value(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", 'n_trials: 3\n    objective: "val_accuracy"'))
    run = search(model, TorchBackend(), tmp_path / "out")
    assert run.results["objective"] == {"metric": "val_accuracy", "direction": "maximize"}
    values = [t["value"] for t in run.results["trials"]]
    assert all(t["value"] == max(t["intermediate_values"]) for t in run.results["trials"])
    assert run.outcome.best_value == max(values)  # type: ignore[union-attr]


def test_a_trial_raising_mid_training_fails_and_the_search_goes_on(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 6"))
    run = search(model, RaisingBackend(bad_units=8), tmp_path / "out", seed=1)
    trials = run.trials()
    assert len(trials) == 6
    failed = [t for t in trials.values() if t["params"]["dense_1.units"] == 8]
    assert failed, "the seed should draw width 8 at least once"
    for trial in trials.values():
        if trial["params"]["dense_1.units"] == 8:
            assert trial["state"] == "failed"
            assert trial["error"] == "RuntimeError: injected failure in the middle of training"
            assert "Traceback" in trial["traceback"] and "injected failure" in trial["traceback"]
            assert len(trial["metrics"]) == 0  # it raised before the first epoch was recorded
            assert trial["value"] is None
        else:
            assert trial["state"] == "complete"
    assert "injected failure" in run.output


def test_a_diverging_configuration_is_failed_and_skipped(tmp_path: Path) -> None:
    source = TINY.replace(
        "optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))",
        "optimizer: SGD(learning_rate=HPO(choice(0.01, 1e30)))",
    )
    source = source.replace("n_trials: 4", 'search_method: "grid"')
    model = write_model(tmp_path, source)
    run = search(model, TorchBackend(), tmp_path / "out", searcher="grid")
    trials = run.results["trials"]
    assert len(trials) == 6
    for trial in trials:
        if trial["params"]["optimizer.learning_rate"] == 1e30:
            assert trial["state"] == "failed"
            assert "nan" in trial["error"].lower() or "inf" in trial["error"].lower()
        else:
            assert trial["state"] == "complete" and math.isfinite(trial["value"])
    assert run.outcome.best_point["optimizer.learning_rate"] == 0.01  # type: ignore[union-attr]


def test_an_impossible_shape_at_a_point_is_a_failed_trial(tmp_path: Path) -> None:
    source = """\
network Shapes {
  input: (6, 6, 1)
  layers:
    Conv2D(2, HPO(choice(3, 5, 7)), activation="relu")
    Flatten()
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 32 dataset: "synthetic:64,3" search_method: "grid" }
}
"""
    model = write_model(tmp_path, source)
    run = search(model, TorchBackend(), tmp_path / "out", searcher="grid")
    states = {t["params"]["conv2d_1.kernel_size"]: t for t in run.results["trials"]}
    assert states[3]["state"] == states[5]["state"] == "complete"
    assert states[7]["state"] == "failed"
    assert states[7]["error"].startswith("invalid model at this point:")
    assert states[7]["duration"] is None and states[7]["metrics"] == []


def test_consecutive_failures_stop_the_search_with_a_clear_message(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 10"))
    run = search(
        model, RaisingBackend(bad_units=None), tmp_path / "out", expect_error=True, max_consecutive_failures=3
    )
    assert isinstance(run.error, SearchStopped)
    assert "3 failed trials in a row" in str(run.error)
    assert "injected failure" in str(run.error)
    assert run.results["status"] == "stopped"
    assert [t["state"] for t in run.results["trials"]] == ["failed"] * 3


class PruneOddTrials(RandomSearcher):
    """A searcher that prunes every odd-numbered trial after its first epoch."""

    name = "prune-odd"

    def report(self, proposal, step, value):  # type: ignore[no-untyped-def]
        return proposal.number % 2 == 1


def test_pruned_trials_stop_early_and_keep_their_curve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import neural.plugins.manager as manager

    monkeypatch.setattr(manager, "searcher_for", lambda method, name=None: PruneOddTrials)
    # the searcher alone decides (no divergence guard on this tiny synthetic data)
    model = write_model(tmp_path, TINY.replace("epochs: 2", "epochs: 3 divergence_guard: false"))
    run = search(model, TorchBackend(), tmp_path / "out")
    for number, trial in run.trials().items():
        if number % 2:
            assert trial["state"] == PRUNED
            assert len(trial["metrics"]) == 1 and trial["value"] == trial["intermediate_values"][0]
        else:
            assert trial["state"] == "complete" and len(trial["metrics"]) == 3
    assert run.results["best_trial"]["number"] % 2 == 0


def test_median_pruner_cuts_short_trials_that_fall_behind(tmp_path: Path) -> None:
    source = """\
network Pruned {
  optimizer: Adam(learning_rate=HPO(choice(0.05, 0.000001)))
  input: (8,)
  layers:
    Dense(HPO(choice(8, 16, 32)), activation="relu")
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 3 batch_size: 32 dataset: "synthetic:600,3" search_method: "grid" pruner: "median" }
}
"""
    run = search(write_model(tmp_path, source), TorchBackend(), tmp_path / "out", searcher="grid")
    trials = run.results["trials"]
    assert [t["state"] for t in trials[:3]] == ["complete"] * 3  # the good learning rate, run first
    for trial in trials[3:]:  # the tiny learning rate barely moves the loss
        assert trial["params"]["optimizer.learning_rate"] == 0.000001
        assert trial["state"] == "pruned" and len(trial["metrics"]) == 1


def test_an_existing_results_file_needs_resume_or_force(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 1"))
    search(model, TorchBackend(), tmp_path / "out")
    again = search(model, TorchBackend(), tmp_path / "out", expect_error=True)
    assert isinstance(again.error, NeuralError)
    assert "--resume" in str(again.error) and "--force" in str(again.error)
    forced = search(model, TorchBackend(), tmp_path / "out", force=True, seed=9)
    assert forced.results["seed"] == 9


def test_a_file_without_hpo_is_refused(tmp_path: Path) -> None:
    source = TINY.replace("HPO(choice(4, 8, 16))", "8").replace("HPO(log_range(1e-3, 1e-1))", "0.01")
    run = search(write_model(tmp_path, source), TorchBackend(), tmp_path / "out", expect_error=True)
    assert isinstance(run.error, NeuralError) and "nothing to search" in str(run.error)


def test_timeout_stops_starting_new_trials(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 50"))
    run = search(model, TorchBackend(), tmp_path / "out", timeout=0.01)
    assert 1 <= len(run.results["trials"]) < 50
    assert "--timeout" in run.output


def test_epochs_override_applies_to_every_trial_and_the_best_model(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 2"))
    run = search(model, TorchBackend(), tmp_path / "out", epochs=1)
    assert all(len(t["metrics"]) == 1 for t in run.results["trials"])
    assert run.outcome.best_model.train.epochs == 1  # type: ignore[union-attr]


def test_live_display_shows_progress_running_trials_best_and_remaining_time() -> None:
    import io

    from rich.console import Console

    from neural.search.progress import SearchProgress
    from neural.search.results import TrialRecord

    console = Console(file=io.StringIO(), width=160, force_terminal=False)
    progress = SearchProgress(
        console, total=4, objective="val_loss", direction="minimize", epochs=3, parallel=2, live=False
    )
    progress.trial_started(0, {"dense_1.units": 8})
    progress.trial_started(1, {"dense_1.units": 16})
    progress.epoch(1, 1, 0.75)
    finished = TrialRecord(0, "complete", {"dense_1.units": 8}, value=0.5, duration=2.0)
    progress.trial_finished(finished, finished)
    console.print(progress.__rich__())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "trial   0 complete val_loss=0.5 (best so far)" in text
    assert "trials 1/4  running 1  failed 0" in text
    assert "remaining ~0:04" in text  # 2 s per trial, 3 left, 2 at a time
    assert "best val_loss=0.5 (trial 0)" in text
    assert "2/3" in text and "0.75" in text and "dense_1.units=16" in text
