"""Semantic checks: names, arguments, values, HPO expressions, shapes, and the model they yield."""

from __future__ import annotations

from pathlib import Path

import pytest

from neural.errors import Diagnostic, DiagnosticsError, NeuralError, sorted_diagnostics
from neural.lang.checker import check_network
from neural.lang.ir import Call, DictEntry, DictValue, HpoCall, Keyword, Layer, Literal, Network, TupleValue
from neural.program import Program, compile_source, load_program


def network(layers: str, *, input_shape: str = "(4,)", rest: str = "") -> str:
    return f"network T {{\n  input: {input_shape}\n  layers:\n{layers}\n{rest}}}\n"


def errors_of(source: str) -> list[Diagnostic]:
    with pytest.raises(DiagnosticsError) as caught:
        compile_source(source, "t.neural")
    return [d for d in sorted_diagnostics(caught.value.diagnostics) if d.severity == "error"]


def messages(source: str) -> list[str]:
    return [d.message for d in errors_of(source)]


def only_error(source: str) -> Diagnostic:
    errors = errors_of(source)
    assert len(errors) == 1, [d.message for d in errors]
    return errors[0]


def at(source: str, diagnostic: Diagnostic) -> str:
    """The source text a diagnostic points at."""
    return source[diagnostic.span.start : diagnostic.span.end]


# ---------------------------------------------------------------- collecting


def test_every_error_of_a_file_is_reported_together() -> None:
    source = network(
        "    Dens(64)\n    Dense(HPO(choice(8, -8)))\n    Dropout(1.5)\n    Flatten(2)",
        rest='  loss: "crossentropy"\n  train { epochs: 0  bach_size: 8 }\n',
    )
    assert messages(source) == [
        "unknown layer 'Dens'",
        "units must be a positive integer, got -8",
        "rate must be between 0 and 1 (1 excluded), got 1.5",
        "Flatten takes no arguments, got 1",
        "unknown loss 'crossentropy'",
        "epochs must be a positive integer, got 0",
        "unknown train key 'bach_size'",
    ]


def test_every_error_has_a_location_and_a_hint() -> None:
    source = network(
        '    Dense()\n    Dense(4, units=4)\n    Conv2D(8, 3, "relu", 2)\n    Dense(HPO(range(1, 1)))',
        rest='  optimizer: Adam(learning_rate=Cosine(0.1, 10))\n  metrics: ["acuracy"]\n',
    )
    for diagnostic in errors_of(source):
        assert diagnostic.span.line > 0 and diagnostic.hint, diagnostic


def test_clean_file_yields_no_warnings() -> None:
    program = compile_source(network('    Dense(8, "relu")\n    Output(2, "softmax")'))
    assert program.warnings == ()


# --------------------------------------------------------------------- names


def test_unknown_names_suggest_the_closest_known_one() -> None:
    source = network(
        '    Dense(8, activation="rleu", use_bais=true)\n    Output(2)',
        rest='  optimizer: Adamm(learning_rate=0.1)\n  loss: "mse2"\n  metrics: ["acuracy"]\n',
    )
    found = [(at(source, d), d.hint) for d in errors_of(source)]
    assert found == [
        ('"rleu"', "did you mean 'relu'?"),
        ("use_bais", "did you mean 'use_bias'?"),
        ("Adamm", "did you mean 'Adam'?"),
        ('"mse2"', "did you mean 'mse'?"),
        ('"acuracy"', "did you mean 'accuracy'?"),
    ]


def test_optimizer_given_as_a_string_means_its_defaults() -> None:
    model = compile_source(network("    Output(2)", rest='  optimizer: "sgd"\n')).concrete_model()
    assert model.optimizer.name == "SGD"
    assert model.optimizer.params == {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}


def test_loss_long_names_and_call_form_are_canonical() -> None:
    for loss in ('"mean_squared_error"', "MeanSquaredError()", '"MSE"'):
        model = compile_source(network("    Output(1)", rest=f"  loss: {loss}\n")).concrete_model()
        assert model.loss == "mse"
        assert model.metrics == ()


