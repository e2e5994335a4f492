"""--device with the PyTorch backend: auto is the CPU here, cuda is one line before anything trains,
the generated module takes its device from one constant and moves the model and batches there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from torch_support import model_of, module_of

from neural.backends.base import TrainData
from neural.cli.main import cli
from neural.errors import NeuralError
from neural_backend_torch.backend import TorchBackend

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

TINY = """\
network TinyDevice {
  input: (6,)
  layers:
    Dense(HPO(choice(4, 8)), activation="relu")
    Output(3, "softmax")
  optimizer: Adam(learning_rate=0.01)
  loss: "sparse_categorical_crossentropy"
  train {
    epochs: 1
    batch_size: 16
    dataset: "synthetic:64,3"
    n_trials: 2
    pruner: "none"
    divergence_guard: false
    DEVICE_LINE
  }
}
"""


def neural(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def write(tmp_path: Path, device_line: str = "") -> Path:
    path = tmp_path / "tiny.neural"
    path.write_text(TINY.replace("DEVICE_LINE", device_line), encoding="utf-8")
    return path


def tiny_data() -> TrainData:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6)).astype("float32")
    y = rng.integers(0, 3, size=32).astype("int64")
    return TrainData(x[:24], y[:24], x[24:], y[24:], num_classes=3)


def test_auto_trains_on_the_cpu_here_and_says_why(tmp_path: Path) -> None:
    result = neural("run", write(tmp_path), "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "device: cpu (auto: no GPU visible)" in result.output.splitlines()
    metrics = json.loads(next((tmp_path / "out").glob("*.metrics.json")).read_text())
    assert metrics["device"] == "cpu"


def test_the_flag_overrides_the_train_block(tmp_path: Path) -> None:
    source = write(tmp_path, 'device: "cuda"')
    refused = neural("run", source, "--out", tmp_path / "a")
    assert refused.exit_code == 1
    assert refused.output.startswith("error: train block device cuda: no GPU is visible to PyTorch")
    result = neural("run", source, "--device", "cpu", "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    assert "device: cpu (--device cpu)" in result.output.splitlines()


def test_cuda_without_a_gpu_is_one_line_before_the_search_starts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = neural("run", write(tmp_path), "--hpo", "--parallel", "2", "--device", "cuda", "--out", out)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("error: --device cuda: no GPU is visible to PyTorch")
    assert lines[-1].endswith("use --device cpu or auto")
    assert not any(line.startswith("trial") for line in lines)  # refused once, not as failed trials
    assert not (out / "hpo_results.json").exists()


@pytest.mark.parametrize("value", ["gpu", "cuda:x", "cuda:-1"])
def test_a_bad_device_flag_is_a_usage_error_with_a_hint(tmp_path: Path, value: str) -> None:
    result = neural("run", write(tmp_path), "--device", value, "--out", tmp_path)
    assert result.exit_code == 2
    assert "Invalid value for '--device'" in result.output


def test_a_bad_train_block_device_is_located_in_neural_check(tmp_path: Path) -> None:
    result = neural("check", write(tmp_path, 'device: "gpu"'))
    assert result.exit_code == 1
    assert f"{tmp_path / 'tiny.neural'}:15:13: error: device must be" in result.output
    assert 'hint: write "cuda" (or "cuda:N") for an NVIDIA GPU' in result.output


def test_compile_for_cuda_writes_the_constant_and_the_module_compiles(tmp_path: Path) -> None:
    result = neural("compile", EXAMPLES / "advanced_hpo.neural", "--device", "cuda:0", "-o", tmp_path / "m.py")
    assert result.exit_code == 0, result.output  # compiling for a GPU machine needs no GPU here
    source = (tmp_path / "m.py").read_text(encoding="utf-8")
    assert source.count('DEVICE = "cuda:0"') == 1
    assert "model.to(target_device)" in source
    assert "x_train[rows].to(target_device, non_blocking=True)" in source
    compile(source, "m.py", "exec")
    plain = neural("compile", EXAMPLES / "advanced_hpo.neural", "-o", tmp_path / "auto.py")
    assert plain.exit_code == 0
    assert 'DEVICE = "auto"' in (tmp_path / "auto.py").read_text(encoding="utf-8")


def test_the_generated_device_function_resolves_and_refuses() -> None:
    import torch

    module = module_of(model_of(TINY.replace("DEVICE_LINE", "")))
    assert module.pick_device() == torch.device("cpu")  # auto, without a GPU
    assert module.pick_device("cpu") == torch.device("cpu")
    with pytest.raises(RuntimeError, match=r"--device cuda:1: no GPU is visible to PyTorch"):
        module.pick_device("cuda:1")


def test_training_on_an_absent_gpu_is_a_one_line_neural_error() -> None:
    model = model_of(TINY.replace("DEVICE_LINE", 'device: "cuda"'))
    with pytest.raises(NeuralError) as caught:
        TorchBackend().train(model, tiny_data(), seed=0, threads=1)
    assert str(caught.value).startswith("--device cuda: no GPU is visible to PyTorch")
    assert "\n" not in str(caught.value)
    result = TorchBackend().train(model_of(TINY.replace("DEVICE_LINE", 'device: "cpu"')), tiny_data(), seed=0)
    assert result.device == "cpu"


def test_the_device_does_not_change_what_trains_on_the_cpu() -> None:
    """auto and cpu give the same bytes apart from the constant, and the same training here."""
    auto = model_of(TINY.replace("DEVICE_LINE", ""))
    cpu = model_of(TINY.replace("DEVICE_LINE", 'device: "cpu"'))
    backend = TorchBackend()
    assert backend.generate(auto) == backend.generate(auto)
    assert backend.generate(auto).replace('DEVICE = "auto"', 'DEVICE = "cpu"') == backend.generate(cpu)
    first = backend.train(auto, tiny_data(), seed=3, threads=1)
    second = backend.train(cpu, tiny_data(), seed=3, threads=1)
    assert first.history[-1]["loss"] == second.history[-1]["loss"]
