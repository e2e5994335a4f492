"""``neural compile`` and ``neural run`` with the PyTorch backend, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner, Result
from torch_support import module_of

from neural.cli.main import cli
from neural.program import load_program
from neural_backend_torch.backend import TorchBackend

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

#: The seed's basic example with its HPO fixed at a good point (what a search would pick).
BASIC_FIXED = (EXAMPLES / "basic_hpo.neural").read_text(encoding="utf-8")
for _hpo, _value in {
    "HPO(choice(32, 64))": "32",
    "HPO(choice(128, 256))": "128",
    "HPO(range(0.3, 0.7, step=0.1))": "0.3",
    "HPO(log_range(1e-4, 1e-2))": "0.001",
    "epochs: 10": "epochs: 3",
}.items():
    BASIC_FIXED = BASIC_FIXED.replace(_hpo, _value)


def neural(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def test_compile_writes_the_default_module_and_names_the_nominal_point(tmp_path: Path) -> None:
    result = neural("compile", EXAMPLES / "basic_hpo.neural", "--backend", "torch", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    written = tmp_path / "simple_hpo_example_pytorch.py"
    assert f"wrote {written}" in result.output
    nominal = [line for line in result.output.splitlines() if "nominal point" in line]
    assert len(nominal) == 1 and "conv2d_1.filters=32" in nominal[0] and "dense_1.units=128" in nominal[0]
    program = load_program(EXAMPLES / "basic_hpo.neural")
    model = program.space.bind(program.space.nominal_point())
    assert written.read_text(encoding="utf-8") == TorchBackend().generate(model)


def test_compile_output_option_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    result = neural("compile", EXAMPLES / "mlp_digits.neural", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.is_file() and f"wrote {target}" in result.output


def test_search_options_without_hpo_are_a_usage_error(tmp_path: Path) -> None:
    result = neural("compile", EXAMPLES / "basic_hpo.neural", "--trials", "3", "--out", tmp_path)
    assert result.exit_code == 2
    assert "--hpo" in result.output


def test_an_unknown_backend_is_a_user_error(tmp_path: Path) -> None:
    result = neural("compile", EXAMPLES / "mlp_digits.neural", "--backend", "pytorc", "--out", tmp_path)
    assert result.exit_code == 1
    assert "pytorch" in result.output


def test_run_trains_and_writes_loadable_weights_and_metrics(tmp_path: Path) -> None:
    result = neural(
        "run", EXAMPLES / "mlp_digits.neural", "--out", tmp_path, "--epochs", "2", "--threads", "1"
    )
    assert result.exit_code == 0, result.output
    weights, metrics_path = tmp_path / "digits_mlp.pt", tmp_path / "digits_mlp.metrics.json"
    assert f"wrote {weights}" in result.output and f"wrote {metrics_path}" in result.output
    assert "epoch 1/2" in result.output and "epoch 2/2" in result.output and "val_accuracy" in result.output
    assert "data: " in result.output  # digits are 8x8 images, flattened to the declared (64,)
    state = torch.load(weights, weights_only=True)
    program = load_program(EXAMPLES / "mlp_digits.neural")
    network = module_of(program.space.bind(program.space.nominal_point())).build_model()
    network.load_state_dict(state)
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    assert metrics["network"] == "DigitsMLP" and metrics["backend"] == "pytorch"
    assert metrics["epochs_run"] == len(metrics["history"]) == 2
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(metrics["final"])


def test_run_is_repeatable_with_a_seed(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        result = neural(
            "run",
            EXAMPLES / "mlp_digits.neural",
            "--out",
            tmp_path / folder,
            "--epochs",
            "1",
            "--seed",
            "3",
            "--threads",
            "1",
        )
        assert result.exit_code == 0, result.output
    first, second = (torch.load(tmp_path / f / "digits_mlp.pt", weights_only=True) for f in ("a", "b"))
    assert all(torch.equal(first[key], second[key]) for key in first)


def test_compile_with_hpo_writes_the_best_models_code(tmp_path: Path) -> None:
    result = neural(
        "compile",
        EXAMPLES / "mlp_digits.neural",
        "--hpo",
        "--trials",
        "2",
        "--epochs",
        "1",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "hpo_results.json").is_file()
    assert (tmp_path / "mlp_digits.best.neural").is_file()
    assert (tmp_path / "digits_mlp_pytorch.py").is_file()
    assert f"wrote {tmp_path / 'digits_mlp_pytorch.py'}" in result.output


def test_run_of_the_basic_example_reaches_90_percent_on_mnist5k(tmp_path: Path) -> None:
    source = tmp_path / "basic_fixed.neural"
    source.write_text(BASIC_FIXED, encoding="utf-8")
    assert "HPO(" not in BASIC_FIXED
    result = neural("run", source, "--data", "mnist5k", "--threads", "1", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "simple_hpo_example.metrics.json").read_text(encoding="utf-8"))
    assert metrics["epochs_run"] == 3
    assert metrics["final"]["val_accuracy"] >= 0.90, result.output


def test_run_with_hpo_trains_the_best_point_and_lists_every_file(tmp_path: Path) -> None:
    result = neural(
        "run",
        EXAMPLES / "mlp_digits.neural",
        "--hpo",
        "--trials",
        "2",
        "--epochs",
        "1",
        "--threads",
        "1",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    listed = [line.removeprefix("wrote ") for line in result.output.splitlines() if line.startswith("wrote ")]
    expected = ["hpo_results.json", "mlp_digits.best.neural", "digits_mlp.pt", "digits_mlp.metrics.json"]
    assert listed == [str(tmp_path / name) for name in expected]
    metrics = json.loads((tmp_path / "digits_mlp.metrics.json").read_text(encoding="utf-8"))
    assert metrics["hyperparameters"]["dense_1.units"] in (32, 64)
    assert result.output.rstrip().splitlines()[-1].startswith("wrote ")


def test_run_with_hpo_retrains_the_best_trial_with_its_own_seed(tmp_path: Path) -> None:
    result = neural(
        "run",
        EXAMPLES / "mlp_digits.neural",
        "--hpo",
        "--trials",
        "2",
        "--epochs",
        "2",
        "--threads",
        "1",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "hpo_results.json").read_text(encoding="utf-8"))
    metrics = json.loads((tmp_path / "digits_mlp.metrics.json").read_text(encoding="utf-8"))
    best = results["best_trial"]
    # Same point, same data split, same seed: the saved model is the best trial's model.
    assert metrics["hyperparameters"] == best["params"]
    assert metrics["best"][results["objective"]["metric"]] == pytest.approx(best["value"], rel=1e-4)
