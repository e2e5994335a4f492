"""A path inside a ``.neural`` file is relative to that file's folder; ``--data`` on the command
line is relative to the current folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from neural.cli.main import cli

MODEL = """network Rel {
  input: (4,)
  layers:
    Dense(HPO(choice(4, 8)), "relu")
    Output(2, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 8 search_method: "random" n_trials: 1 dataset: "npz:data.npz" }
}
"""


def write_data(path: Path, samples: int) -> None:
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.random((samples, 4), dtype=np.float32), y=np.arange(samples) % 2)


def neural(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="neural")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp/experiments/rel.neural`` beside its ``data.npz`` (40 samples); the current folder is ``tmp``."""
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "rel.neural").write_text(MODEL)
    write_data(folder / "data.npz", 40)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_dataset_path_in_the_file_is_relative_to_the_files_folder(project: Path) -> None:
    trained = neural("run", "experiments/rel.neural", "--out", "run")
    assert trained.exit_code == 0, trained.output
    metrics = json.loads((project / "run" / "rel.metrics.json").read_text())
    assert metrics["data"]["spec"] == f"npz:{Path('experiments') / 'data.npz'}"
    assert metrics["data"]["train_samples"] + metrics["data"]["validation_samples"] == 40
    searched = neural("run", "experiments/rel.neural", "--hpo", "--out", "search")
    assert searched.exit_code == 0, searched.output
    results = json.loads((project / "search" / "hpo_results.json").read_text())
    assert results["data"]["spec"] == f"npz:{Path('experiments') / 'data.npz'}"


def test_data_on_the_command_line_is_relative_to_the_current_folder(project: Path) -> None:
    write_data(project / "data.npz", 24)
    trained = neural("run", "experiments/rel.neural", "--data", "npz:data.npz", "--out", "run")
    assert trained.exit_code == 0, trained.output
    metrics = json.loads((project / "run" / "rel.metrics.json").read_text())
    assert metrics["data"]["spec"] == "npz:data.npz"
    assert metrics["data"]["train_samples"] + metrics["data"]["validation_samples"] == 24
