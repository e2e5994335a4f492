"""The search space: parameter names and kinds, grid sizes, points, and binding into models."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neural.errors import DiagnosticsError, NeuralError
from neural.program import Program, compile_source, load_program
from neural.space.params import CHOICE, CUSTOM, LOG_RANGE, RANGE, Param
from neural.space.space import SearchSpace

ROOT = Path(__file__).resolve().parents[3]


def program_of(layers: str, *, input_shape: str = "(28, 28, 1)", rest: str = "") -> Program:
    """A small network around ``layers`` (one statement per line)."""
    return compile_source(
        f"network T {{\n  input: {input_shape}\n  layers:\n{layers}\n{rest}}}\n", "t.neural"
    )


# --------------------------------------------------------------------------- names


def test_names_follow_layer_type_index_and_parameter() -> None:
    program = program_of(
        "    Conv2D(HPO(choice(8, 16)), 3)\n"
        '    Conv2D(8, HPO(choice(3, 5)), padding=HPO(choice("same", "valid")))\n'
        "    Flatten()\n"
        "    Dense(HPO(choice(32, 64)))\n"
        "    Dense(HPO(range(8, 32, step=8)))\n"
        "    Dropout(HPO(range(0.1, 0.5, step=0.1)))\n"
        '    Output(10, "softmax")',
        rest="  optimizer: SGD(HPO(log_range(1e-3, 1e-1)), momentum=HPO(range(0.0, 0.9)))\n"
        "  train { batch_size: HPO(choice(16, 32)) }\n",
    )
    assert program.space.names == (
        "conv2d_1.filters",
        "conv2d_2.kernel_size",
        "conv2d_2.padding",
        "dense_1.units",
        "dense_2.units",
        "dropout_1.rate",
        "optimizer.learning_rate",
        "optimizer.momentum",
        "train.batch_size",
    )


def test_schedule_arguments_are_named_under_optimizer_learning_rate() -> None:
    program = program_of(
        "    Flatten()\n    Output(10)",
        rest="  optimizer: Adam(learning_rate=ExponentialDecay(HPO(log_range(1e-3, 1e-1)), "
        "HPO(choice(500, 1000)), decay_rate=HPO(range(0.9, 0.99, step=0.01))))\n",
    )
    assert program.space.names == (
        "optimizer.learning_rate.initial_learning_rate",
        "optimizer.learning_rate.decay_steps",
        "optimizer.learning_rate.decay_rate",
    )


def test_hpo_inside_a_tuple_is_named_by_its_index() -> None:
    program = program_of("    Conv2D(8, (HPO(choice(3, 5)), 3))\n    Flatten()")
    assert program.space.names == ("conv2d_1.kernel_size.0",)
    model = program.space.bind({"conv2d_1.kernel_size.0": 5})
    assert model.layers[0].params["kernel_size"] == (5, 3)
    assert model.layers[0].output_shape == (24, 26, 8)


def test_repeated_layer_shares_one_parameter_across_its_copies() -> None:
    program = program_of('    Flatten()\n    Dense(HPO(choice(32, 64)), "relu") * 3\n    Output(10)')
    assert program.space.names == ("dense_1.units",)
    model = program.space.bind({"dense_1.units": 64})
    names = [layer.name for layer in model.layers]
    assert names == ["flatten_1", "dense_1", "dense_1_2", "dense_1_3", "output_1"]
    assert [layer.params["units"] for layer in model.layers[1:4]] == [64, 64, 64]
    assert model.layers[2].input_shape == (64,)


def test_spread_custom_is_named_after_its_positional_slot() -> None:
    program = program_of(
        '    Conv2D(HPO(custom({"small": {"filters": 16, "kernel_size": 3}, '
        '"big": {"filters": 32, "kernel_size": 5}})), activation="relu")\n    Flatten()'
    )
    param = program.space["conv2d_1.filters"]
    assert param.kind == CUSTOM
    assert param.labels == ("small", "big")
    assert param.choices == ({"filters": 16, "kernel_size": 3}, {"filters": 32, "kernel_size": 5})
    big = program.space.bind({"conv2d_1.filters": "big"})
    assert big.layers[0].params["filters"] == 32
    assert big.layers[0].params["kernel_size"] == (5, 5)
    assert big.layers[0].params["activation"] == "relu"


def test_custom_with_plain_values_in_a_keyword_slot_binds_the_chosen_value() -> None:
    program = program_of('    Flatten()\n    Dense(units=HPO(custom({"narrow": 16, "wide": 128})))')
    param = program.space["dense_1.units"]
    assert (param.kind, param.labels, param.choices) == (CUSTOM, ("narrow", "wide"), (16, 128))
    assert program.space.bind({"dense_1.units": "wide"}).layers[1].params["units"] == 128


def test_param_span_is_the_whole_hpo_expression() -> None:
    source = "network T {\n  input: (4,)\n  layers:\n    Dense(HPO(choice(2, 4)))\n}\n"
    param = compile_source(source).space["dense_1.units"]
    assert source[param.span.start : param.span.end] == "HPO(choice(2, 4))"
    assert (param.span.line, param.span.column) == (4, 11)


# --------------------------------------------------------------------------- kinds


def test_choice_keeps_values_and_gives_stable_labels() -> None:
    program = program_of(
        '    Conv2D(8, HPO(choice((3, 3), (5, 5))), padding=HPO(choice("same", "valid")), '
        "use_bias=HPO(choice(true, false)))\n    Flatten()"
    )
    kernel = program.space["conv2d_1.kernel_size"]
    assert kernel.choices == ((3, 3), (5, 5))
    assert kernel.labels == ("(3, 3)", "(5, 5)")
    assert program.space["conv2d_1.padding"].labels == ("same", "valid")
    assert program.space["conv2d_1.use_bias"].labels == ("true", "false")


def test_stepped_float_range_has_rounded_grid_values() -> None:
    param = program_of("    Flatten()\n    Dropout(HPO(range(0.3, 0.7, step=0.1)))").space["dropout_1.rate"]
    assert (param.kind, param.step, param.is_int) == (RANGE, 0.1, False)
    assert param.grid_values() == (0.3, 0.4, 0.5, 0.6, 0.7)


def test_integer_bounds_make_an_integer_range_with_or_without_step() -> None:
    space = program_of("    Flatten()\n    Dense(HPO(range(8, 32, 8)))\n    Dense(HPO(range(4, 12)))").space
    stepped, continuous = space["dense_1.units"], space["dense_2.units"]
    assert stepped.is_int and stepped.grid_values() == (8, 16, 24, 32)
    assert continuous.is_int and continuous.step is None
    assert continuous.grid_values(3) == (4, 8, 12)


def test_log_range_accepts_min_max_and_low_high_keywords() -> None:
    space = program_of(
        "    Flatten()\n    Output(2)",
        rest="  optimizer: SGD(learning_rate=HPO(log_range(min=1e-3, max=1e-1)), "
        "momentum=HPO(range(low=0.1, high=0.9)))\n",
    ).space
    rate = space["optimizer.learning_rate"]
    assert (rate.kind, rate.low, rate.high, rate.log, rate.is_int) == (LOG_RANGE, 1e-3, 1e-1, True, False)
    momentum = space["optimizer.momentum"]
    assert (momentum.low, momentum.high) == (0.1, 0.9)


# ------------------------------------------------------------- size and points


def test_size_is_the_product_of_grid_cardinalities() -> None:
    program = load_program(ROOT / "examples" / "basic_hpo.neural")
    assert program.space.size() == 2 * 2 * 5 * 5
    assert program.space.size(grid_points=3) == 2 * 2 * 5 * 3


def test_nominal_point_takes_first_options_and_low_bounds() -> None:
    program = load_program(ROOT / "examples" / "custom_conv.neural")
    assert program.space.nominal_point() == {
        "conv2d_1.filters": "small",
        "optimizer.learning_rate": 1e-3,
        "train.batch_size": 32,
    }


def test_validate_point_rejects_unknown_missing_and_illegal_values() -> None:
    space = load_program(ROOT / "examples" / "basic_hpo.neural").space
    point = space.nominal_point()
    space.validate_point(point)
    with pytest.raises(NeuralError, match=r"unknown search-space parameter 'dense_1.unit'.*dense_1.units"):
        space.validate_point({**point, "dense_1.unit": 128})
    with pytest.raises(NeuralError, match=r"no value for dropout_1.rate"):
        space.validate_point({k: v for k, v in point.items() if k != "dropout_1.rate"})
    with pytest.raises(NeuralError, match=r"100 is not a value of dense_1.units"):
        space.validate_point({**point, "dense_1.units": 100})
    with pytest.raises(NeuralError, match=r"0.35 is not a value of dropout_1.rate"):
        space.validate_point({**point, "dropout_1.rate": 0.35})


def test_point_read_back_from_json_binds_like_the_original() -> None:
    space = program_of(
        "    Conv2D(8, HPO(choice((3, 3), (5, 5))))\n    Flatten()\n    Dense(HPO(range(8, 32, step=8)))"
    ).space
    point = {"conv2d_1.kernel_size": (5, 5), "dense_1.units": 16}
    round_tripped = json.loads(json.dumps(point))
    assert round_tripped["conv2d_1.kernel_size"] == [5, 5]
    assert space.bind(round_tripped) == space.bind(point)


def test_to_dict_describes_every_parameter_with_its_location() -> None:
    data = load_program(ROOT / "examples" / "basic_hpo.neural").space.to_dict()
    assert [d["name"] for d in data] == [
        "conv2d_1.filters",
        "dense_1.units",
        "dropout_1.rate",
        "optimizer.learning_rate",
    ]
    assert data[0] == {
        "name": "conv2d_1.filters",
        "kind": CHOICE,
        "choices": [32, 64],
        "labels": ["32", "64"],
        "line": 4,
        "column": 20,
    }
    assert data[3]["kind"] == LOG_RANGE and data[3]["log"] is True
    json.dumps(data)


def test_hand_built_space_works_without_a_model_but_cannot_bind() -> None:
    space = SearchSpace(
        [
            Param("a", CHOICE, choices=(1, 2), labels=("1", "2")),
            Param("b", RANGE, low=0, high=4, step=2, is_int=True),
        ]
    )
    assert len(space) == 2 and list(space) == list(space.params) and space.size() == 6
    assert space.nominal_point() == {"a": 1, "b": 0}
    with pytest.raises(NeuralError, match=r"cannot bind"):
        space.bind({"a": 1, "b": 0})


# ------------------------------------------------------------------ binding


def test_every_grid_point_of_the_custom_example_binds_to_a_valid_model() -> None:
    program = load_program(ROOT / "examples" / "custom_conv.neural")
    space = program.space
    points = [
        dict(zip(space.names, values, strict=True))
        for values in itertools.product(*(p.grid_values(3) for p in space))
    ]
    assert len(points) == space.size(3) == 2 * 3 * 2
    for point in points:
        model = space.bind(point)
        conv = model.layers[0]
        option = space["conv2d_1.filters"].choices[
            space["conv2d_1.filters"].labels.index(point["conv2d_1.filters"])
        ]
        assert conv.params["filters"] == option["filters"]
        side = 28 - option["kernel_size"] + 1
        assert conv.output_shape == (side, side, option["filters"])
        assert model.layers[2].output_shape == ((side // 2) ** 2 * option["filters"],)
        assert model.optimizer.params["learning_rate"] == point["optimizer.learning_rate"]
        assert model.optimizer.params["momentum"] == 0.9
        assert model.train.batch_size == point["train.batch_size"]
        assert model.train.search_method == "grid" and model.train.grid_points == 3


def test_binding_an_impossible_combination_raises_located_diagnostics() -> None:
    source = (
        "network Small {\n  input: (8, 8, 1)\n  layers:\n"
        "    Conv2D(4, HPO(choice(3, 5)))\n    MaxPooling2D((2, 2))\n    Conv2D(4, 3)\n    Flatten()\n}\n"
    )
    space = compile_source(source, "small.neural").space
    space.bind({"conv2d_1.kernel_size": 3})
    with pytest.raises(DiagnosticsError) as caught:
        space.bind({"conv2d_1.kernel_size": 5})
    assert caught.value.render() == (
        "small.neural:6:5: error: kernel_size (3, 3) is larger than the input (2, 2) (with conv2d_1.kernel_size = 5)\n"
        "        Conv2D(4, 3)\n"
        "        ^^^^^^\n"
        '    hint: use padding="same", a smaller kernel_size, or fewer downsampling layers before it'
    )


def test_bind_fills_every_model_field() -> None:
    model = load_program(ROOT / "examples" / "advanced_hpo.neural").nominal_model()
    assert model.name == "AdvancedHPOExample"
    assert model.input_shape == (28, 28, 1)
    assert model.loss == "sparse_categorical_crossentropy" and model.metrics == ("accuracy",)
    schedule = model.optimizer.params["learning_rate"]
    assert schedule.name == "ExponentialDecay"
    assert schedule.params == {
        "initial_learning_rate": 1e-3,
        "decay_steps": 500,
        "decay_rate": 0.9,
        "staircase": False,
    }
    assert (
        model.train.epochs == 20 and model.train.search_method == "bayesian" and model.train.batch_size == 32
    )
    assert model.layers[0].params["padding"] == "same"
    assert model.layers[0].output_shape == (28, 28, 32)
    assert model.output_shape == (10,)
    assert model.param_count == sum(layer.param_count for layer in model.layers)


def test_reference_shapes_flow_through_the_whole_pipeline() -> None:
    program = program_of(
        '    Conv2D(32, (3, 3), activation="relu")\n    MaxPooling2D((2, 2))\n    Flatten()\n'
        '    Dense(128, "relu")\n    Output(10, "softmax")'
    )
    model = program.concrete_model()
    assert [layer.output_shape for layer in model.layers] == [
        (26, 26, 32),
        (13, 13, 32),
        (5408,),
        (128,),
        (10,),
    ]
    assert [layer.param_count for layer in model.layers] == [320, 0, 0, 692_352, 1290]


def test_concrete_model_refuses_a_file_with_hpo() -> None:
    program = load_program(ROOT / "examples" / "basic_hpo.neural")
    assert program.has_hpo
    with pytest.raises(NeuralError, match=r"hyperparameters to search.*conv2d_1.filters"):
        program.concrete_model()


def test_a_taken_name_gets_a_numbered_suffix() -> None:
    from neural.lang.ir import HpoCall, Literal
    from neural.space.builder import SpaceBuilder

    builder = SpaceBuilder()
    refs = [builder.add(HpoCall("choice", (Literal(1), Literal(2)), ()), "dense_1.units") for _ in range(3)]
    assert [getattr(ref, "name", None) for ref in refs] == [
        "dense_1.units",
        "dense_1.units_2",
        "dense_1.units_3",
    ]
    assert [param.name for param in builder.params] == ["dense_1.units", "dense_1.units_2", "dense_1.units_3"]


def test_space_survives_pickling_for_worker_processes() -> None:
    import pickle

    space = load_program(ROOT / "examples" / "custom_conv.neural").space
    copy = pickle.loads(pickle.dumps(space))
    point = {"conv2d_1.filters": "big", "optimizer.learning_rate": 0.01, "train.batch_size": 64}
    assert copy.names == space.names
    assert copy.bind(point) == space.bind(point)


def test_bind_succeeds_exactly_where_the_shape_arithmetic_works_out() -> None:
    source = (
        "network Fragile {\n  input: (10, 10, 1)\n  layers:\n"
        '    Conv2D(4, HPO(choice(3, 5, 7)), padding=HPO(choice("valid", "same")))\n'
        "    MaxPooling2D(HPO(choice(2, 3)))\n    Conv2D(4, 3)\n    Flatten()\n}\n"
    )
    space = compile_source(source, "fragile.neural").space
    outcomes = {}
    for kernel, padding, pool in itertools.product((3, 5, 7), ("valid", "same"), (2, 3)):
        point = {
            "conv2d_1.kernel_size": kernel,
            "conv2d_1.padding": padding,
            "max_pooling2d_1.pool_size": pool,
        }
        side = 10 if padding == "same" else 10 - kernel + 1
        side = (side - pool) // pool + 1
        try:
            model = space.bind(point)
        except DiagnosticsError as error:
            assert "is larger than the input" in error.render()
            outcomes[(kernel, padding, pool)] = None
        else:
            outcomes[(kernel, padding, pool)] = model.layers[2].output_shape
        expected = (side - 2, side - 2, 4) if side >= 3 else None
        assert outcomes[(kernel, padding, pool)] == expected, (kernel, padding, pool)
    assert None in outcomes.values() and any(outcomes.values())


def test_spread_custom_works_in_the_optimizer_too() -> None:
    program = program_of(
        "    Flatten()\n    Output(2)",
        rest='  optimizer: Adam(HPO(custom({"fast": {"learning_rate": 0.01, "beta_1": 0.8}, '
        '"slow": {"learning_rate": 0.001}})))\n',
    )
    assert program.space.names == ("optimizer.learning_rate",)
    fast = program.space.bind({"optimizer.learning_rate": "fast"}).optimizer.params
    slow = program.space.bind({"optimizer.learning_rate": "slow"}).optimizer.params
    assert (fast["learning_rate"], fast["beta_1"]) == (0.01, 0.8)
    assert (slow["learning_rate"], slow["beta_1"]) == (0.001, 0.9)


@settings(max_examples=40, deadline=None)
@given(
    units=st.lists(st.integers(1, 512), min_size=1, max_size=4, unique=True),
    rate_low=st.integers(0, 4),
    rate_steps=st.integers(1, 4),
    repeat=st.integers(1, 3),
)
def test_every_grid_point_binds_to_exactly_its_values(
    units: list[int], rate_low: int, rate_steps: int, repeat: int
) -> None:
    low, high = rate_low / 10, (rate_low + rate_steps) / 10
    program = program_of(
        f"    Flatten()\n    Dense(HPO(choice({', '.join(map(str, units))}))) * {repeat}\n"
        f"    Dropout(HPO(range({low}, {high}, step=0.1)))\n    Output(2)",
        input_shape="(3,)",
    )
    space = program.space
    assert space.size() == len(units) * (rate_steps + 1)
    for values in itertools.product(*(param.grid_values() for param in space)):
        point = dict(zip(space.names, values, strict=True))
        model = space.bind(point)
        dense = [layer for layer in model.layers if layer.kind == "Dense"]
        assert len(dense) == repeat
        assert all(layer.params["units"] == point["dense_1.units"] for layer in dense)
        assert model.layers[-2].params["rate"] == point["dropout_1.rate"]
        assert repr(point["dropout_1.rate"]) == repr(round(point["dropout_1.rate"], 1))
