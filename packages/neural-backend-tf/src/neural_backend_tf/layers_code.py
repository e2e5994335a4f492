"""Keras 3 source for each layer of the catalogue.

:func:`layer_code` turns one :class:`~neural.model.LayerConfig` into the
``keras.layers`` constructor the generated ``build_model`` applies to ``x``.
The DSL's layers, parameter names and defaults are Keras' own, so every layer
maps onto one built-in Keras layer: no ``Lambda`` (Keras refuses to load those
in safe mode) and no custom class is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from neural.backends.literals import CodegenError, literal
from neural.backends.literals import lookup as _lookup
from neural.model import LayerConfig

#: The DSL's activations by their Keras names (the DSL uses Keras' names and defaults).
ACTIVATIONS: dict[str, str] = {
    name: name
    for name in (
        "relu",
        "sigmoid",
        "tanh",
        "softmax",
        "log_softmax",
        "elu",
        "selu",
        "gelu",
        "leaky_relu",
        "swish",
        "softplus",
        "linear",
    )
}

PADDINGS = ("valid", "same")

#: Layer kinds whose ``activation`` parameter the generator passes on.
ACTIVATED_KINDS = frozenset({"Dense", "Output", "Conv1D", "Conv2D"})


def lookup(table: Mapping[Any, Any], name: object, what: str) -> Any:
    """``table[name]``; an unknown name is an internal error naming this backend."""
    return _lookup(table, name, what, "TensorFlow")


def activation_literal(name: object) -> str:
    """The activation's name as a string literal, checked against :data:`ACTIVATIONS`."""
    return literal(str(lookup(ACTIVATIONS, name, "activation")))


def layer_code(layer: LayerConfig, activation: str | None) -> str:
    """Return the ``keras.layers.X(...)`` constructor of ``layer``.

    ``activation`` is the activation the layer applies (its own, or what the
    output head decides for the last layer); None leaves it linear.
    """
    build = lookup(_BUILDERS, layer.kind, "layer kind")
    args: list[str] = build(layer, activation)
    args.append(f"name={literal(layer.name)}")
    return f"keras.layers.{layer.kind if layer.kind != 'Output' else 'Dense'}({', '.join(args)})"


def _ints(value: object) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    raise CodegenError(f"expected integers, got {value!r}")


def _padding(layer: LayerConfig) -> str:
    mode = layer.params.get("padding", "valid")
    if mode not in PADDINGS:
        raise CodegenError(f"the TensorFlow backend has no padding mode {mode!r}")
    return literal(str(mode))


def _with_activation(args: list[str], activation: str | None) -> list[str]:
    if activation is not None and activation != "linear":
        args.append(f"activation={activation_literal(activation)}")
    return args


def _dense(layer: LayerConfig, activation: str | None) -> list[str]:
    args = [literal(int(layer.params["units"]))]
    _with_activation(args, activation)
    if not layer.params.get("use_bias", True):
        args.append("use_bias=False")
    return args


def _conv(layer: LayerConfig, activation: str | None) -> list[str]:
    params = layer.params
    rank = len(layer.input_shape) - 1
    args = [literal(int(params["filters"])), literal(_ints(params["kernel_size"]))]
    strides = _ints(params.get("strides", (1,) * rank))
    if strides != (1,) * rank:
        args.append(f"strides={literal(strides)}")
    if params.get("padding", "valid") != "valid":
        args.append(f"padding={_padding(layer)}")
    dilation = _ints(params.get("dilation_rate", (1,) * rank))
    if dilation != (1,) * rank:
        args.append(f"dilation_rate={literal(dilation)}")
    _with_activation(args, activation)
    if not params.get("use_bias", True):
        args.append("use_bias=False")
    return args


def _pool(layer: LayerConfig, activation: str | None) -> list[str]:
    pool = _ints(layer.params["pool_size"])
    args = [literal(pool)]
    strides = layer.params.get("strides")
    if strides is not None and _ints(strides) != pool:
        args.append(f"strides={literal(_ints(strides))}")
    if layer.params.get("padding", "valid") != "valid":
        args.append(f"padding={_padding(layer)}")
    return args


def _no_args(layer: LayerConfig, activation: str | None) -> list[str]:
    return []


def _dropout(layer: LayerConfig, activation: str | None) -> list[str]:
    return [literal(float(layer.params["rate"]))]


def _batch_norm(layer: LayerConfig, activation: str | None) -> list[str]:
    return [
        f"momentum={literal(float(layer.params.get('momentum', 0.99)))}",
        f"epsilon={literal(float(layer.params.get('epsilon', 0.001)))}",
    ]


def _layer_norm(layer: LayerConfig, activation: str | None) -> list[str]:
    return [f"epsilon={literal(float(layer.params.get('epsilon', 0.001)))}"]


def _activation(layer: LayerConfig, activation: str | None) -> list[str]:
    return [activation_literal(activation or "linear")]


def _embedding(layer: LayerConfig, activation: str | None) -> list[str]:
    # Token ids arrive as floats like every input; Embedding casts them to integers itself.
    return [literal(int(layer.params["input_dim"])), literal(int(layer.params["output_dim"]))]


def _recurrent(layer: LayerConfig, activation: str | None) -> list[str]:
    args = [literal(int(layer.params["units"]))]
    if layer.params.get("return_sequences", False):
        args.append("return_sequences=True")
    return args


_BUILDERS: dict[str, Callable[[LayerConfig, str | None], list[str]]] = {
    "Dense": _dense,
    "Output": _dense,
    "Conv1D": _conv,
    "Conv2D": _conv,
    "MaxPooling1D": _pool,
    "MaxPooling2D": _pool,
    "AveragePooling2D": _pool,
    "GlobalAveragePooling1D": _no_args,
    "GlobalAveragePooling2D": _no_args,
    "Flatten": _no_args,
    "Dropout": _dropout,
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "Activation": _activation,
    "Embedding": _embedding,
    "LSTM": _recurrent,
    "GRU": _recurrent,
}


def supported_layer_kinds() -> tuple[str, ...]:
    """Every layer kind this backend implements (the tests compare it with the registry)."""
    return tuple(sorted(_BUILDERS))
