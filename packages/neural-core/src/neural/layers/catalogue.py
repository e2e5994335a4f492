"""The built-in layers (docs/internals.md, "The layer catalogue").

Imported once by :mod:`neural.layers.registry` on the first lookup. Each layer
is one :func:`register_layer` call: its parameters (built from the shared
definitions below), its positional order, its shape rule and its weight count.
Shapes exclude the batch and are channels-last; weight counts follow Keras'
``model.count_params()`` (trainable + non-trainable).

Adding a layer: write its shape rule (and count rule if it has weights), then
register a :class:`LayerSpec` at the bottom of this file; both backends must
then implement it under the same name and parameters.
"""

from __future__ import annotations

import math
from typing import Any

from neural.layers.registry import CountRule, LayerSpec, ShapeRule, no_weights, register_layer, same_shape
from neural.layers.schema import REQUIRED, ParamError, ParamSpec, ShapeError
from neural.layers.shapes import format_shape, require_rank, window_output
from neural.model import Shape

Params = dict[str, Any]

# ------------------------------------------------------------ shared parameters


def _positive_int(name: str, doc: str, default: Any = REQUIRED) -> ParamSpec:
    return ParamSpec(name, "int", default, minimum=1, doc=doc)


def _window(name: str, rank: int, default: Any, doc: str, default_from: str | None = None) -> ParamSpec:
    kind = "optional_int_tuple" if default is None else "int_tuple"
    return ParamSpec(name, kind, default, minimum=1, rank=rank, doc=doc, default_from=default_from)


UNITS = _positive_int("units", "number of output units")
ACTIVATION = ParamSpec(
    "activation", "activation", None, doc="activation applied to the output; none for linear"
)
USE_BIAS = ParamSpec("use_bias", "bool", True, doc="whether the layer adds a bias vector")
PADDING = ParamSpec(
    "padding", "str", "valid", choices=("valid", "same"), doc='"valid" (no padding) or "same"'
)
RETURN_SEQUENCES = ParamSpec(
    "return_sequences",
    "bool",
    False,
    doc="return the whole sequence (timesteps, units) instead of the last step",
)
EPSILON = ParamSpec("epsilon", "float", 0.001, minimum=0, exclusive_minimum=True, doc="added to the variance")


# ----------------------------------------------------------------- rank hints


def _image_hint(layer: str, shape: Shape) -> str:
    if len(shape) == 2:
        return f"add a channels dimension, e.g. input: {format_shape((*shape, 1))}"
    if len(shape) == 1:
        return f"{layer} needs an image input such as (28, 28, 1); use Dense for flat data"
    return f"{layer} works on (height, width, channels) tensors"


def _sequence_hint(layer: str, shape: Shape) -> str:
    if len(shape) == 1:
        return f"add a channels dimension, e.g. input: {format_shape((*shape, 1))}"
    if len(shape) == 3:
        return "this is an image: use the 2-D layers (Conv2D, MaxPooling2D, GlobalAveragePooling2D)"
    return f"{layer} works on (steps, channels) tensors"


def _recurrent_hint(layer: str, shape: Shape) -> str:
    if len(shape) == 1:
        return (
            "for token ids put Embedding(input_dim, output_dim) before it; else declare (timesteps, features)"
        )
    if len(shape) == 3:
        return f"{layer} reads sequences (timesteps, features); for images use Conv2D layers"
    return f"{layer} works on (timesteps, features) tensors"


_IMAGE = "(height, width, channels)"
_SEQUENCE = "(steps, channels)"


def _require_spatial(layer: str, shape: Shape, rank: int) -> None:
    """Check the input of a 1-D or 2-D sliding-window / global-pooling layer."""
    if rank == 2:
        require_rank(layer, shape, 3, _IMAGE, _image_hint(layer, shape))
    else:
        require_rank(layer, shape, 2, _SEQUENCE, _sequence_hint(layer, shape))


# ------------------------------------------------------------ dense / output


def _dense_shape(layer: str) -> ShapeRule:
    def rule(shape: Shape, params: Params) -> Shape:
        # Keras applies Dense to the last axis of any input; on an image that
        # is almost always a forgotten Flatten. Sequences (rank 2) are fine.
        if len(shape) >= 3:
            raise ShapeError(
                f"{layer} expects a flat input but gets shape {format_shape(shape)}",
                hint="add Flatten() before it",
            )
        return (*shape[:-1], params["units"])

    return rule


