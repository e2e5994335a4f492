"""The dataset interface: each named data source (``mnist5k``, ``npz:PATH``...).

A dataset plugin returns its :class:`Dataset` subclass from the
``neural_register_datasets`` hook. ``--data SPEC`` and the train block's
``dataset`` name one: ``NAME`` or ``NAME:ARGUMENT`` (``npz:data/train.npz``).
Core adapts the loaded data to the model's declared input (resize, flatten)
and splits off the validation part (``neural.datasets.prepare``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import numpy as np


@dataclass
class DataBundle:
    """Loaded data: ``x`` float32 ``(N, ...)`` channels-last, ``y`` int64 labels ``(N,)``."""

    x: np.ndarray
    y: np.ndarray
    num_classes: int
    notes: list[str] = field(default_factory=list)


class Dataset(ABC):
    """A named data source.

    ``name`` is unique among installed datasets. ``needs_argument`` is True
    for sources like ``npz:PATH``; ``argument_metavar`` names the argument in
    ``--data``'s help (``PATH``). ``summary`` is one line for ``neural plugins``.
    """

    name: ClassVar[str]
    needs_argument: ClassVar[bool] = False
    argument_metavar: ClassVar[str] = "ARG"
    summary: ClassVar[str] = ""

    @abstractmethod
    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        """Load the data. ``input_shape`` is the model's declared input (for
        ``synthetic``); raise :class:`neural.errors.NeuralError` with a clear
        message when the data cannot be had."""
