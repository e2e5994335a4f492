"""Every example file, and both networks of the user guide, check clean with the expected space."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from neural.program import Program, compile_source, load_program
from neural.space.params import CHOICE, CUSTOM, LOG_RANGE, RANGE

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.neural"))
GUIDE = ROOT / "docs" / "hpo-guide.md"  # the user guide, in the repository (docs/hpo-guide.md)

# name → kind, grid cardinality (5 grid points on continuous ranges)
EXPECTED_SPACES: dict[str, dict[str, tuple[str, int]]] = {
    "basic_hpo": {
        "conv2d_1.filters": (CHOICE, 2),
        "dense_1.units": (CHOICE, 2),
        "dropout_1.rate": (RANGE, 5),
        "optimizer.learning_rate": (LOG_RANGE, 5),
    },
    "advanced_hpo": {
        "conv2d_1.filters": (CHOICE, 2),
        "conv2d_1.kernel_size": (CHOICE, 2),
        "conv2d_1.padding": (CHOICE, 2),
        "conv2d_2.filters": (CHOICE, 2),
        "conv2d_2.kernel_size": (CHOICE, 2),
        "dense_1.units": (CHOICE, 3),
        "dropout_1.rate": (RANGE, 5),
        "optimizer.learning_rate.initial_learning_rate": (LOG_RANGE, 5),
        "optimizer.learning_rate.decay_steps": (CHOICE, 3),
        "optimizer.learning_rate.decay_rate": (RANGE, 10),
        "train.batch_size": (CHOICE, 3),
    },
    "custom_conv": {
        "conv2d_1.filters": (CUSTOM, 2),
        "optimizer.learning_rate": (LOG_RANGE, 5),
        "train.batch_size": (CHOICE, 2),
    },
    "mlp_digits": {"dense_1.units": (CHOICE, 2)},
    "sequence_lstm": {"dense_1.units": (RANGE, 4)},
    "conv1d_signal": {},
}


def guide_networks() -> list[str]:
    """The ``network`` code blocks of the user guide, exactly as written."""
    return re.findall(r"```yaml\n(network .*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def assert_space(program: Program, expected: dict[str, tuple[str, int]]) -> None:
    space = program.space
    assert {name: (space[name].kind, space[name].cardinality()) for name in space.names} == expected
    assert list(space.names) == list(expected)  # source order
    size = 1
    for _, cardinality in expected.values():
        size *= cardinality
    assert space.size() == size


def test_every_example_file_has_an_expected_space() -> None:
    assert {path.stem for path in EXAMPLES} == set(EXPECTED_SPACES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_checks_clean_with_the_expected_space(path: Path) -> None:
    program = load_program(path)
    assert program.warnings == ()
    assert_space(program, EXPECTED_SPACES[path.stem])
    model = program.nominal_model()
    assert model.layers[-1].kind == "Output"
    assert all(layer.param_count >= 0 and all(d > 0 for d in layer.output_shape) for layer in model.layers)


def test_basic_example_dropout_range_yields_rounded_rates() -> None:
    rate = load_program(ROOT / "examples" / "basic_hpo.neural").space["dropout_1.rate"]
    assert rate.grid_values() == (0.3, 0.4, 0.5, 0.6, 0.7)


def test_both_guide_networks_check_clean() -> None:
    basic, advanced = guide_networks()
    assert_space(compile_source(basic, "guide-basic.neural"), EXPECTED_SPACES["basic_hpo"])
    assert_space(compile_source(advanced, "guide-advanced.neural"), EXPECTED_SPACES["advanced_hpo"])


def test_guide_basic_network_has_the_reference_shapes() -> None:
    basic, _ = guide_networks()
    model = compile_source(basic).nominal_model()
    assert [layer.output_shape for layer in model.layers][:4] == [(26, 26, 32), (13, 13, 32), (5408,), (128,)]
    assert model.layers[3].param_count == 5408 * 128 + 128


def test_no_file_without_hpo_needs_a_point() -> None:
    program = load_program(ROOT / "examples" / "conv1d_signal.neural")
    assert not program.has_hpo
    model = program.concrete_model()
    assert model.optimizer.params["learning_rate"].name == "CosineDecay"
    assert model.train.dataset == "synthetic" and model.train.epochs == 1