def _dense_count(shape: Shape, params: Params) -> int:
    units: int = params["units"]
    return shape[-1] * units + (units if params["use_bias"] else 0)


# ------------------------------------------------------------- convolutions


def _conv_shape(layer: str, rank: int) -> ShapeRule:
    def rule(shape: Shape, params: Params) -> Shape:
        _require_spatial(layer, shape, rank)
        spatial = window_output(
            shape[:-1], params["kernel_size"], params["strides"], params["padding"], params["dilation_rate"]
        )
        return (*spatial, params["filters"])

    return rule


def _conv_count(shape: Shape, params: Params) -> int:
    filters: int = params["filters"]
    weights = math.prod(params["kernel_size"]) * shape[-1] * filters
    return weights + (filters if params["use_bias"] else 0)


def _check_conv(params: Params) -> None:
    # Keras refuses this combination, and both backends must build every model.
    if max(params["strides"]) > 1 and max(params["dilation_rate"]) > 1:
        raise ParamError(
            "strides greater than 1 cannot be combined with dilation_rate greater than 1",
            param="dilation_rate",
            hint="use strides=1 with a dilated kernel, or dilation_rate=1",
        )


def conv_layer(name: str, rank: int, doc: str) -> LayerSpec:
    """A ``Conv1D`` / ``Conv2D`` spec: an int kernel_size becomes a ``rank``-tuple."""
    ones = (1,) * rank
    return LayerSpec(
        name=name,
        params=(
            _positive_int("filters", "number of output channels"),
            _window("kernel_size", rank, REQUIRED, "window size; an int k means (k,) * rank"),
            _window("strides", rank, ones, "step of the window"),
            PADDING,
            ACTIVATION,
            USE_BIAS,
            _window("dilation_rate", rank, ones, "spacing of the kernel taps"),
        ),
        positional=("filters", "kernel_size", "activation"),
        doc=doc,
        check=_check_conv,
        shape_rule=_conv_shape(name, rank),
        count_rule=_conv_count,
    )


# ------------------------------------------------------------------ pooling


def _pool_shape(layer: str, rank: int) -> ShapeRule:
    def rule(shape: Shape, params: Params) -> Shape:
        _require_spatial(layer, shape, rank)
        spatial = window_output(
            shape[:-1], params["pool_size"], params["strides"], params["padding"], kernel_param="pool_size"
        )
        return (*spatial, shape[-1])

    return rule


def pool_layer(name: str, rank: int, doc: str) -> LayerSpec:
    """A pooling spec: ``strides`` of None means ``pool_size`` after normalization."""
    pool_size = _window("pool_size", rank, (2,) * rank, "window size; an int k means (k,) * rank")
    strides = _window(
        "strides", rank, None, "step of the window; none means pool_size", default_from="pool_size"
    )
    return LayerSpec(
        name=name,
        params=(pool_size, strides, PADDING),
        positional=("pool_size", "strides", "padding"),
        doc=doc,
        shape_rule=_pool_shape(name, rank),
    )


def _global_pool_shape(layer: str, rank: int) -> ShapeRule:
    def rule(shape: Shape, params: Params) -> Shape:
        _require_spatial(layer, shape, rank)
        return (shape[-1],)

    return rule


def global_pool_layer(name: str, rank: int, doc: str) -> LayerSpec:
    """A global pooling spec: averages every spatial position, keeps the channels."""
    return LayerSpec(name=name, params=(), doc=doc, shape_rule=_global_pool_shape(name, rank))


# ----------------------------------------------------------- normalization


def _last_axis_count(per_channel: int) -> CountRule:
    def count(shape: Shape, params: Params) -> int:
        return per_channel * shape[-1]

    return count


# ------------------------------------------------------------ sequences


def _embedding_shape(shape: Shape, params: Params) -> Shape:
    require_rank(
        "Embedding",
        shape,
        1,
        "(sequence_length,) of token ids",
        "put Embedding first, on an input such as input: (20,)",
    )
    return (*shape, params["output_dim"])


def _embedding_count(shape: Shape, params: Params) -> int:
    return int(params["input_dim"] * params["output_dim"])


def _recurrent_shape(layer: str) -> ShapeRule:
    def rule(shape: Shape, params: Params) -> Shape:
        require_rank(layer, shape, 2, "(timesteps, features)", _recurrent_hint(layer, shape))
        units: int = params["units"]
        return (shape[0], units) if params["return_sequences"] else (units,)

    return rule