def test_metrics_default_to_accuracy_only_for_cross_entropy() -> None:
    assert compile_source(network("    Output(2)")).concrete_model().metrics == ("accuracy",)
    binary = compile_source(network('    Output(1, "sigmoid")', rest='  loss: "binary_crossentropy"\n'))
    assert binary.concrete_model().metrics == ("accuracy",)
    assert compile_source(network("    Output(1)", rest='  loss: "mae"\n')).concrete_model().metrics == ()
    explicit = compile_source(network("    Output(1)", rest='  loss: "mae"\n  metrics: "accuracy"\n'))
    assert explicit.concrete_model().metrics == ("accuracy",)


def test_defaults_fill_a_file_without_optimizer_loss_or_train() -> None:
    model = compile_source(network("    Output(2)")).concrete_model()
    assert model.optimizer.name == "Adam" and model.optimizer.params["learning_rate"] == 0.001
    assert model.loss == "sparse_categorical_crossentropy"
    assert model.train.epochs == 10 and model.train.batch_size == 32 and model.train.objective == "val_loss"


# ----------------------------------------------------------------- arguments


def test_positional_arguments_follow_the_catalogue_order() -> None:
    model = compile_source(
        network(
            '    Conv2D(8, 3, "relu")\n    MaxPooling2D(2, 1, "same")\n    Flatten()', input_shape="(6, 6, 1)"
        )
    ).concrete_model()
    conv, pool = model.layers[0].params, model.layers[1].params
    assert (conv["filters"], conv["kernel_size"], conv["activation"]) == (8, (3, 3), "relu")
    assert (pool["pool_size"], pool["strides"], pool["padding"]) == ((2, 2), (1, 1), "same")


def test_too_many_positional_arguments_are_located_at_the_first_extra_one() -> None:
    source = network('    Dense(8, "relu", true)')
    error = only_error(source)
    assert at(source, error) == "true"
    assert error.hint == "the positional order is Dense(units, activation); pass the rest by keyword"


def test_a_parameter_given_positionally_and_by_keyword_is_an_error() -> None:
    source = network("    Dense(8, units=16)")
    error = only_error(source)
    assert error.message == "Dense gets units positionally and by keyword"
    assert at(source, error) == "units"


def test_missing_required_parameter_is_located_at_the_layer_name() -> None:
    source = network("    Dropout()")
    error = only_error(source)
    assert (error.message, at(source, error)) == ("Dropout needs rate", "Dropout")
    assert error.hint == "write Dropout(rate)"


def test_call_where_a_value_belongs_is_an_error() -> None:
    source = network("    Dense(Foo(3))")
    error = only_error(source)
    assert error.message == "units takes a value, not the call Foo(...)"
    assert at(source, error) == "Foo(3)"


def test_hand_built_ir_with_duplicate_keywords_is_still_checked() -> None:
    layer = Layer("Dense", (), (Keyword("units", Literal(4)), Keyword("units", Literal(8))))
    with pytest.raises(DiagnosticsError) as caught:
        check_network(Network("T", input_shape=TupleValue((Literal(4),)), layers=(layer,)))
    assert [d.message for d in caught.value.diagnostics] == ["Dense gets units twice by keyword"]


# -------------------------------------------------------------- input shape


@pytest.mark.parametrize(
    ("shape", "pointed"),
    [
        ("(28, 0, 1)", "0"),
        ("(28, -3)", "-3"),
        ("(2.5,)", "2.5"),
        ("()", "()"),
        ('"wide"', '"wide"'),
        ("784", "784"),
    ],
)
def test_input_must_be_a_tuple_of_positive_integers(shape: str, pointed: str) -> None:
    source = network("    Flatten()", input_shape=shape)
    error = only_error(source)
    assert at(source, error) == pointed


def test_a_bare_integer_input_suggests_a_one_tuple() -> None:
    assert only_error(network("    Output(2)", input_shape="784")).hint == "write input: (784,)"


# ------------------------------------------------------------ HPO placement


