"""Issue 11's reproducers: huge literals, work out of proportion, names the generated code cannot use.

Each is a small file that once ended in a foreign exception, a hang or a
memory blow-up. Now each gets one located error (or works), and the fuzz
judge (:func:`neural.testing.fuzz.judge`) confirms it stays inside the time
and memory budget of its size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from neural.errors import DiagnosticsError
from neural.limits import MAX_GRID_POINTS, MAX_LAYERS, MAX_REPEAT
from neural.program import compile_source
from neural.search.base import SearchSettings
from neural.search.grid_search import GridSearcher
from neural.search.random_search import RandomSearcher
from neural.space.writeback import write_back
from neural.testing.cli_fuzz import run_cli
from neural.testing.fuzz import OK, USER_ERROR, judge

BIG = "1" + "0" * 400


def network(
    layers: str = "    Dense(4)", *, name: str = "N", input_shape: str = "(8,)", train: str = ""
) -> str:
    train_block = f"  train {{ {train} }}\n" if train else ""
    return f"network {name} {{\n  input: {input_shape}\n  layers:\n{layers}\n    Output(2)\n{train_block}}}\n"


def first_error(source: str) -> str:
    with pytest.raises(DiagnosticsError) as caught:
        compile_source(source, "t.neural")
    rendered = caught.value.render()
    assert rendered.startswith("t.neural:"), rendered  # located
    return rendered.split("\n", 1)[0]


@pytest.mark.parametrize(
    ("layers", "train", "input_shape", "expected"),
    [
        (f"    Dense({'9' * 4301})", "", "(8,)", "the integer 9999999999…999999 (4,301 digits) is too large"),
        ("    Dense(4)", "epochs: 1", f"({BIG},)", "(401 digits) is too large"),
        (f"    Dropout({BIG})", "", "(8,)", "(401 digits) is too large"),
        (f"    Dense(HPO(range(1, {BIG})))", "", "(8,)", "(401 digits) is too large"),
        ("    Dropout(1e400)", "", "(8,)", "the number 1e400 is too large"),
        ("    Dense(4)", f"grid_points: {BIG}", "(8,)", "(401 digits) is too large"),
        ("    Dense(4)", "seed: 123456789012345678901234567890", "(8,)", "(30 digits) is too large"),
        ("    Dense(4)", "seed: 4294967296", "(8,)", "seed must be an integer between 0 and 4294967295"),
        ("    Dense(4)", "grid_points: 1000000000", "(8,)", f"between 1 and {MAX_GRID_POINTS}"),
        ("    Dense(1) * 100000000", "", "(8,)", f"a layer is repeated at most {MAX_REPEAT:,} times"),
        (
            "    Dropout(HPO(range(0.1, 0.5, step=5e-324)))",
            "",
            "(8,)",
            "a stepped range has at most 1,000,000,000,000",
        ),
        ("    Dropout(HPO(range(-1e308, 1e308)))", "", "(8,)", "is too wide to draw numbers from"),
    ],
)
def test_huge_and_tiny_literals_are_located_errors(
    layers: str, train: str, input_shape: str, expected: str
) -> None:
    source = network(layers, train=train, input_shape=input_shape)
    assert expected in first_error(source)
    assert judge(source).kind == USER_ERROR


def test_a_huge_learning_rate_is_a_located_error() -> None:
    source = network().replace("  layers:", f"  optimizer: Adam(learning_rate={BIG})\n  layers:")
    assert "(401 digits) is too large" in first_error(source)


@pytest.mark.parametrize("name", ["None", "import", "lambda", "__builtins__", "print", "match"])
def test_a_network_name_the_generated_code_cannot_use_is_refused(name: str) -> None:
    message = first_error(network(name=name))
    assert f"network name '{name}'" in message
    assert judge(network(name=name)).kind == USER_ERROR


def test_a_choice_of_20000_options_checks_within_its_budget() -> None:
    options = ", ".join(str(i) for i in range(1, 20001))
    source = network(f"    Dense(HPO(choice({options})))")
    verdict = judge(source, trace_memory=False)
    assert verdict.kind == OK, verdict.detail
    duplicated = network("    Dense(HPO(choice(" + options + ", 7)))")
    assert "choice lists 7 twice" in first_error(duplicated)


def test_a_stepped_range_of_500_million_points_is_sized_and_sampled_without_listing_it() -> None:
    source = network("    Dense(HPO(range(1, 500000000, step=1)))", train='search_method: "grid"')
    verdict = judge(source)
    assert verdict.kind == OK, verdict.detail
    space = compile_source(source).space
    assert space.size() == 500_000_000
    grid = GridSearcher(space, SearchSettings(method="grid", n_trials=10**9))
    assert grid.limit() == 500_000_000
    assert [grid.point_for(k)["dense_1.units"] for k in (0, 1, 499_999_999)] == [1, 2, 500_000_000]
    proposal = grid.ask()
    assert proposal is not None and proposal.params == {"dense_1.units": 1}
    drawn = RandomSearcher(space, SearchSettings(seed=3)).point_for(0)["dense_1.units"]
    assert 1 <= drawn <= 500_000_000


def test_continuous_grid_points_are_rounded_like_stepped_values() -> None:
    source = network("    Dropout(HPO(range(0.05, 0.45)))")
    space = compile_source(source).space
    param = space["dropout_1.rate"]
    assert param.grid_values(5) == (0.05, 0.15, 0.25, 0.35, 0.45)
    grid = GridSearcher(space, SearchSettings(method="grid", grid_points=5))
    best = write_back(source, space, grid.point_for(1))
    assert "Dropout(0.15)" in best  # the .best.neural of that grid point, never 0.15000000000000002
    log = compile_source(network("    Dropout(HPO(log_range(1e-4, 1e-2)))")).space["dropout_1.rate"]
    assert log.grid_values(5)[2] == 0.001


def test_a_model_past_the_layer_limit_once_expanded_is_refused_at_the_layer_that_passes_it() -> None:
    layers = "\n".join("    Dense(1) * 10000" for _ in range(11))
    message = first_error(network(layers))
    assert message.startswith("t.neural:14:5:") and f"more than {MAX_LAYERS:,} layers" in message


@pytest.mark.parametrize("seed", ["-1", "99999999999999999999999", "4294967296"])
def test_a_seed_outside_0_to_2_to_the_32_on_the_command_line_is_bad_usage(tmp_path: Path, seed: str) -> None:
    source = tmp_path / "n.neural"
    source.write_text(network(), encoding="utf-8")
    done = run_cli(["compile", str(source), "--hpo", "--seed", seed, "--out", str(tmp_path)])
    assert done["code"] == 2 and not done["traceback"], done
