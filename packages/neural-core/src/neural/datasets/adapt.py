"""Fitting loaded data to the model's declared input shape.

Called by :func:`neural.datasets.prepare.prepare_data` after a dataset is
loaded. Shapes exclude the sample axis and are channels-last. What can be
bridged, and the note each step leaves:

- a channel axis of size 1 added or dropped: ``added a channel axis``;
- an image resized to the declared height and width (area averaging when
  shrinking, bilinear when enlarging): ``resized 8×8 → 28×28``;
- an image flattened into a rank-1 input of the same size, or first resized to
  the declared number of pixels when that is a square:
  ``flattened (28, 28, 1) → (784,)``;
- flat rows reshaped into the declared image when the sizes agree, or when the
  rows hold a square image that can then be resized: ``reshaped (784,) → (28, 28, 1)``.

Anything else (10 features into ``(28, 28, 1)``, 3 channels into 1) is a
:class:`~neural.errors.NeuralError` naming both shapes and what to change.
"""

from __future__ import annotations

import math

import numpy as np

from neural.errors import NeuralError

Shape = tuple[int, ...]


def fit_to_input_shape(
    x: np.ndarray, declared: Shape, *, source: str = "the data"
) -> tuple[np.ndarray, list[str]]:
    """Return ``x`` (``(N, ...)``) reshaped/resized to ``(N, *declared)`` and the notes saying what was done.

    ``source`` names the data in error messages (``"the digits data"``).
    Raises NeuralError when the shapes cannot be bridged.
    """
    declared = tuple(int(size) for size in declared)
    data_shape = tuple(x.shape[1:])
    notes: list[str] = []
    if data_shape == declared:
        return x, notes
    if len(declared) == 1:
        return _fit_to_flat(x, declared[0], source, notes), notes
    if len(declared) not in (2, 3):
        raise _mismatch(source, data_shape, declared)
    if len(data_shape) == 1:
        x = _unflatten(x, declared, source, notes)
    if len(x.shape) not in (3, 4):
        raise _mismatch(source, data_shape, declared)
    x = _match_channels(x, declared, source, data_shape, notes)
    if tuple(x.shape[1:3]) != declared[:2]:
        before = x.shape[1:3]
        x = resize_images(x, (declared[0], declared[1]))
        notes.append(f"resized {before[0]}×{before[1]} → {declared[0]}×{declared[1]}")
    return x, notes