def test_hpo_is_allowed_in_layer_optimizer_schedule_and_train_values() -> None:
    program = compile_source(
        network(
            '    Dense(HPO(choice(4, 8)), activation=HPO(choice("relu", "tanh")))\n    Output(2)',
            rest="  optimizer: RMSprop(learning_rate=CosineDecay(HPO(log_range(1e-3, 1e-1)), 100), "
            "rho=HPO(range(0.8, 0.95)))\n  train { epochs: HPO(choice(1, 2))  early_stopping: HPO(choice(true, false)) }\n",
        )
    )
    assert program.space.names == (
        "dense_1.units",
        "dense_1.activation",
        "optimizer.learning_rate.initial_learning_rate",
        "optimizer.rho",
        "train.epochs",
        "train.early_stopping",
    )


@pytest.mark.parametrize(
    ("rest", "input_shape", "place"),
    [
        ('  loss: HPO(choice("mse", "mae"))\n', "(4,)", "loss"),
        ('  metrics: [HPO(choice("accuracy"))]\n', "(4,)", "metrics"),
        ("", "(HPO(choice(4, 8)),)", "input"),
    ],
)
def test_hpo_is_not_allowed_in_input_loss_or_metrics(rest: str, input_shape: str, place: str) -> None:
    source = network("    Output(2)", input_shape=input_shape, rest=rest)
    error = only_error(source)
    assert error.message == f"HPO is not allowed in {place}"
    assert at(source, error).startswith("HPO(choice(")


def test_every_option_of_a_choice_is_validated_where_it_stands() -> None:
    source = network('    Dense(HPO(choice(64, -1, 0)), activation=HPO(choice("relu", "rleu")))')
    errors = errors_of(source)
    assert [at(source, d) for d in errors] == ["-1", "0", '"rleu"']


def test_range_bounds_are_validated_against_the_parameter() -> None:
    source = network("    Dropout(HPO(range(0.5, 1.0)))\n    Dense(HPO(range(0, 8)))")
    assert [(d.message, at(source, d)) for d in errors_of(source)] == [
        ("rate must be between 0 and 1 (1 excluded), got 1.0", "1.0"),
        ("units must be a positive integer, got 0", "0"),
    ]


def test_stepped_range_is_validated_at_its_last_reachable_value() -> None:
    program = compile_source(network("    Dropout(HPO(range(0.3, 1.0, step=0.3)))"))
    assert program.space["dropout_1.rate"].grid_values() == (0.3, 0.6, 0.9)


def test_log_range_on_an_integer_parameter_is_rejected_at_its_bounds() -> None:
    source = network("    Dense(HPO(log_range(8, 64)))")
    assert [at(source, d) for d in errors_of(source)] == ["8", "64"]


@pytest.mark.parametrize(
    ("hpo", "message", "pointed"),
    [
        ("range(0.5, 0.1)", "range low bound 0.5 must be below its high bound 0.1", "HPO(range(0.5, 0.1))"),
        ("range(0.1, 0.5, step=0)", "range step must be positive, got 0", "0"),
        ("range(0.1, 0.5, -0.1)", "range step must be positive, got -0.1", "-0.1"),
        ("log_range(0, 0.5)", "log_range bounds must be positive, got 0", "0"),
        ('range("a", 0.5)', "range low must be a number, got 'a'", '"a"'),
        ("range(0.1)", "range needs a low and a high bound", "HPO(range(0.1))"),
        ("range(0.1, 0.5, 0.1, 2)", "range takes at most 3 positional arguments, got 4", "2"),
        ("log_range(1e-3, 1e-1, step=0.1)", "log_range has no keyword 'step'", "step"),
        ("range(0.1, high=0.5, max=0.6)", "range high bound is given twice", "max"),
        ("choice()", "choice needs at least one option", "HPO(choice())"),
        ('choice(0.1, "a")', "choice mixes a number (0.1) and a string ('a')", '"a"'),
        ("choice(0.1, 0.1)", "choice lists 0.1 twice", "0.1"),
        (
            "choice([0.1])",
            "a choice option must be a number, string, boolean, tuple or none, not a list",
            "[0.1]",
        ),
        ("choice(0.1, step=2)", "choice takes no keyword arguments", "step"),
        ("custom(0.1)", "custom takes one non-empty dict of named options", "0.1"),
        ("custom({})", "custom takes one non-empty dict of named options", "{}"),
        ("choice(HPO(choice(0.1, 0.2)))", "HPO expressions cannot be nested", "HPO(choice(0.1, 0.2))"),
        ("uniform(0.1, 0.2)", "unknown HPO function 'uniform'", "uniform"),
    ],
)
def test_bad_hpo_expressions_are_located_errors(hpo: str, message: str, pointed: str) -> None:
    source = network(f"    Dropout(HPO({hpo}))")
    error = only_error(source)
    assert (error.message, at(source, error)) == (message, pointed)


