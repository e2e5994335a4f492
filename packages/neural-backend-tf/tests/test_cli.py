"""``neural run`` and ``neural compile`` with ``--backend tensorflow`` (aliases tf, keras), in this process."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import pytest
from click.testing import CliRunner, Result
from tf_support import TINY_SEARCH

from neural.cli.main import cli


def neural(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.neural"
    path.write_text(TINY_SEARCH, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["tensorflow", "tf", "keras"])
def test_run_trains_and_writes_the_keras_model_and_the_metrics_file(name: str, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / name
    result = neural("run", tiny, "--backend", name, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'tiny_keras_search.keras'}" in result.output
    metrics = json.loads((out / "tiny_keras_search.metrics.json").read_text())
    assert metrics["schema"] == "neural.run-metrics/1" and metrics["backend"] == "tensorflow"
    assert metrics["epochs_run"] == 2 and metrics["weights"] == "tiny_keras_search.keras"
    assert set(metrics["best"]) >= {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    model = keras.saving.load_model(out / "tiny_keras_search.keras", safe_mode=True)
    assert model.name == "TinyKerasSearch"


def test_run_hpo_searches_in_workers_and_trains_the_best_point(tiny: Path, tmp_path: Path) -> None:
    result = neural("run", tiny, "--backend", "tf", "--hpo", "--trials", "3", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "out" / "hpo_results.json").read_text())
    assert results["backend"]["name"] == "tensorflow"
    assert [t["state"] for t in results["trials"]] == ["complete"] * 3
    assert all(len(t["intermediate_values"]) == 2 for t in results["trials"])
    assert (tmp_path / "out" / "tiny_keras_search.keras").is_file()
    assert (tmp_path / "out" / "tiny.best.neural").is_file()


def test_compile_hpo_writes_the_keras_code_of_the_best_point(tiny: Path, tmp_path: Path) -> None:
    result = neural("compile", tiny, "--backend", "tensorflow", "--hpo", "--trials", "2", "--out", tmp_path / "c")
    assert result.exit_code == 0, result.output
    module = tmp_path / "c" / "tiny_keras_search_tensorflow.py"
    source = module.read_text()
    assert "import keras" in source and "import torch" not in source
    results = json.loads((tmp_path / "c" / "hpo_results.json").read_text())
    units = results["best_trial"]["params"]["dense_1.units"]
    assert f"keras.layers.Dense({units}, activation=\"relu\", name=\"dense_1\")" in source


def test_compile_is_deterministic(tiny: Path, tmp_path: Path) -> None:
    first = neural("compile", tiny, "--backend", "tf", "-o", tmp_path / "a.py")
    second = neural("compile", tiny, "--backend", "tf", "-o", tmp_path / "b.py")
    assert first.exit_code == second.exit_code == 0
    assert (tmp_path / "a.py").read_bytes() == (tmp_path / "b.py").read_bytes()


def test_a_pruned_trial_stops_after_the_epoch_its_value_was_reported(tmp_path: Path) -> None:
    source = TINY_SEARCH.replace("epochs: 2", 'epochs: 4  pruner: "median"  search_method: "bayesian"')
    path = tmp_path / "prune.neural"
    path.write_text(source, encoding="utf-8")
    result = neural("run", path, "--backend", "tf", "--hpo", "--trials", "8", "--out", tmp_path / "p")
    assert result.exit_code == 0, result.output
    trials = json.loads((tmp_path / "p" / "hpo_results.json").read_text())["trials"]
    pruned = [t for t in trials if t["state"] == "pruned"]
    assert pruned, [t["state"] for t in trials]
    assert all(len(t["intermediate_values"]) < 4 for t in pruned)  # the Keras callback stopped fit
    assert all(len(t["intermediate_values"]) == 4 for t in trials if t["state"] == "complete")
