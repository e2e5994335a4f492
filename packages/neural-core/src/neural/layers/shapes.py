"""Shape arithmetic shared by the layer shape rules (channels-last, batch excluded).

Sliding-window layers (convolutions, pooling) follow Keras:
``"same"`` gives ``ceil(n / stride)``; ``"valid"`` gives
``floor((n - dilation * (k - 1) - 1) / stride) + 1`` and is impossible when the
dilated window is longer than the input.
"""

from __future__ import annotations

import math

from neural.layers.schema import ShapeError
from neural.model import Shape


def format_shape(shape: tuple[int, ...]) -> str:
    """``(13, 13, 32)``; a 1-tuple as ``(784,)``."""
    return str(tuple(shape))


def window_length(length: int, kernel: int, stride: int, padding: str, dilation: int = 1) -> int | None:
    """One spatial dimension after a window; None when the window does not fit ("valid")."""
    if padding == "same":
        return math.ceil(length / stride)
    span = dilation * (kernel - 1) + 1
    if span > length:
        return None
    return (length - span) // stride + 1


def window_output(
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    dilation: tuple[int, ...] | None = None,
    kernel_param: str = "kernel_size",
) -> tuple[int, ...]:
    """The spatial dimensions after a conv/pool window, or a :class:`ShapeError`.

    ``kernel_param`` names the window in the message (``pool_size`` for pooling).
    """
    dilation = dilation or (1,) * len(kernel)
    out = [
        window_length(n, k, s, padding, d)
        for n, k, s, d in zip(spatial, kernel, strides, dilation, strict=True)
    ]
    if all(o is not None for o in out):
        return tuple(o for o in out if o is not None)
    if any(d > 1 for d in dilation):
        covered = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
        what = (
            f"{kernel_param} {format_shape(kernel)} with dilation_rate {format_shape(dilation)} "
            f"covers {format_shape(covered)}, more than"
        )
    else:
        what = f"{kernel_param} {format_shape(kernel)} is larger than"
    raise ShapeError(
        f"{what} the input {format_shape(spatial)}",
        hint=f'use padding="same", a smaller {kernel_param}, or fewer downsampling layers before it',
    )


def require_rank(layer: str, shape: Shape, rank: int, layout: str, hint: str) -> None:
    """Raise :class:`ShapeError` unless ``shape`` has ``rank`` dimensions.

    ``layout`` names the expected dimensions (``"(height, width, channels)"``).
    """
    if len(shape) != rank:
        raise ShapeError(
            f"{layer} expects an input of shape {layout} but gets shape {format_shape(shape)}", hint
        )