def resize_images(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resample images ``(N, H, W)`` or ``(N, H, W, C)`` to ``size`` = ``(H', W')``.

    Each axis is resampled on its own with a weight matrix whose rows sum to 1
    (area averaging when shrinking, bilinear with half-pixel centres when
    enlarging), so values stay within the input's range. Returns float32.
    """
    rows = _resampling_weights(x.shape[1], size[0])
    cols = _resampling_weights(x.shape[2], size[1])
    images = x.astype(np.float32, copy=False)
    if images.ndim == 3:
        return np.einsum("oh,nhw,pw->nop", rows, images, cols, optimize=True).astype(np.float32)
    resized_rows = np.einsum("oh,nhwc->nowc", rows, images, optimize=True)
    return np.einsum("pw,nowc->nopc", cols, resized_rows, optimize=True).astype(np.float32)


def _resampling_weights(size_in: int, size_out: int) -> np.ndarray:
    """The ``(size_out, size_in)`` matrix that resamples one axis."""
    if size_out < size_in:
        return _area_weights(size_in, size_out)
    return _bilinear_weights(size_in, size_out)


def _area_weights(size_in: int, size_out: int) -> np.ndarray:
    """Each output cell averages the input cells it covers, weighted by overlap."""
    scale = size_in / size_out
    starts = np.arange(size_out)[:, None] * scale
    ends = starts + scale
    cells = np.arange(size_in)[None, :]
    overlap = np.clip(np.minimum(ends, cells + 1) - np.maximum(starts, cells), 0.0, None)
    return (overlap / scale).astype(np.float32)


def _bilinear_weights(size_in: int, size_out: int) -> np.ndarray:
    """Linear interpolation between the two nearest input centres (edges clamped)."""
    centres = (np.arange(size_out) + 0.5) * (size_in / size_out) - 0.5
    centres = np.clip(centres, 0, size_in - 1)
    left = np.floor(centres).astype(int)
    right = np.minimum(left + 1, size_in - 1)
    fraction = centres - left
    weights = np.zeros((size_out, size_in), dtype=np.float32)
    outputs = np.arange(size_out)
    np.add.at(weights, (outputs, left), 1.0 - fraction)
    np.add.at(weights, (outputs, right), fraction)
    return weights


def _fit_to_flat(x: np.ndarray, features: int, source: str, notes: list[str]) -> np.ndarray:
    """Flatten ``x`` into ``(N, features)``, resizing a square image first when needed."""
    data_shape = tuple(x.shape[1:])
    if math.prod(data_shape) != features and len(data_shape) in (2, 3):
        channels = data_shape[2] if len(data_shape) == 3 else 1
        side = _square_side(features // channels) if features % channels == 0 else None
        if side is None:
            raise _mismatch(source, data_shape, (features,))
        x = resize_images(x, (side, side))
        notes.append(f"resized {data_shape[0]}×{data_shape[1]} → {side}×{side}")
    if math.prod(x.shape[1:]) != features:
        raise _mismatch(source, data_shape, (features,))
    notes.append(f"flattened {tuple(x.shape[1:])} → ({features},)")
    return x.reshape(len(x), features)


def _unflatten(x: np.ndarray, declared: Shape, source: str, notes: list[str]) -> np.ndarray:
    """Reshape flat rows into the declared image, or into a square image of the declared channels."""
    features = x.shape[1]
    if features == math.prod(declared):
        notes.append(f"reshaped ({features},) → {declared}")
        return x.reshape(len(x), *declared)
    channels = declared[2] if len(declared) == 3 else 1
    side = _square_side(features // channels) if features % channels == 0 else None
    if side is None:
        raise _mismatch(source, (features,), declared)
    square = (side, side, channels) if len(declared) == 3 else (side, side)
    notes.append(f"reshaped ({features},) → {square}")
    return x.reshape(len(x), *square)


def _match_channels(
    x: np.ndarray, declared: Shape, source: str, data_shape: Shape, notes: list[str]
) -> np.ndarray:
    """Add or drop a size-1 channel axis so ``x`` has the declared rank; other channel changes fail."""
    has_channels = x.ndim == 4
    wants_channels = len(declared) == 3
    if has_channels and wants_channels:
        if x.shape[3] != declared[2]:
            raise NeuralError(
                f"{source} has {x.shape[3]} channel(s) per pixel ({data_shape}) but the model's input "
                f"{declared} takes {declared[2]}: change the input to "
                f"({declared[0]}, {declared[1]}, {x.shape[3]}) or convert the data"
            )
        return x
    if wants_channels:
        if declared[2] != 1:
            raise _mismatch(source, data_shape, declared)
        notes.append("added a channel axis")
        return x[..., np.newaxis]
    if has_channels:
        if x.shape[3] != 1:
            raise _mismatch(source, data_shape, declared)
        notes.append("dropped the channel axis")
        return x[..., 0]
    return x


def _square_side(pixels: int) -> int | None:
    """The side of a square with ``pixels`` pixels, or None when it is not a square (or is 1×1)."""
    side = math.isqrt(pixels)
    return side if side > 1 and side * side == pixels else None


def _mismatch(source: str, data_shape: Shape, declared: Shape) -> NeuralError:
    return NeuralError(
        f"{source} has samples of shape {data_shape}, which cannot be fitted to the model's input "
        f"{declared}: change the input to {data_shape} or use data whose samples fit {declared}"
    )
