"""Every example file compiles to a module whose network matches core's shapes and weight counts,
and the written module trains on its own as a script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch_support import keras_style_param_count, module_of

from neural.program import load_program
from neural_backend_torch.backend import TorchBackend

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.neural"))


def test_there_are_examples_to_walk() -> None:
    assert len(example_files()) >= 5


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_example_output_shape_and_parameter_count_equal_cores(path: Path) -> None:
    program = load_program(path)
    model = program.space.bind(program.space.nominal_point())
    network = module_of(model).build_model().eval()
    output = network(torch.zeros(2, *model.input_shape))
    assert tuple(output.shape[1:]) == model.output_shape
    assert keras_style_param_count(network) == model.param_count


def test_compiled_module_runs_on_its_own_and_saves_loadable_weights(tmp_path: Path) -> None:
    program = load_program(EXAMPLES / "basic_hpo.neural")
    model = program.space.bind(program.space.nominal_point())
    script = tmp_path / "simple_hpo_example_pytorch.py"
    script.write_text(TorchBackend().generate(model), encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(
        [
            sys.executable,
            str(script),
            "--data",
            "synthetic",
            "--epochs",
            "1",
            "--out",
            str(tmp_path / "w.pt"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "epoch 1/1" in completed.stdout and "val_accuracy" in completed.stdout
    state = torch.load(tmp_path / "w.pt", weights_only=True)
    assert set(state) == set(module_of(model).build_model().state_dict())