def _recurrent_count(gates: int, biases_per_gate: int) -> CountRule:
    def count(shape: Shape, params: Params) -> int:
        units: int = params["units"]
        return gates * (units * (shape[-1] + units) + biases_per_gate * units)

    return count


def recurrent_layer(name: str, count_rule: CountRule, doc: str) -> LayerSpec:
    """An ``LSTM`` / ``GRU`` spec over (timesteps, features) inputs."""
    return LayerSpec(
        name=name,
        params=(UNITS, RETURN_SEQUENCES),
        positional=("units",),
        doc=doc,
        shape_rule=_recurrent_shape(name),
        count_rule=count_rule,
    )


def _flatten_shape(shape: Shape, params: Params) -> Shape:
    return (math.prod(shape),)


# --------------------------------------------------------------- the catalogue

for _name, _doc in (
    ("Dense", "A fully connected layer on the last axis."),
    ("Output", "A Dense layer meant as the last layer of the network."),
):
    register_layer(
        LayerSpec(
            name=_name,
            params=(UNITS, ACTIVATION, USE_BIAS),
            positional=("units", "activation"),
            doc=_doc,
            shape_rule=_dense_shape(_name),
            count_rule=_dense_count,
        )
    )

register_layer(conv_layer("Conv1D", 1, "A 1-D convolution over (steps, channels)."))
register_layer(conv_layer("Conv2D", 2, "A 2-D convolution over (height, width, channels)."))
register_layer(pool_layer("MaxPooling1D", 1, "Max over windows of a (steps, channels) tensor."))
register_layer(pool_layer("MaxPooling2D", 2, "Max over windows of a (height, width, channels) tensor."))
register_layer(pool_layer("AveragePooling2D", 2, "Mean over windows of a (height, width, channels) tensor."))
register_layer(global_pool_layer("GlobalAveragePooling1D", 1, "Mean over all steps: (steps, C) → (C,)."))
register_layer(
    global_pool_layer("GlobalAveragePooling2D", 2, "Mean over height and width: (H, W, C) → (C,).")
)
register_layer(LayerSpec(name="Flatten", params=(), doc="Flattens to one axis.", shape_rule=_flatten_shape))
register_layer(
    LayerSpec(
        name="Dropout",
        params=(
            ParamSpec(
                "rate",
                "float",
                minimum=0,
                maximum=1,
                exclusive_maximum=True,
                doc="fraction of inputs set to 0",
            ),
        ),
        positional=("rate",),
        doc="Randomly zeroes inputs during training.",
        shape_rule=same_shape,
        count_rule=no_weights,
    )
)
register_layer(
    LayerSpec(
        name="BatchNormalization",
        params=(
            ParamSpec(
                "momentum", "float", 0.99, minimum=0, maximum=1, doc="Keras meaning: weight of the old mean"
            ),
            EPSILON,
        ),
        doc="Normalizes each channel (last axis) with batch statistics.",
        count_rule=_last_axis_count(4),  # gamma, beta, moving mean, moving variance
    )
)
register_layer(
    LayerSpec(
        name="LayerNormalization",
        params=(EPSILON,),
        doc="Normalizes over the last axis of each sample.",
        count_rule=_last_axis_count(2),  # gamma, beta
    )
)
register_layer(
    LayerSpec(
        name="Activation",
        params=(ParamSpec("activation", "activation", doc="the activation's name"),),
        positional=("activation",),
        doc="Applies an activation function.",
    )
)
register_layer(
    LayerSpec(
        name="Embedding",
        params=(
            _positive_int("input_dim", "vocabulary size: token ids are 0 .. input_dim - 1"),
            _positive_int("output_dim", "size of each embedding vector"),
        ),
        positional=("input_dim", "output_dim"),
        doc="Maps token ids (sequence_length,) to vectors (sequence_length, output_dim).",
        shape_rule=_embedding_shape,
        count_rule=_embedding_count,
    )
)
register_layer(recurrent_layer("LSTM", _recurrent_count(4, 1), "A long short-term memory layer."))
# Keras' GRU default (reset_after=True) has two bias vectors per gate.
register_layer(recurrent_layer("GRU", _recurrent_count(3, 2), "A gated recurrent unit layer (reset_after)."))
