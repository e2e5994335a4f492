"""The layer registry: lookup, parameter schemas, validation messages, normalization."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from neural.errors import NeuralError
from neural.layers import registry
from neural.layers.registry import (
    REQUIRED,
    LayerSpec,
    ParamError,
    ParamSpec,
    ShapeError,
    UnknownNameError,
    get_layer,
    has_layer,
    layer_names,
    register_layer,
)

# docs/internals.md, "The layer catalogue": name → (positional order, {param: default}).
DOCUMENTED_LAYERS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "Dense": (("units", "activation"), {"units": REQUIRED, "activation": None, "use_bias": True}),
    "Output": (("units", "activation"), {"units": REQUIRED, "activation": None, "use_bias": True}),
    "Conv1D": (
        ("filters", "kernel_size", "activation"),
        {
            "filters": REQUIRED,
            "kernel_size": REQUIRED,
            "strides": (1,),
            "padding": "valid",
            "activation": None,
            "use_bias": True,
            "dilation_rate": (1,),
        },
    ),
    "Conv2D": (
        ("filters", "kernel_size", "activation"),
        {
            "filters": REQUIRED,
            "kernel_size": REQUIRED,
            "strides": (1, 1),
            "padding": "valid",
            "activation": None,
            "use_bias": True,
            "dilation_rate": (1, 1),
        },
    ),
    "MaxPooling1D": (
        ("pool_size", "strides", "padding"),
        {"pool_size": (2,), "strides": None, "padding": "valid"},
    ),
    "MaxPooling2D": (
        ("pool_size", "strides", "padding"),
        {"pool_size": (2, 2), "strides": None, "padding": "valid"},
    ),
    "AveragePooling2D": (
        ("pool_size", "strides", "padding"),
        {"pool_size": (2, 2), "strides": None, "padding": "valid"},
    ),
    "GlobalAveragePooling1D": ((), {}),
    "GlobalAveragePooling2D": ((), {}),
    "Flatten": ((), {}),
    "Dropout": (("rate",), {"rate": REQUIRED}),
    "BatchNormalization": ((), {"momentum": 0.99, "epsilon": 0.001}),
    "LayerNormalization": ((), {"epsilon": 0.001}),
    "Activation": (("activation",), {"activation": REQUIRED}),
    "Embedding": (("input_dim", "output_dim"), {"input_dim": REQUIRED, "output_dim": REQUIRED}),
    "LSTM": (("units",), {"units": REQUIRED, "return_sequences": False}),
    "GRU": (("units",), {"units": REQUIRED, "return_sequences": False}),
}


def reject(spec: ParamSpec, value: Any) -> ParamError:
    """Validate a value that must be refused and return the error."""
    with pytest.raises(ParamError) as info:
        spec.validate(value)
    assert info.value.param == spec.name
    return info.value


# ---------------------------------------------------------------- the catalogue


def test_registry_holds_exactly_the_documented_layers() -> None:
    assert set(layer_names()) == set(DOCUMENTED_LAYERS)


@pytest.mark.parametrize("name", sorted(DOCUMENTED_LAYERS))
def test_layer_schema_matches_internals_doc(name: str) -> None:
    positional, defaults = DOCUMENTED_LAYERS[name]
    spec = get_layer(name)
    assert spec.positional == positional
    assert {p.name: p.default for p in spec.params} == defaults


@pytest.mark.parametrize("name", sorted(DOCUMENTED_LAYERS))
def test_every_layer_documents_itself_and_each_parameter(name: str) -> None:
    spec = get_layer(name)
    assert spec.doc
    assert all(p.doc for p in spec.params)


def test_snake_names_are_the_stems_of_instance_names() -> None:
    stems = {
        n: get_layer(n).snake_name for n in ("Conv2D", "MaxPooling2D", "LSTM", "BatchNormalization", "Dense")
    }
    assert stems == {
        "Conv2D": "conv2d",
        "MaxPooling2D": "max_pooling2d",
        "LSTM": "lstm",
        "BatchNormalization": "batch_normalization",
        "Dense": "dense",
    }


def test_unknown_layer_is_a_key_error_with_did_you_mean() -> None:
    with pytest.raises(UnknownNameError) as info:
        get_layer("Dens")
    assert isinstance(info.value, KeyError) and isinstance(info.value, NeuralError)
    assert str(info.value) == "unknown layer 'Dens'"
    assert info.value.hint == "did you mean 'Dense'?"
    assert not has_layer("Dens") and has_layer("Dense")


def test_layer_names_are_matched_exactly() -> None:
    with pytest.raises(UnknownNameError) as info:
        get_layer("dense")
    assert info.value.hint == "did you mean 'Dense'?"


def test_registering_a_taken_name_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_layer(LayerSpec(name="Dense", params=(), doc="a clash"))


def test_register_layer_adds_a_new_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    layer_names()  # load the catalogue before swapping in a copy of the table
    monkeypatch.setattr(registry, "_LAYERS", dict(registry._LAYERS))
    spec = LayerSpec(name="TestIdentityForRegistry", params=(), doc="identity, for this test only")
    assert register_layer(spec) is spec
    assert get_layer("TestIdentityForRegistry").output_shape((4, 2), {}) == (4, 2)


def test_positional_names_must_be_parameters() -> None:
    with pytest.raises(ValueError, match="not parameters"):
        LayerSpec(name="Broken", params=(ParamSpec("units", "int"),), positional=("unit",))


# ----------------------------------------------------------- value validation


def test_int_param_rejects_floats_bools_and_out_of_range() -> None:
    units = get_layer("Dense").param("units")
    assert units is not None
    assert units.validate(64) == 64
    assert reject(units, -3).message == "units must be a positive integer, got -3"
    assert reject(units, 3.0).message == "units must be a positive integer, got 3.0"
    assert reject(units, True).message == "units must be a positive integer, got true"
    assert reject(units, "64").message == "units must be a positive integer, got '64'"


def test_float_param_accepts_ints_as_floats_but_not_bools() -> None:
    rate = get_layer("Dropout").param("rate")
    assert rate is not None
    assert rate.validate(0) == 0.0 and isinstance(rate.validate(0), float)
    assert rate.validate(0.5) == 0.5
    assert reject(rate, 1.5).message == "rate must be between 0 and 1 (1 excluded), got 1.5"
    assert reject(rate, 1).message == "rate must be between 0 and 1 (1 excluded), got 1"
    assert reject(rate, False).message == "rate must be a number between 0 and 1 (1 excluded), got false"
    assert reject(rate, float("nan")).param == "rate"
    assert reject(rate, float("inf")).message == "rate must be a number between 0 and 1 (1 excluded), got inf"


def test_string_choice_is_case_sensitive_with_did_you_mean() -> None:
    padding = get_layer("Conv2D").param("padding")
    assert padding is not None
    assert padding.validate("same") == "same"
    error = reject(padding, "sme")
    assert error.message == "padding must be 'valid' or 'same', got 'sme'"
    assert error.hint == "did you mean 'same'?"
    assert reject(padding, "Same").hint == "did you mean 'same'?"
    assert reject(padding, 1).hint is None


def test_activation_is_lower_cased_and_none_means_no_activation() -> None:
    activation = get_layer("Dense").param("activation")
    assert activation is not None
    assert activation.validate("ReLU") == "relu"
    assert activation.validate("none") is None
    assert activation.validate("None") is None
    assert activation.validate(None) is None
    error = reject(activation, "rleu")
    assert error.message == "unknown activation 'rleu' for activation"
    assert error.hint == "did you mean 'relu'?"
    assert "known activations" in (reject(activation, 3).hint or "")


def test_activation_layer_needs_a_real_activation() -> None:
    activation = get_layer("Activation").param("activation")
    assert activation is not None
    assert activation.validate("Tanh") == "tanh"
    assert reject(activation, None).message.startswith("activation must be an activation name")


def test_bool_param_accepts_only_booleans() -> None:
    use_bias = get_layer("Dense").param("use_bias")
    assert use_bias is not None
    assert use_bias.validate(False) is False
    assert reject(use_bias, 1).message == "use_bias must be true or false, got 1"
    assert reject(use_bias, "true").message == "use_bias must be true or false, got 'true'"


def test_int_tuple_expands_an_int_to_the_spatial_rank() -> None:
    conv2d, conv1d = get_layer("Conv2D").param("kernel_size"), get_layer("Conv1D").param("kernel_size")
    assert conv2d is not None and conv1d is not None
    assert conv2d.validate(3) == (3, 3)
    assert conv2d.validate([3, 5]) == (3, 5)
    assert conv1d.validate(5) == (5,)
    assert conv1d.validate((5,)) == (5,)


def test_int_tuple_rejects_wrong_length_non_ints_and_non_positive() -> None:
    kernel = get_layer("Conv2D").param("kernel_size")
    assert kernel is not None
    assert (
        reject(kernel, (3, 3, 3)).message
        == "kernel_size must be an integer or a tuple of 2 integers, got (3, 3, 3)"
    )
    assert reject(kernel, (3.0, 3)).message.startswith(
        "kernel_size must be an integer or a tuple of 2 integers"
    )
    assert reject(kernel, (True, 3)).param == "kernel_size"
    assert reject(kernel, (0, 3)).message == "kernel_size must hold positive integers, got (0, 3)"
    assert reject(kernel, -1).message == "kernel_size must hold positive integers, got -1"


def test_validate_is_idempotent_on_normalized_values() -> None:
    for name in layer_names():
        spec = get_layer(name)
        for param in spec.params:
            if not param.required:
                assert param.validate(param.default) == param.default, (name, param.name)


def test_unknown_param_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown parameter kind"):
        ParamSpec("units", "integer")


# --------------------------------------------------------------- normalization


def test_normalize_fills_every_default() -> None:
    assert get_layer("Conv2D").normalize({"filters": 16, "kernel_size": 3}) == {
        "filters": 16,
        "kernel_size": (3, 3),
        "strides": (1, 1),
        "padding": "valid",
        "activation": None,
        "use_bias": True,
        "dilation_rate": (1, 1),
    }


def test_pool_strides_default_to_the_pool_size() -> None:
    pool = get_layer("MaxPooling2D")
    assert pool.normalize({"pool_size": 3})["strides"] == (3, 3)
    assert pool.normalize({})["strides"] == (2, 2)
    assert pool.normalize({"pool_size": 3, "strides": None})["strides"] == (3, 3)
    assert pool.normalize({"pool_size": 3, "strides": 1})["strides"] == (1, 1)
    assert get_layer("MaxPooling1D").normalize({"pool_size": 4})["strides"] == (4,)


def test_normalize_reports_a_missing_required_parameter_with_the_signature() -> None:
    with pytest.raises(ParamError) as info:
        get_layer("Dense").normalize({"activation": "relu"})
    assert info.value.message == "Dense needs units"
    assert info.value.param == "units"
    assert info.value.hint == "write Dense(units, activation=none, use_bias=true)"


def test_normalize_reports_an_unknown_parameter_with_did_you_mean() -> None:
    with pytest.raises(ParamError) as info:
        get_layer("Dense").normalize({"units": 4, "activaton": "relu"})
    assert info.value.message == "Dense has no parameter 'activaton'"
    assert info.value.hint == "did you mean 'activation'?"


def test_parameterless_layer_says_it_takes_no_parameters() -> None:
    with pytest.raises(ParamError) as info:
        get_layer("Flatten").normalize({"units": 3})
    assert info.value.message == "Flatten takes no parameters, got units"
    assert info.value.hint == "write Flatten()"


def test_normalize_rejects_strides_with_dilation_as_keras_does() -> None:
    with pytest.raises(ParamError) as info:
        get_layer("Conv2D").normalize({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2})
    assert info.value.param == "dilation_rate"


def test_normalize_keeps_schema_order() -> None:
    values = {"use_bias": False, "activation": "Tanh", "units": 8}
    assert list(get_layer("Dense").normalize(values)) == ["units", "activation", "use_bias"]


def test_param_errors_are_user_errors() -> None:
    with pytest.raises(NeuralError):
        get_layer("Dropout").normalize({"rate": 2})


def test_errors_survive_pickling_between_worker_processes() -> None:
    errors = [
        ParamError("units must be a positive integer, got -3", param="units", hint="use 64"),
        ShapeError("Dense expects a flat input but gets shape (3, 3, 1)", hint="add Flatten() before it"),
        UnknownNameError("unknown layer 'Dens'", "Dens", hint="did you mean 'Dense'?"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert vars(copy) == vars(error)
        assert str(copy) == str(error)


def test_parameter_schemas_pickle_with_the_required_marker_intact() -> None:
    params = pickle.loads(pickle.dumps(get_layer("Dense").params))
    assert params == get_layer("Dense").params
    assert params[0].default is REQUIRED
