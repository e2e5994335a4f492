"""The search's budget-fitted defaults: the divergence guard, default pruning, ``--parallel auto``
and the open-ended ``--timeout`` budget, each announced in the header and each overridable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from neural.program import load_program
from neural.search.budget import OPEN_ENDED_TRIAL_CAP
from neural.search.driver import HpoOptions
from neural.search.study_plan import StudyPlan, plan_study
from neural.search.workers import available_cores
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from search_support import search, write_model

NEURAL = Path(sys.executable).with_name("neural")

#: A learning rate that trains and one too small to move the weights off their random start.
TWO_RATES = """\
network Guarded {
  input: (8, 8, 1)
  layers:
    Flatten()
    Dense(32, "relu")
    Output(10, "softmax")
  optimizer: Adam(learning_rate=HPO(choice(0.01, 0.0000001)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 4 batch_size: 64 dataset: "digits" search_method: "grid" pruner: "none" }
}
"""

BAYESIAN = """\
network Searched {
  input: (8,)
  layers:
    Dense(HPO(choice(4, 8, 16)), "relu")
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 6 batch_size: 32 dataset: "synthetic:96,3" search_method: "bayesian" n_trials: 6 }
}
"""


def test_the_divergence_guard_prunes_a_trial_still_at_chance_with_the_reason(tmp_path: Path) -> None:
    run = search(write_model(tmp_path, TWO_RATES), TorchBackend(), tmp_path / "out", searcher="grid")
    good, stuck = run.results["trials"]
    assert good["state"] == "complete" and len(good["metrics"]) == 4 and good["error"] is None
    assert stuck["state"] == "pruned" and len(stuck["metrics"]) == 2
    assert "at chance" in stuck["error"] and "divergence_guard: false" in stuck["error"]
    assert stuck["value"] == stuck["intermediate_values"][-1]  # what any pruned trial's value means
    assert "divergence guard:" in run.output


def test_divergence_guard_false_lets_every_trial_run_to_its_end(tmp_path: Path) -> None:
    source = TWO_RATES.replace('pruner: "none"', 'pruner: "none" divergence_guard: false')
    run = search(write_model(tmp_path, source), TorchBackend(), tmp_path / "out", searcher="grid")
    assert [t["state"] for t in run.results["trials"]] == ["complete", "complete"]
    assert all(len(t["metrics"]) == 4 for t in run.results["trials"])
    assert "divergence guard:" not in run.output


def test_a_nan_loss_fails_the_trial_at_the_first_bad_batch(tmp_path: Path) -> None:
    source = TWO_RATES.replace("HPO(choice(0.01, 0.0000001))", "HPO(choice(1e30, 1e31))").replace(
        "Adam(", "SGD("
    )
    run = search(
        write_model(tmp_path, source), TorchBackend(), tmp_path / "out", searcher="grid", expect_error=True
    )
    trials = run.results["trials"]
    assert trials and all(t["state"] == "failed" and "diverged" in t["error"] for t in trials)
    assert all(not t["metrics"] for t in trials)  # stopped inside the first epoch


def test_default_pruning_is_asha_announced_and_pruner_none_turns_it_off(tmp_path: Path) -> None:
    run = search(write_model(tmp_path, BAYESIAN), TorchBackend(), tmp_path / "out", searcher="optuna")
    assert (
        "pruning: asha by default (after epochs 2, 4 a trial goes on only among the best third)" in run.output
    )
    assert run.results["searcher"]["settings"]["pruner"]["name"] == "SuccessiveHalvingPruner"
    assert "sampler: TPE, its first 3 trial(s) random (fitted to a budget of 6 trial(s))" in run.output
    off = search(
        write_model(
            tmp_path / "off",
            BAYESIAN.replace("n_trials: 6", 'n_trials: 6 pruner: "none" divergence_guard: false'),
        ),
        TorchBackend(),
        tmp_path / "off" / "out",
        searcher="optuna",
    )
    assert "pruning:" not in off.output
    assert off.results["searcher"]["settings"]["pruner"] == {"name": "NopPruner"}
    assert all(t["state"] == "complete" and len(t["metrics"]) == 6 for t in off.results["trials"])


def test_short_or_few_trials_are_not_pruned_by_default(tmp_path: Path) -> None:
    def pruner(source: str, **options: object) -> str:
        program = load_program(write_model(tmp_path, source))
        return plan_study(
            program, HpoOptions(**{"out_dir": tmp_path, "searcher": "optuna", **options}), None
        ).settings.pruner  # type: ignore[arg-type]

    assert pruner(BAYESIAN) == "asha"
    assert pruner(BAYESIAN.replace("epochs: 6", "epochs: 3")) == "none"  # nothing left to save
    assert pruner(BAYESIAN, trials=3) == "none"  # too few trials to compare
    assert pruner(BAYESIAN.replace("n_trials: 6", 'n_trials: 6 pruner: "median"')) == "median"
    assert (
        pruner(BAYESIAN.replace('"bayesian"', '"random"'), searcher="random") == "none"
    )  # the built-in searchers prune when asked


def test_a_timeout_without_a_trial_count_searches_until_the_time_is_up(tmp_path: Path) -> None:
    open_ended = BAYESIAN.replace(" n_trials: 6", "")
    program = load_program(write_model(tmp_path, open_ended))
    plan = plan_study(program, HpoOptions(out_dir=tmp_path, searcher="optuna", timeout=60), None)
    assert plan.n_trials == OPEN_ENDED_TRIAL_CAP and plan.settings.open_ended
    assert any(line.startswith("budget: trials until the --timeout of 60 s") for line in plan.header_lines)
    counted = plan_study(program, HpoOptions(out_dir=tmp_path, searcher="optuna", timeout=60, trials=4), None)
    assert counted.n_trials == 4 and not counted.settings.open_ended
    declared = plan_study(
        load_program(write_model(tmp_path, BAYESIAN)), HpoOptions(out_dir=tmp_path, timeout=60), None
    )
    assert declared.n_trials == 6 and not declared.settings.open_ended
    assert plan_study(program, HpoOptions(out_dir=tmp_path), None).n_trials == 10  # no timeout: the default


def neural(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200"}
    return subprocess.run(
        [str(NEURAL), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_parallel_auto_is_the_default_one_worker_per_core_and_said_in_the_header(tmp_path: Path) -> None:
    write_model(tmp_path, BAYESIAN.replace("epochs: 6", "epochs: 1"), name="m.neural")
    done = neural("run", "m.neural", "--hpo", "--trials", "2", "--out", "auto", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    workers = min(available_cores(), 2)
    results = json.loads((tmp_path / "auto" / "hpo_results.json").read_text())
    assert results["budget"]["parallel"] == workers
    assert f"{workers} worker(s)" in done.stdout and "--parallel auto" in done.stdout
    one = neural("run", "m.neural", "--hpo", "--trials", "2", "--parallel", "1", "--out", "one", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert "1 worker(s)" in one.stdout and "--parallel auto" not in one.stdout
    bad = neural("run", "m.neural", "--hpo", "--parallel", "lots", cwd=tmp_path)
    assert bad.returncode == 2 and "neither a whole number" in bad.stderr


def test_a_bayesian_search_starts_at_the_nominal_point_announced_and_first_trial_random_turns_it_off(
    tmp_path: Path,
) -> None:
    source = BAYESIAN.replace("n_trials: 6", 'n_trials: 4 pruner: "none" divergence_guard: false').replace(
        "epochs: 6", "epochs: 1"
    )
    run = search(write_model(tmp_path, source), TorchBackend(), tmp_path / "out", searcher="optuna")
    first = run.trials()[0]["params"]
    assert first == {"dense_1.units": 4, "optimizer.learning_rate": 1e-3}  # first choice, low bound
    assert "first trial: the nominal point (by default" in run.output
    assert all(t["params"] != first for number, t in run.trials().items() if number > 0)
    off = search(
        write_model(tmp_path / "off", source.replace("n_trials: 4", 'n_trials: 4 first_trial: "random"')),
        TorchBackend(),
        tmp_path / "off" / "out",
        searcher="optuna",
    )
    assert "first trial:" not in off.output and off.trials()[0]["params"] != first


def test_first_trial_nominal_is_honoured_by_random_search_and_never_by_grid(tmp_path: Path) -> None:
    def plan(source: str, searcher: str) -> StudyPlan:
        program = load_program(write_model(tmp_path, source))
        return plan_study(program, HpoOptions(out_dir=tmp_path, searcher=searcher), None)

    random_source = BAYESIAN.replace('"bayesian"', '"random"')
    assert plan(random_source, "random").settings.first_point is None
    asked = plan(random_source.replace("n_trials: 6", 'n_trials: 6 first_trial: "nominal"'), "random")
    assert asked.settings.first_point == {"dense_1.units": 4, "optimizer.learning_rate": 1e-3}
    grid = plan(
        BAYESIAN.replace('"bayesian"', '"grid"').replace("n_trials: 6", 'first_trial: "nominal"'), "grid"
    )
    assert grid.settings.first_point is None
    from neural.search.random_search import RandomSearcher

    searcher = RandomSearcher(load_program(write_model(tmp_path, random_source)).space, asked.settings)
    proposal = searcher.ask()
    assert proposal is not None and proposal.number == 0
    assert proposal.params == {"dense_1.units": 4, "optimizer.learning_rate": 1e-3}
