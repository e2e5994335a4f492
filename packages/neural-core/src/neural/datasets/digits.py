"""``digits``: scikit-learn's 1,797 real 8×8 handwritten digits.

scikit-learn is imported only when this dataset is loaded; pixel values 0..16
are scaled to [0, 1]. The data is shaped ``(1797, 8, 8, 1)``; a model
declaring ``(28, 28, 1)`` or ``(64,)`` gets it resized or flattened by
:mod:`neural.datasets.adapt`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neural.datasets.base import DataBundle, Dataset
from neural.datasets.prepare import reject_argument
from neural.errors import NeuralError

MISSING_SKLEARN = (
    "the digits dataset needs scikit-learn: pip install 'neural-core[datasets]' (or pip install scikit-learn)"
)


class DigitsDataset(Dataset):
    """The 8×8 digits of ``sklearn.datasets.load_digits``, 10 classes."""

    name = "digits"
    summary = "scikit-learn's 1,797 real 8×8 digits"

    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        """Return the digits as float32 ``(1797, 8, 8, 1)`` in [0, 1] with int64 labels."""
        reject_argument(self.name, argument)
        try:
            from sklearn.datasets import load_digits
        except ImportError as error:
            raise NeuralError(MISSING_SKLEARN) from error
        digits = load_digits()
        x = (np.asarray(digits.images, dtype=np.float32) / 16.0)[..., np.newaxis]
        return DataBundle(x=x, y=np.asarray(digits.target, dtype=np.int64), num_classes=10)
