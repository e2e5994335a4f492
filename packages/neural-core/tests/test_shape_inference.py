"""Shape rules and weight counts of every layer (channels-last, batch excluded, Keras counts)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neural.layers.registry import ShapeError, get_layer, layer_names
from neural.layers.shapes import window_length

Stack = list[tuple[str, dict[str, Any]]]


def infer(input_shape: tuple[int, ...], stack: Stack) -> list[tuple[tuple[int, ...], int]]:
    """Run a layer stack through shape inference: one (output shape, weight count) per layer."""
    shape, out = input_shape, []
    for name, values in stack:
        spec = get_layer(name)
        params = spec.normalize(values)
        count = spec.param_count(shape, params)
        shape = spec.output_shape(shape, params)
        out.append((shape, count))
    return out


def shape_error(input_shape: tuple[int, ...], name: str, **values: Any) -> ShapeError:
    spec = get_layer(name)
    with pytest.raises(ShapeError) as info:
        spec.output_shape(input_shape, spec.normalize(values))
    return info.value


# ------------------------------------------------------------ reference figures


def test_conv2d_valid_padding_shrinks_by_kernel_minus_one() -> None:
    assert infer((28, 28, 3), [("Conv2D", {"filters": 16, "kernel_size": 3})]) == [((26, 26, 16), 448)]


def test_conv2d_same_padding_with_stride_two_halves_rounding_up() -> None:
    stack: Stack = [("Conv2D", {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "same"})]
    assert infer((28, 28, 3), stack)[0][0] == (14, 14, 16)
    assert infer((27, 27, 3), stack)[0][0] == (14, 14, 16)


def test_conv_pool_flatten_dense_reference_network() -> None:
    stack: Stack = [
        ("Conv2D", {"filters": 32, "kernel_size": (3, 3), "activation": "relu"}),
        ("MaxPooling2D", {"pool_size": (2, 2)}),
        ("Flatten", {}),
        ("Dense", {"units": 128, "activation": "relu"}),
        ("Output", {"units": 10, "activation": "softmax"}),
    ]
    assert infer((28, 28, 1), stack) == [
        ((26, 26, 32), 320),
        ((13, 13, 32), 0),
        ((5408,), 0),
        ((128,), 692_352),
        ((10,), 1_290),
    ]


def test_keras_weight_counts_computed_by_hand() -> None:
    # LSTM: 4 * (units * (input + units) + units) = 4 * (32 * 48 + 32)
    assert infer((10, 16), [("LSTM", {"units": 32})]) == [((32,), 6_272)]
    # GRU with reset_after: 3 * (units * (input + units) + 2 * units) = 3 * (16 * 48 + 32)
    assert infer((10, 32), [("GRU", {"units": 16})]) == [((16,), 2_400)]
    # BatchNormalization: gamma, beta, moving mean, moving variance per channel
    assert infer((4, 4, 8), [("BatchNormalization", {})]) == [((4, 4, 8), 32)]
    assert infer((20, 16), [("LayerNormalization", {})]) == [((20, 16), 32)]
    assert infer((20,), [("Embedding", {"input_dim": 100, "output_dim": 16})]) == [((20, 16), 1_600)]
    assert infer((64,), [("Dense", {"units": 10, "use_bias": False})]) == [((10,), 640)]
    assert infer((64, 1), [("Conv1D", {"filters": 8, "kernel_size": 5})]) == [((60, 8), 48)]


def test_sequence_example_network() -> None:
    stack: Stack = [
        ("Embedding", {"input_dim": 100, "output_dim": 16}),
        ("LSTM", {"units": 32, "return_sequences": True}),
        ("GRU", {"units": 16}),
        ("LayerNormalization", {}),
        ("Dense", {"units": 8, "activation": "relu"}),
        ("Output", {"units": 2, "activation": "softmax"}),
    ]
    shapes = [shape for shape, _ in infer((20,), stack)]
    assert shapes == [(20, 16), (20, 32), (16,), (16,), (8,), (2,)]


def test_conv1d_example_network() -> None:
    stack: Stack = [
        ("Conv1D", {"filters": 8, "kernel_size": 5, "activation": "relu"}),
        ("BatchNormalization", {}),
        ("MaxPooling1D", {"pool_size": 2}),
        ("Conv1D", {"filters": 16, "kernel_size": 3, "padding": "same"}),
        ("GlobalAveragePooling1D", {}),
        ("Output", {"units": 3}),
    ]
    assert infer((64, 1), stack) == [
        ((60, 8), 48),
        ((60, 8), 32),
        ((30, 8), 0),
        ((30, 16), 400),
        ((16,), 0),
        ((3,), 51),
    ]


def test_shape_preserving_layers_keep_any_shape() -> None:
    for name, values in (("Dropout", {"rate": 0.5}), ("Activation", {"activation": "relu"})):
        assert infer((7, 5, 3), [(name, values)]) == [((7, 5, 3), 0)]


def test_pooling_strides_and_same_padding() -> None:
    assert infer((7, 7, 4), [("MaxPooling2D", {})])[0][0] == (3, 3, 4)
    assert infer((7, 7, 4), [("MaxPooling2D", {"padding": "same"})])[0][0] == (4, 4, 4)
    assert infer((7, 7, 4), [("AveragePooling2D", {"pool_size": 3, "strides": 1})])[0][0] == (5, 5, 4)
    assert infer((9, 2), [("MaxPooling1D", {"pool_size": 3, "strides": 2})])[0][0] == (4, 2)


def test_dilated_kernel_covers_more_input() -> None:
    assert infer((9, 9, 1), [("Conv2D", {"filters": 2, "kernel_size": 3, "dilation_rate": 2})])[0][0] == (
        5,
        5,
        2,
    )


def test_dense_on_a_sequence_applies_to_the_last_axis() -> None:
    assert infer((20, 16), [("Dense", {"units": 4})]) == [((20, 4), 68)]


def test_recurrent_return_sequences_keeps_the_time_axis() -> None:
    assert infer((12, 3), [("GRU", {"units": 5, "return_sequences": True})])[0][0] == (12, 5)


def test_output_shape_accepts_raw_parameters() -> None:
    assert get_layer("Conv2D").output_shape((28, 28, 3), {"filters": 16, "kernel_size": 3}) == (26, 26, 16)


# ---------------------------------------------------------------- shape errors


def test_dense_on_an_image_asks_for_flatten() -> None:
    error = shape_error((13, 13, 32), "Dense", units=10)
    assert error.message == "Dense expects a flat input but gets shape (13, 13, 32)"
    assert error.hint == "add Flatten() before it"
    assert shape_error((13, 13, 32), "Output", units=10).message.startswith("Output expects a flat input")


def test_kernel_larger_than_input_suggests_same_padding() -> None:
    error = shape_error((3, 3, 8), "Conv2D", filters=4, kernel_size=5)
    assert error.message == "kernel_size (5, 5) is larger than the input (3, 3)"
    assert error.hint is not None and 'padding="same"' in error.hint and "smaller kernel_size" in error.hint
    assert infer((3, 3, 8), [("Conv2D", {"filters": 4, "kernel_size": 5, "padding": "same"})])[0][0] == (
        3,
        3,
        4,
    )


def test_pool_larger_than_input_names_pool_size() -> None:
    error = shape_error((1, 1, 4), "MaxPooling2D")
    assert error.message == "pool_size (2, 2) is larger than the input (1, 1)"


def test_dilated_kernel_larger_than_input_says_what_it_covers() -> None:
    error = shape_error((4, 4, 1), "Conv2D", filters=2, kernel_size=3, dilation_rate=2)
    assert (
        error.message
        == "kernel_size (3, 3) with dilation_rate (2, 2) covers (5, 5), more than the input (4, 4)"
    )


def test_conv2d_on_a_flat_input_explains_the_expected_layout() -> None:
    error = shape_error((784,), "Conv2D", filters=4, kernel_size=3)
    assert error.message == "Conv2D expects an input of shape (height, width, channels) but gets shape (784,)"
    assert error.hint is not None and "(28, 28, 1)" in error.hint


def test_conv2d_on_a_channelless_image_suggests_adding_the_channel() -> None:
    error = shape_error((28, 28), "Conv2D", filters=4, kernel_size=3)
    assert error.hint == "add a channels dimension, e.g. input: (28, 28, 1)"


def test_one_dimensional_layers_refuse_images() -> None:
    for name, values in (
        ("Conv1D", {"filters": 4, "kernel_size": 3}),
        ("MaxPooling1D", {}),
        ("GlobalAveragePooling1D", {}),
    ):
        error = shape_error((28, 28, 1), name, **values)
        assert (
            error.message == f"{name} expects an input of shape (steps, channels) but gets shape (28, 28, 1)"
        )
        assert error.hint is not None and "Conv2D" in error.hint


def test_global_pooling_2d_needs_an_image() -> None:
    assert shape_error((30, 16), "GlobalAveragePooling2D").message.startswith(
        "GlobalAveragePooling2D expects"
    )


def test_recurrent_layers_need_timesteps_and_features() -> None:
    for name in ("LSTM", "GRU"):
        error = shape_error((100,), name, units=8)
        assert (
            error.message == f"{name} expects an input of shape (timesteps, features) but gets shape (100,)"
        )
        assert error.hint is not None and "Embedding" in error.hint
        assert "Conv2D" in (shape_error((8, 8, 1), name, units=8).hint or "")


def test_embedding_needs_a_sequence_of_ids() -> None:
    error = shape_error((20, 3), "Embedding", input_dim=10, output_dim=4)
    assert error.message.startswith("Embedding expects an input of shape (sequence_length,)")


# -------------------------------------------------------- the window arithmetic


@given(
    length=st.integers(1, 40),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 3),
)
def test_window_length_matches_the_keras_formulas(
    length: int, kernel: int, stride: int, dilation: int
) -> None:
    assert window_length(length, kernel, stride, "same", dilation) == math.ceil(length / stride)
    valid = window_length(length, kernel, stride, "valid", dilation)
    if dilation * (kernel - 1) + 1 > length:
        assert valid is None
    else:
        assert valid == (length - dilation * (kernel - 1) - 1) // stride + 1


# ------------------------------------------------- cross-check against PyTorch


@settings(max_examples=30, deadline=None)
@given(
    height=st.integers(1, 12),
    width=st.integers(1, 12),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
)
def test_conv2d_valid_shape_and_count_match_torch(
    height: int, width: int, kernel: tuple[int, int], stride: int, dilation: int
) -> None:
    torch = pytest.importorskip("torch")
    if stride > 1 and dilation > 1:
        dilation = 1
    values = {"filters": 3, "kernel_size": kernel, "strides": stride, "dilation_rate": dilation}
    spec = get_layer("Conv2D")
    params = spec.normalize(values)
    conv = torch.nn.Conv2d(2, 3, kernel, stride=stride, dilation=dilation)
    try:
        expected = tuple(conv(torch.zeros(1, 2, height, width)).shape[2:])
    except RuntimeError:  # torch: "kernel size can't be greater than actual input size"
        with pytest.raises(ShapeError):
            spec.output_shape((height, width, 2), params)
        return
    assert spec.output_shape((height, width, 2), params) == (*expected, 3)
    assert spec.param_count((height, width, 2), params) == sum(p.numel() for p in conv.parameters())


@settings(max_examples=30, deadline=None)
@given(length=st.integers(1, 12), pool=st.integers(1, 4), stride=st.integers(1, 3))
def test_pooling_valid_shape_matches_torch(length: int, pool: int, stride: int) -> None:
    torch = pytest.importorskip("torch")
    spec = get_layer("MaxPooling2D")
    params = spec.normalize({"pool_size": pool, "strides": stride})
    if pool > length:
        with pytest.raises(ShapeError):
            spec.output_shape((length, length, 1), params)
        return
    expected = tuple(torch.nn.MaxPool2d(pool, stride)(torch.zeros(1, 1, length, length)).shape[2:])
    assert spec.output_shape((length, length, 1), params) == (*expected, 1)


def test_weight_counts_match_torch_modules() -> None:
    torch = pytest.importorskip("torch")

    def count(module: Any, buffers: bool = False) -> int:
        total = sum(p.numel() for p in module.parameters())
        if buffers:  # Keras counts BatchNormalization's moving statistics
            total += module.running_mean.numel() + module.running_var.numel()
        return total

    cases = [
        ("Dense", {"units": 7}, (5,), torch.nn.Linear(5, 7)),
        ("Conv1D", {"filters": 4, "kernel_size": 3}, (10, 2), torch.nn.Conv1d(2, 4, 3)),
        ("Embedding", {"input_dim": 50, "output_dim": 6}, (9,), torch.nn.Embedding(50, 6)),
        ("LayerNormalization", {}, (9, 6), torch.nn.LayerNorm(6)),
        ("GRU", {"units": 16}, (4, 32), torch.nn.GRU(32, 16)),
    ]
    for name, values, shape, module in cases:
        assert get_layer(name).param_count(shape, values) == count(module), name
    assert get_layer("BatchNormalization").param_count((4, 4, 8), {}) == count(
        torch.nn.BatchNorm2d(8), buffers=True
    )
    # torch's LSTM has two bias vectors per gate where Keras has one.
    lstm = torch.nn.LSTM(16, 32)
    assert get_layer("LSTM").param_count((10, 16), {"units": 32}) == count(lstm) - 4 * 32


def test_every_layer_has_a_shape_rule_for_its_natural_input() -> None:
    natural = {1: (20,), 2: (12, 4), 3: (8, 8, 3)}
    required = {"units": 4, "filters": 2, "kernel_size": 2, "rate": 0.1, "activation": "relu", "input_dim": 30,
                "output_dim": 5}  # fmt: skip
    inferred = 0
    for name in layer_names():
        spec = get_layer(name)
        params = spec.normalize({p.name: required[p.name] for p in spec.params if p.required})
        for shape in natural.values():
            try:
                out = spec.output_shape(shape, params)
            except ShapeError:
                continue
            assert all(isinstance(d, int) and d > 0 for d in out), name
            assert spec.param_count(shape, params) >= 0
            inferred += 1
    assert inferred >= len(layer_names())
