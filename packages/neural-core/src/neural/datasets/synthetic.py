"""``synthetic``: random data of the model's declared input shape, for smoke tests.

``synthetic`` gives 512 samples in as many classes as the model has outputs
(10 when that is not known; 2 for a single-output ``binary_crossentropy``);
``synthetic:N`` N samples; ``synthetic:N,C`` N samples in C classes. Inputs are uniform in [0, 1); each
label is the arg-max of a fixed random linear map of its input, so a model can
learn it. The samples are a fixed function of (shape, N, C): every run sees
the same data, and ``prepare_data``'s seed decides the shuffle and split.
For an Embedding first layer, ``prepare_data(..., int_inputs_below=n)`` maps
the inputs to integer ids below n.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path

import numpy as np

from neural.datasets.base import DataBundle, Dataset
from neural.errors import NeuralError

DEFAULT_SAMPLES = 512
DEFAULT_CLASSES = 10


class SyntheticDataset(Dataset):
    """Learnable random data shaped like the model's input."""

    name = "synthetic"
    summary = "random learnable data of the declared input shape: synthetic[:N[,C]]"

    def __init__(self, *, default_classes: int = DEFAULT_CLASSES) -> None:
        self.default_classes = default_classes

    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        """Return ``N`` float32 samples of ``input_shape`` with int64 labels below ``C``."""
        samples, classes = parse_synthetic_argument(argument, default_classes=self.default_classes)
        x, y = synthetic_arrays(tuple(input_shape), samples, classes)
        note = f"generated {samples} random samples of shape {tuple(input_shape)} in {classes} classes"
        return DataBundle(x=x, y=y, num_classes=classes, notes=[note])


def parse_synthetic_argument(
    argument: str | None, *, default_classes: int = DEFAULT_CLASSES
) -> tuple[int, int]:
    """``"N"`` or ``"N,C"`` (or None) → (samples, classes); NeuralError for anything else."""
    if argument is None:
        return DEFAULT_SAMPLES, default_classes
    parts = [part.strip() for part in argument.split(",")]
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (1, 2):
        raise NeuralError(
            f"cannot read synthetic:{argument}: write synthetic:N (samples) or synthetic:N,C (samples, classes), e.g. synthetic:512,10"
        )
    samples = numbers[0]
    classes = numbers[1] if len(numbers) == 2 else default_classes
    if samples < 2 or classes < 1:
        raise NeuralError(
            f"synthetic:{argument} asks for {samples} samples in {classes} classes: use at least 2 samples and 1 class"
        )
    return samples, classes


def synthetic_arrays(
    input_shape: tuple[int, ...], samples: int, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform float32 inputs ``(samples, *input_shape)`` and int64 labels from a fixed linear map."""
    if not input_shape or any(size < 1 for size in input_shape):
        raise NeuralError(
            f"cannot generate synthetic data for the input shape {input_shape}: declare a shape of positive sizes"
        )
    rng = np.random.default_rng(zlib.crc32(repr((input_shape, samples, classes)).encode()))
    x = rng.random((samples, *input_shape), dtype=np.float32)
    features = math.prod(input_shape)
    projection = rng.standard_normal((features, classes)).astype(np.float32)
    scores = (x.reshape(samples, features) - 0.5) @ projection
    return x, np.argmax(scores, axis=1).astype(np.int64)
