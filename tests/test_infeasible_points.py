"""Infeasible points are found before they cost a trial: ``neural check`` names, at the HPO
expression, the values for which a layer's shape becomes impossible, and the search fails such a
point at once, without training, telling the searcher why."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

from click.testing import CliRunner

from neural.cli.main import cli
from neural.program import compile_source
from neural.space.feasibility import infeasible_value_warnings
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from search_support import search, write_model

# The case: after three pooling blocks a 16×16 input is 2×2, so only (1, 1) fits.
THREE_POOLS = """\
network ThreePools {
  input: (16, 16, 1)
  layers:
    Conv2D(2, (3,3), padding="same")
    MaxPooling2D((2,2))
    Conv2D(2, (3,3), padding="same")
    MaxPooling2D((2,2))
    Conv2D(2, (3,3), padding="same")
    MaxPooling2D((2,2))
    Conv2D(2, kernel_size=HPO(choice((1,1), (3,3), (5,5), (2,2))))
    Flatten()
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 16 dataset: "synthetic:32,3" search_method: "grid" }
}
"""


def test_check_names_the_infeasible_choices_at_the_hpo_expression(tmp_path: Path) -> None:
    model = write_model(tmp_path, THREE_POOLS, "pools.neural")
    result = CliRunner().invoke(cli, ["check", str(model)], prog_name="neural")
    assert result.exit_code == 0, result.output
    said = result.stderr
    assert f"{model}:10:27: warning: conv2d_4.kernel_size = (3, 3) or (5, 5) makes an impossible shape" in said
    assert "kernel_size (3, 3) is larger than the input (2, 2)" in said
    assert "(2, 2) or" not in said  # a 2×2 kernel fits a 2×2 input


def test_check_names_the_infeasible_part_of_a_range() -> None:
    program = compile_source(
        'network R { input: (6, 6, 1) layers: Conv2D(2, HPO(range(1, 9, step=1))) Flatten() Output(2, "softmax") }'
    )
    (warning,) = infeasible_value_warnings(program.space, program.nominal_model())
    assert warning.severity == "warning"
    assert warning.message.startswith("conv2d_1.kernel_size from 7 up makes an impossible shape at conv2d_1")
    assert warning.span == program.space["conv2d_1.kernel_size"].span


def test_a_later_layer_the_value_breaks_is_named_and_a_feasible_space_gets_no_warning() -> None:
    program = compile_source(
        "network F { input: (6, 6, 1) layers: Conv2D(2, HPO(choice(1, 3))) MaxPooling2D(2) "
        'Conv2D(2, 3) Flatten() Output(2, "softmax") }'
    )
    (warning,) = infeasible_value_warnings(program.space, program.nominal_model())
    assert (
        "impossible shape at conv2d_2" in warning.message
    )  # 8 → 6 → 3, then a 3×3 kernel fits... no: 8-3+1=6, pool 3
    fine = compile_source('network G { input: (8,) layers: Dense(HPO(choice(2, 4))) Output(2, "softmax") }')
    assert infeasible_value_warnings(fine.space, fine.nominal_model()) == []


class CountingBackend(TorchBackend):
    """The real torch backend, counting the models it trains."""

    trained: ClassVar[list[Any]] = []

    def train(self, model: Any, data: Any, **options: Any) -> Any:
        CountingBackend.trained.append(model)
        return super().train(model, data, **options)


def test_the_search_fails_infeasible_points_at_once_without_training(tmp_path: Path) -> None:
    CountingBackend.trained = []
    model = write_model(tmp_path, THREE_POOLS, "pools.neural")
    run = search(model, CountingBackend(), tmp_path / "out", searcher="grid", max_consecutive_failures=2)
    trials = {tuple(t["params"]["conv2d_4.kernel_size"]): t for t in run.results["trials"]}
    assert len(trials) == 4 and run.results["status"] == "finished"  # two failures in a row did not stop it
    assert {k for k, t in trials.items() if t["state"] == "complete"} == {(1, 1), (2, 2)}
    for kernel in ((3, 3), (5, 5)):
        failed = trials[kernel]
        assert failed["state"] == "failed" and failed["duration"] is None and failed["metrics"] == []
        assert (
            failed["error"].startswith("invalid model at this point:")
            and "larger than the input" in failed["error"]
        )
    assert len(CountingBackend.trained) == 2