def test_ints_and_floats_mix_in_one_choice() -> None:
    param = compile_source(network("    Dropout(HPO(choice(0, 0.5)))")).space["dropout_1.rate"]
    assert param.choices == (0, 0.5) and param.labels == ("0", "0.5")


# ------------------------------------------------------------------- custom


CUSTOM_CONV = '{"small": {"filters": 8, "kernel_size": 3}, "big": {"filters": 16, "kernel_size": 5}}'


def test_spread_custom_options_are_checked_like_keyword_arguments() -> None:
    source = network(
        '    Conv2D(HPO(custom({"a": {"filters": -8, "kernel_size": 3}, "b": {"filter": 8, "kernel_size": 3}})))'
        "\n    Flatten()",
        input_shape="(8, 8, 1)",
    )
    errors = errors_of(source)
    assert [(d.message, at(source, d)) for d in errors] == [
        ("filters must be a positive integer, got -8", "-8"),
        ("custom option 'b' does not set filters, which Conv2D needs", '{"filter": 8, "kernel_size": 3}'),
        ("custom option 'b': Conv2D has no parameter 'filter'", '"filter": 8'),
    ]


def test_spread_custom_may_not_repeat_a_keyword_argument() -> None:
    source = network(
        f"    Conv2D(HPO(custom({CUSTOM_CONV})), filters=4)\n    Flatten()", input_shape="(8, 8, 1)"
    )
    assert messages(source) == [
        "custom option 'small' sets filters, which Conv2D also gets directly",
        "custom option 'big' sets filters, which Conv2D also gets directly",
    ]


def test_no_positional_argument_may_follow_a_spread_custom() -> None:
    source = network(
        f'    Conv2D(HPO(custom({CUSTOM_CONV})), "relu")\n    Flatten()', input_shape="(8, 8, 1)"
    )
    error = only_error(source)
    assert at(source, error) == '"relu"'


def test_custom_of_plain_values_in_a_positional_slot_is_that_parameter() -> None:
    program = compile_source(network('    Dense(HPO(custom({"narrow": 4, "wide": 32})), "relu")'))
    assert program.space.bind({"dense_1.units": "wide"}).layers[0].params["units"] == 32


def test_hand_built_custom_spread_binds_without_spans() -> None:
    options = DictValue(
        (
            DictEntry(
                "s", DictValue((DictEntry("filters", Literal(4)), DictEntry("kernel_size", Literal(3))))
            ),
            DictEntry(
                "l", DictValue((DictEntry("filters", Literal(8)), DictEntry("kernel_size", Literal(5))))
            ),
        )
    )
    layers = (
        Layer("Conv2D", (HpoCall("custom", (options,), ()),), (Keyword("activation", Literal("relu")),)),
        Layer("Flatten", (), ()),
    )
    result = check_network(
        Network(
            "T",
            input_shape=TupleValue((Literal(8), Literal(8), Literal(1))),
            layers=layers,
            optimizer=Call("SGD", (Literal(0.1),), ()),
        )
    )
    assert result.space.names == ("conv2d_1.filters",)
    assert result.space.bind({"conv2d_1.filters": "l"}).layers[1].output_shape == (4 * 4 * 8,)


# ------------------------------------------------------------------- shapes


def test_impossible_shape_at_the_nominal_point_is_located_at_the_layer() -> None:
    source = network("    Conv2D(4, HPO(choice(9, 3)))\n    Flatten()", input_shape="(8, 8, 1)")
    error = only_error(source)
    assert (
        error.message == "kernel_size (9, 9) is larger than the input (8, 8) (with conv2d_1.kernel_size = 9)"
    )
    assert at(source, error) == "Conv2D"


