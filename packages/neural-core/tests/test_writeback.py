"""The .best.neural write-back: HPO expressions replaced by their values by source span,
comments and layout kept, and the written file checks clean and builds the same model."""

from __future__ import annotations

from pathlib import Path

import pytest

from neural.program import compile_source, load_program
from neural.search.base import SearchSettings
from neural.search.random_search import RandomSearcher
from neural.space.writeback import render_literal, write_back

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
HPO_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.neural") if "HPO(" in p.read_text())


def drawn_points(program, n: int) -> list[dict]:  # type: ignore[no-untyped-def]
    searcher = RandomSearcher(program.space, SearchSettings(method="random", seed=5, n_trials=n))
    return [searcher.ask().params for _ in range(n)]  # type: ignore[union-attr]


@pytest.mark.parametrize("path", HPO_EXAMPLES, ids=lambda p: p.name)
def test_written_file_checks_clean_has_no_hpo_and_binds_to_the_same_model(path: Path) -> None:
    program = load_program(path)
    for point in [program.space.nominal_point(), *drawn_points(program, 6)]:
        try:
            expected = program.space.bind(point)
        except Exception:
            continue  # an impossible combination has no best model to write
        text = write_back(program.source, program.space, point)
        assert "HPO(" not in text
        written = compile_source(text, path.stem + ".best.neural")
        assert not list(written.space.params)
        assert written.concrete_model() == expected


@pytest.mark.parametrize("path", HPO_EXAMPLES, ids=lambda p: p.name)
def test_comments_and_layout_outside_hpo_expressions_are_kept(path: Path) -> None:
    program = load_program(path)
    text = write_back(program.source, program.space, program.space.nominal_point())
    source_lines = program.source.splitlines()
    written_lines = text.splitlines()
    hpo_lines = {line for p in program.space.params for line in range(p.span.line, p.span.end_line + 1)}
    kept = [line for number, line in enumerate(source_lines, 1) if number not in hpo_lines]
    assert [line for line in kept if line in written_lines] == kept
    for line in source_lines:
        if "#" in line:
            assert line[line.index("#") :] in text


def test_basic_example_gets_literal_values_in_place() -> None:
    program = load_program(EXAMPLES / "basic_hpo.neural")
    point = {
        "conv2d_1.filters": 64,
        "dense_1.units": 128,
        "dropout_1.rate": 0.4,
        "optimizer.learning_rate": 0.00123,
    }
    text = write_back(program.source, program.space, point)
    assert 'Conv2D(filters=64, kernel_size=(3,3), activation="relu")' in text
    assert 'Dense(128, activation="relu")' in text
    assert "Dropout(0.4)" in text
    assert "optimizer: Adam(learning_rate=0.00123)" in text
    assert 'search_method: "random"  # Use random search' in text


def test_positional_custom_spreads_into_keyword_arguments() -> None:
    program = load_program(EXAMPLES / "custom_conv.neural")
    point = dict(program.space.nominal_point())
    custom = next(p for p in program.space.params if p.kind == "custom")
    point[custom.name] = "big"
    text = write_back(program.source, program.space, point)
    assert 'Conv2D(filters=32, kernel_size=5, activation="relu")' in text
    assert compile_source(text).concrete_model() == program.space.bind(point)


def test_custom_in_a_keyword_slot_writes_the_option_value() -> None:
    source = (
        "network K {\n  input: (4,)\n  layers:\n"
        '    Dense(units=HPO(custom({"narrow": 4, "wide": 16})), activation="relu")  # width\n'
        '    Output(2, "softmax")\n  loss: "sparse_categorical_crossentropy"\n}\n'
    )
    program = compile_source(source)
    text = write_back(source, program.space, {program.space.params[0].name: "wide"})
    assert 'Dense(units=16, activation="relu")  # width' in text


def test_tuple_and_string_choices_are_written_as_dsl_literals() -> None:
    program = load_program(EXAMPLES / "advanced_hpo.neural")
    point = dict(program.space.nominal_point())
    for param in program.space.params:
        if param.kind == "choice" and isinstance(param.choices[-1], (tuple, str)):
            point[param.name] = param.choices[-1]
    text = write_back(program.source, program.space, point)
    assert "kernel_size=(5, 5)," in text
    assert 'padding="valid",' in text
    assert compile_source(text).concrete_model() == program.space.bind(point)


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (3, "3"),
        (-2, "-2"),
        (0.1, "0.1"),
        (1e-05, "1e-05"),
        (True, "true"),
        (False, "false"),
        (None, "none"),
        ("same", '"same"'),
        ('say "hi"', '"say \\"hi\\""'),
        ((3, 3), "(3, 3)"),
        ((7,), "(7,)"),
        ([1, 2], "[1, 2]"),
        ({"filters": 8, "padding": "same"}, '{"filters": 8, "padding": "same"}'),
    ],
)
def test_render_literal(value: object, literal: str) -> None:
    assert render_literal(value) == literal
