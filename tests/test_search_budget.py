"""The search's budget: a resumed search keeps its recorded budget, and ``neural check`` states
the budget ``neural run`` runs (one function computes it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from neural.cli.main import cli
from neural.errors import NeuralError
from neural.program import load_program
from neural.search.budget import trial_budget
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from search_support import TINY, search, write_model

ONE_TRIAL = TINY.replace("n_trials: 4", "n_trials: 1")


# ----------------------------------------------------------------------------- item 1: --resume


def test_resume_keeps_the_recorded_epochs_and_data(tmp_path: Path) -> None:
    model = write_model(tmp_path, ONE_TRIAL)
    search(model, TorchBackend(), tmp_path / "out", epochs=1, data="synthetic:64,3")
    resumed = search(model, TorchBackend(), tmp_path / "out", resume=True, trials=2)
    assert resumed.results["budget"]["epochs"] == 1
    assert resumed.results["data"]["spec"] == "synthetic:64,3"
    assert all(len(t["intermediate_values"]) == 1 for t in resumed.results["trials"])
    assert resumed.outcome is not None and resumed.outcome.best_model.train.epochs == 1
    assert resumed.outcome.data_spec == "synthetic:64,3"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"epochs": 2}, "trained each trial for 1 epoch(s), not 2"),
        ({"data": "synthetic:80,3"}, "trained on --data synthetic:64,3, not synthetic:80,3"),
    ],
)
def test_resume_refuses_a_change_that_makes_trials_incomparable(
    tmp_path: Path, change: dict[str, Any], words: str
) -> None:
    model = write_model(tmp_path, ONE_TRIAL)
    search(model, TorchBackend(), tmp_path / "out", epochs=1, data="synthetic:64,3")
    run = search(model, TorchBackend(), tmp_path / "out", resume=True, expect_error=True, **change)
    assert isinstance(run.error, NeuralError)
    message = str(run.error)
    assert words in message and "--force" in message and "\n" not in message


# ----------------------------------------------------------------------------- item 4: check == run

GRID = """\
network Grid {
  input: (8,)
  layers:
    Dense(HPO(choice(4, 8, 16, 32)), activation="relu")
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(choice(0.1, 0.01, 0.001)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 32 dataset: "synthetic:48,3" search_method: "grid" }
}
"""


def test_check_states_the_budget_the_grid_search_runs(tmp_path: Path) -> None:
    model = write_model(tmp_path, GRID)
    checked = CliRunner().invoke(cli, ["check", str(model)])
    assert checked.exit_code == 0, checked.output
    assert "search_method 'grid': 12 trials (the whole grid)" in " ".join(checked.output.split())
    run = search(model, TorchBackend(), tmp_path / "out", searcher="grid")
    assert len(run.results["trials"]) == trial_budget(load_program(model), "grid").n_trials == 12


def test_check_with_trials_says_what_run_with_trials_runs(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY)
    checked = CliRunner().invoke(cli, ["check", str(model), "--trials", "3"])
    assert checked.exit_code == 0, checked.output
    assert "search_method 'random': 3 trials (--trials)" in " ".join(checked.output.split())
    run = search(model, TorchBackend(), tmp_path / "out", trials=3)
    assert len(run.results["trials"]) == 3


def test_resume_without_backend_keeps_the_recorded_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    model = write_model(tmp_path, ONE_TRIAL)
    search(model, TorchBackend(), tmp_path / "out")
    results = tmp_path / "out" / "hpo_results.json"
    recorded = json.loads(results.read_text())
    recorded["backend"]["name"] = "abacus"  # as if the search had run on another installed backend
    results.write_text(json.dumps(recorded))
    monkeypatch.chdir(tmp_path)
    kept = CliRunner().invoke(
        cli, ["run", "tiny.neural", "--hpo", "--resume", "--out", "out"], prog_name="neural"
    )
    assert kept.exit_code == 1
    assert 'unknown backend "abacus"' in kept.stderr  # it asked for the recorded backend
    changed = CliRunner().invoke(
        cli,
        ["run", "tiny.neural", "--hpo", "--resume", "--out", "out", "--backend", "pytorch"],
        prog_name="neural",
    )
    assert changed.exit_code == 1
    assert "used the abacus backend: resume it with --backend abacus, or pass --force" in changed.stderr
