"""PyTorch source for each layer of the catalogue.

:func:`layer_code` turns one :class:`~neural.model.LayerConfig` into the
constructor assigned to ``self.<name>`` in ``__init__`` and the statements of
``forward``. Tensors inside the generated ``forward`` are channels-first
while convolutions and pooling work on them and channels-last everywhere else,
as the DSL declares them; each layer says which layout it needs and the
generator (:mod:`neural_backend_torch.codegen`) inserts the one permute
where the layout changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from neural.model import LayerConfig
from neural_backend_torch.literals import CodegenError, literal, lookup

CHANNELS_LAST = "channels_last"
CHANNELS_FIRST = "channels_first"
ANY_LAYOUT = "any"

#: Activations as functions of a tensor expression; ``{dim}`` is the channel axis.
ACTIVATION_CALLS: dict[str, str] = {
    "relu": "F.relu({x})",
    "sigmoid": "torch.sigmoid({x})",
    "tanh": "torch.tanh({x})",
    "softmax": "F.softmax({x}, dim={dim})",
    "log_softmax": "F.log_softmax({x}, dim={dim})",
    "elu": "F.elu({x})",
    "selu": "F.selu({x})",
    "gelu": "F.gelu({x})",
    # Keras' leaky_relu slope is 0.2 (PyTorch's default is 0.01).
    "leaky_relu": "F.leaky_relu({x}, negative_slope=0.2)",
    "swish": "F.silu({x})",
    "softplus": "F.softplus({x})",
    "linear": "{x}",
}

#: The same activations as modules, for the ``Activation`` layer.
ACTIVATION_MODULES: dict[str, str] = {
    "relu": "nn.ReLU()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "softmax": "nn.Softmax(dim={dim})",
    "log_softmax": "nn.LogSoftmax(dim={dim})",
    "elu": "nn.ELU()",
    "selu": "nn.SELU()",
    "gelu": "nn.GELU()",
    "leaky_relu": "nn.LeakyReLU(negative_slope=0.2)",
    "swish": "nn.SiLU()",
    "softplus": "nn.Softplus()",
    "linear": "nn.Identity()",
}

PADDINGS = ("valid", "same")

#: Helper definitions a layer may need in the generated module (see ``templates``).
SINGLE_BIAS_LSTM = "single_bias_lstm"
AVERAGE_POOLING_SAME = "average_pooling_same"


@dataclass(frozen=True)
class LayerCode:
    """Generated source for one layer.

    ``constructor`` is assigned to ``self.<name>``; each line of ``forward``
    is a statement that reads and rebinds ``x``. ``layout`` is the layout the
    layer needs its input in (``any`` when it does not care); ``helpers``
    names the helper definitions it uses.
    """

    constructor: str
    forward: tuple[str, ...]
    layout: str = ANY_LAYOUT
    helpers: tuple[str, ...] = ()


def activation_call(name: str | None, tensor: str, channel_dim: int) -> str:
    """Return ``tensor`` wrapped in the activation ``name`` (None: unchanged)."""
    if name is None:
        return tensor
    return str(lookup(ACTIVATION_CALLS, name, "activation")).format(x=tensor, dim=channel_dim)


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's "same" padding of one axis: (before, after); the odd cell goes after.

    Needed because PyTorch only pads symmetrically, while TensorFlow pads so the
    output has ``ceil(size / stride)`` cells.
    """
    effective_kernel = (kernel - 1) * dilation + 1
    output = -(-size // stride)
    total = max((output - 1) * stride + effective_kernel - size, 0)
    return total // 2, total - total // 2


def layer_code(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    """Return the source of ``layer``.

    ``activation`` is the activation to apply (the layer's own, or the one the
    output head replaces it with); ``channels_first`` says which layout the
    tensor is in when the layer's layout is ``any`` (it fixes softmax's axis).
    """
    build = lookup(_BUILDERS, layer.kind, "layer kind")
    return build(layer, activation, channels_first)


def _self(layer: LayerConfig) -> str:
    return f"self.{layer.name}"


def _channel_dim(layer: LayerConfig, channels_first: bool) -> int:
    return 1 if channels_first and len(layer.output_shape) > 1 else -1


def _padding_mode(layer: LayerConfig) -> str:
    mode = layer.params.get("padding", "valid")
    if mode not in PADDINGS:
        raise CodegenError(f"the PyTorch backend has no padding mode {mode!r}")
    return str(mode)


def _spatial_padding(
    layer: LayerConfig, kernel: tuple[int, ...], strides: tuple[int, ...], dilation: tuple[int, ...]
) -> list[tuple[int, int]]:
    """(before, after) per spatial axis; zeros for "valid"."""
    if _padding_mode(layer) == "valid":
        return [(0, 0)] * len(kernel)
    sizes = layer.input_shape[:-1]
    return [same_padding(n, k, s, d) for n, k, s, d in zip(sizes, kernel, strides, dilation, strict=True)]


def _pad_argument(padding: list[tuple[int, int]]) -> str:
    """F.pad's argument: the last axis first, (before, after) each."""
    return literal(tuple(amount for pair in reversed(padding) for amount in pair))


def _is_symmetric(padding: list[tuple[int, int]]) -> bool:
    return all(before == after for before, after in padding)


def _size(values: tuple[int, ...]) -> str:
    """A kernel/stride/padding argument: a plain int for one axis (``5``), a tuple for more (``(3, 3)``)."""
    return literal(values[0]) if len(values) == 1 else literal(values)


def _ints(value: object, rank: int) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * rank
    if isinstance(value, (tuple, list)) and len(value) == rank and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise CodegenError(f"expected {rank} integers, got {value!r}")


def _dense(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    args = [literal(layer.input_shape[-1]), literal(layer.params["units"])]
    if not layer.params.get("use_bias", True):
        args.append("bias=False")
    call = activation_call(activation, f"{_self(layer)}(x)", -1)
    layout = CHANNELS_LAST if len(layer.input_shape) > 1 else ANY_LAYOUT
    return LayerCode(f"nn.Linear({', '.join(args)})", (f"x = {call}",), layout)


def _conv(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    rank = len(layer.input_shape) - 1
    params = layer.params
    kernel = _ints(params["kernel_size"], rank)
    strides = _ints(params.get("strides", 1), rank)
    dilation = _ints(params.get("dilation_rate", 1), rank)
    padding = _spatial_padding(layer, kernel, strides, dilation)
    args = [literal(layer.input_shape[-1]), literal(params["filters"]), f"kernel_size={_size(kernel)}"]
    if strides != (1,) * rank:
        args.append(f"stride={_size(strides)}")
    inner = "x"
    if _is_symmetric(padding):
        if any(before for before, _ in padding):
            args.append(f"padding={_size(tuple(before for before, _ in padding))}")
    else:
        inner = f"F.pad(x, {_pad_argument(padding)})"
    if dilation != (1,) * rank:
        args.append(f"dilation={_size(dilation)}")
    if not params.get("use_bias", True):
        args.append("bias=False")
    call = activation_call(activation, f"{_self(layer)}({inner})", 1)
    return LayerCode(f"nn.Conv{rank}d({', '.join(args)})", (f"x = {call}",), CHANNELS_FIRST)


def _pool_geometry(
    layer: LayerConfig,
) -> tuple[int, tuple[int, ...], tuple[int, ...], list[tuple[int, int]], list[str]]:
    rank = len(layer.input_shape) - 1
    kernel = _ints(layer.params["pool_size"], rank)
    strides = _ints(layer.params.get("strides") or kernel, rank)
    padding = _spatial_padding(layer, kernel, strides, (1,) * rank)
    args = [f"kernel_size={_size(kernel)}"]
    if strides != kernel:
        args.append(f"stride={_size(strides)}")
    return rank, kernel, strides, padding, args


def _max_pool(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    rank, _, _, padding, args = _pool_geometry(layer)
    inner = "x"
    if _is_symmetric(padding):
        if any(before for before, _ in padding):
            args.append(f"padding={_size(tuple(before for before, _ in padding))}")
    else:
        # Padded cells must never win the max, as in TensorFlow.
        inner = f'F.pad(x, {_pad_argument(padding)}, value=float("-inf"))'
    return LayerCode(
        f"nn.MaxPool{rank}d({', '.join(args)})", (f"x = {_self(layer)}({inner})",), CHANNELS_FIRST
    )


def _average_pool(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    rank, kernel, strides, padding, args = _pool_geometry(layer)
    forward = (f"x = {_self(layer)}(x)",)
    if _is_symmetric(padding):
        if any(before for before, _ in padding):
            # TensorFlow leaves padded cells out of each average.
            args.extend(
                [f"padding={_size(tuple(before for before, _ in padding))}", "count_include_pad=False"]
            )
        return LayerCode(f"nn.AvgPool{rank}d({', '.join(args)})", forward, CHANNELS_FIRST)
    if rank != 2:
        raise CodegenError(
            f"asymmetric 'same' average pooling is implemented for 2-D inputs only, not {layer.kind}"
        )
    constructor = (
        f"AveragePoolingSame(kernel_size={literal(kernel)}, stride={literal(strides)}, "
        f"padding={_pad_argument(padding)}, input_size={literal(tuple(layer.input_shape[:-1]))})"
    )
    return LayerCode(constructor, forward, CHANNELS_FIRST, (AVERAGE_POOLING_SAME,))


def _global_average_pool(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    rank = len(layer.input_shape) - 1
    return LayerCode(f"nn.AdaptiveAvgPool{rank}d(1)", (f"x = {_self(layer)}(x).flatten(1)",), CHANNELS_FIRST)


def _flatten(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    # Channels-last, so the features come out in Keras' order.
    return LayerCode("nn.Flatten()", (f"x = {_self(layer)}(x)",), CHANNELS_LAST)


def _dropout(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    return LayerCode(f"nn.Dropout(p={literal(float(layer.params['rate']))})", (f"x = {_self(layer)}(x)",))


def _batch_norm(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    rank = len(layer.input_shape)
    if rank > 3:
        raise CodegenError(f"BatchNormalization on a rank-{rank} input has no PyTorch implementation here")
    # Keras' moving average keeps `momentum` of the old value; PyTorch's `momentum` is the new value's weight.
    momentum = 1.0 - float(layer.params.get("momentum", 0.99))
    args = [
        literal(layer.input_shape[-1]),
        f"eps={literal(float(layer.params.get('epsilon', 0.001)))}",
        f"momentum={literal(round(momentum, 12))}",
    ]
    kind = "BatchNorm2d" if rank == 3 else "BatchNorm1d"
    layout = CHANNELS_FIRST if rank > 1 else ANY_LAYOUT
    return LayerCode(f"nn.{kind}({', '.join(args)})", (f"x = {_self(layer)}(x)",), layout)


def _layer_norm(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    args = [literal(layer.input_shape[-1]), f"eps={literal(float(layer.params.get('epsilon', 0.001)))}"]
    layout = CHANNELS_LAST if len(layer.input_shape) > 1 else ANY_LAYOUT
    return LayerCode(f"nn.LayerNorm({', '.join(args)})", (f"x = {_self(layer)}(x)",), layout)


def _activation(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    module = str(lookup(ACTIVATION_MODULES, activation or "linear", "activation"))
    return LayerCode(module.format(dim=_channel_dim(layer, channels_first)), (f"x = {_self(layer)}(x)",))


def _embedding(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    args = [literal(layer.params["input_dim"]), literal(layer.params["output_dim"])]
    # Token ids arrive as floats like every input; the lookup needs integers.
    return LayerCode(f"nn.Embedding({', '.join(args)})", (f"x = {_self(layer)}(x.long())",), CHANNELS_LAST)


def _recurrent(layer: LayerConfig, constructor: str, helpers: tuple[str, ...]) -> LayerCode:
    forward = [f"x, _ = {_self(layer)}(x)"]
    if not layer.params.get("return_sequences", False):
        forward.append("x = x[:, -1]  # the last step, as Keras returns without return_sequences")
    return LayerCode(constructor, tuple(forward), CHANNELS_LAST, helpers)


def _lstm(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    args = f"{literal(layer.input_shape[-1])}, {literal(layer.params['units'])}"
    return _recurrent(layer, f"single_bias_lstm({args})", (SINGLE_BIAS_LSTM,))


def _gru(layer: LayerConfig, activation: str | None, channels_first: bool) -> LayerCode:
    # PyTorch's GRU is Keras' GRU with reset_after=True (its default): same gates, same two biases.
    args = f"{literal(layer.input_shape[-1])}, {literal(layer.params['units'])}, batch_first=True"
    return _recurrent(layer, f"nn.GRU({args})", ())


_BUILDERS: dict[str, Callable[[LayerConfig, str | None, bool], LayerCode]] = {
    "Dense": _dense,
    "Output": _dense,
    "Conv1D": _conv,
    "Conv2D": _conv,
    "MaxPooling1D": _max_pool,
    "MaxPooling2D": _max_pool,
    "AveragePooling2D": _average_pool,
    "GlobalAveragePooling1D": _global_average_pool,
    "GlobalAveragePooling2D": _global_average_pool,
    "Flatten": _flatten,
    "Dropout": _dropout,
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "Activation": _activation,
    "Embedding": _embedding,
    "LSTM": _lstm,
    "GRU": _gru,
}


def supported_layer_kinds() -> tuple[str, ...]:
    """Every layer kind this backend implements (the tests compare it with the registry)."""
    return tuple(sorted(_BUILDERS))


#: Layer kinds whose ``activation`` parameter the generator applies.
ACTIVATED_KINDS = frozenset({"Dense", "Output", "Conv1D", "Conv2D", "Activation"})