def test_shape_error_names_earlier_hpo_values_that_changed_the_shape() -> None:
    source = network(
        '    Conv2D(4, HPO(choice(5, 3)), activation=HPO(choice("relu", "tanh")))\n    Dropout(HPO(choice(0.1, 0.2)))'
        "\n    Conv2D(4, 4)\n    Flatten()",
        input_shape="(6, 6, 1)",
    )
    error = only_error(source)
    assert (
        error.message == "kernel_size (4, 4) is larger than the input (2, 2) (with conv2d_1.kernel_size = 5)"
    )


def test_dense_on_an_image_asks_for_flatten() -> None:
    error = only_error(network("    Conv2D(4, 3)\n    Dense(2)", input_shape="(8, 8, 1)"))
    assert error.message == "Dense expects a flat input but gets shape (6, 6, 4)"
    assert error.hint == "add Flatten() before it"


# ------------------------------------------------------------------ warnings


def test_softmax_output_with_a_regression_loss_is_a_warning() -> None:
    source = network('    Output(2, "softmax")', rest='  loss: "mse"\n')
    program = compile_source(source)
    (warning,) = program.warnings
    assert warning.severity == "warning" and at(source, warning) == '"mse"'
    assert "cross-entropy" in warning.message


def test_output_before_the_last_layer_is_a_warning() -> None:
    source = network('    Output(2, "softmax")\n    Dense(2, "softmax")')
    (warning,) = compile_source(source).warnings
    assert warning.message == "Output is not the last layer" and at(source, warning) == "Output"


def test_warnings_are_reported_with_errors() -> None:
    with pytest.raises(DiagnosticsError) as caught:
        compile_source(network('    Output(2, "softmax")\n    Dense(-2)'))
    assert [d.severity for d in caught.value.diagnostics] == ["error", "warning"]


def program_with_everything() -> Program:
    return compile_source(
        network(
            '    Dense(HPO(choice(4, 8)), "relu") * 2\n    Output(2, "softmax")',
            rest="  optimizer: Adam(learning_rate=ExponentialDecay(0.01, 100, 0.9, staircase=true))\n"
            '  loss: "categorical_crossentropy"\n  metrics: ["accuracy"]\n'
            '  train { epochs: 3  batch_size: 16  validation_split: 0.25  objective: "val_accuracy"  seed: 3 }\n',
        )
    )


def test_model_holds_normalized_values_for_every_field() -> None:
    model = program_with_everything().space.bind({"dense_1.units": 8})
    assert [(layer.kind, layer.name) for layer in model.layers] == [
        ("Dense", "dense_1"),
        ("Dense", "dense_1_2"),
        ("Output", "output_1"),
    ]
    assert model.layers[0].params == {"units": 8, "activation": "relu", "use_bias": True}
    assert [layer.param_count for layer in model.layers] == [40, 72, 18]
    schedule = model.optimizer.params["learning_rate"]
    assert (schedule.name, schedule.params["staircase"]) == ("ExponentialDecay", True)
    assert model.loss == "categorical_crossentropy" and model.metrics == ("accuracy",)
    train = model.train
    assert (train.epochs, train.batch_size, train.validation_split, train.seed) == (3, 16, 0.25, 3)
    assert train.direction == "maximize"


def test_load_program_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.neural"
    with pytest.raises(NeuralError, match=r"nowhere\.neural") as caught:
        load_program(missing)
    assert not isinstance(caught.value, DiagnosticsError)


def test_load_program_reports_errors_against_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "broken.neural"
    path.write_text(network("    Dense(0)"), encoding="utf-8")
    with pytest.raises(DiagnosticsError) as caught:
        load_program(path)
    assert caught.value.render().startswith(f"{path}:4:11: error: units must be a positive integer, got 0")


def test_accuracy_objective_with_a_regression_loss_is_a_warning() -> None:
    source = network("    Output(1)", rest='  loss: "mse"\n  train { objective: "val_accuracy" }\n')
    (warning,) = compile_source(source).warnings
    assert warning.message == "objective 'val_accuracy' needs accuracy, which loss 'mse' does not report"
    assert at(source, warning) == '"val_accuracy"'
