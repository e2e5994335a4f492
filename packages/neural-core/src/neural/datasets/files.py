"""``npz:PATH`` and ``csv:PATH``: the user's own data files.

- ``npz``: arrays ``x`` and ``y`` (or ``x_train`` and ``y_train``), read
  without unpickling anything. ``uint8`` inputs are taken as 8-bit pixels and
  scaled to [0, 1]; other inputs are used as stored.
- ``csv``: one sample per row, the label in the first column and the features
  after it, comma-separated; a header row is detected and skipped. Values are
  used as written.

Relative paths are taken from the current folder.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import numpy as np

from neural.datasets.base import DataBundle, Dataset
from neural.errors import NeuralError

NPZ_KEY_PAIRS = (("x", "y"), ("x_train", "y_train"))


class NpzDataset(Dataset):
    """Arrays from a NumPy ``.npz`` file."""

    name = "npz"
    needs_argument = True
    argument_metavar = "PATH"
    summary = "your arrays x and y from a .npz file: npz:PATH"

    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        """Return the file's inputs and labels; NeuralError for a missing file or missing arrays."""
        path = existing_data_file(argument, self.name)
        if not zipfile.is_zipfile(path):
            # np.load would read a .npy array, and blames pickling for any other file.
            raise NeuralError(
                f"{path} is not a .npz archive (the file numpy.savez writes): "
                "save it with numpy.savez(path, x=inputs, y=labels)"
            )
        try:
            with np.load(path, allow_pickle=False) as archive:
                keys = _npz_keys(archive.files, path)
                x, y = archive[keys[0]], archive[keys[1]]
        except NeuralError:
            raise
        except (OSError, ValueError, EOFError) as error:
            raise NeuralError(
                f"cannot read {path} as a .npz file ({_reason(error)}): save it with numpy.savez(path, x=..., y=...)"
            ) from error
        notes = [f"read arrays {keys[0]!r} and {keys[1]!r} from {path}"]
        if x.dtype == np.uint8:
            x = x.astype(np.float32) / 255.0
            notes.append("scaled uint8 pixels 0..255 to [0, 1]")
        elif np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_:
            x = x.astype(np.float32)
        return DataBundle(x=x, y=y, num_classes=count_classes(y), notes=notes)


class CsvDataset(Dataset):
    """Rows of a comma-separated file: label first, then the features."""

    name = "csv"
    needs_argument = True
    argument_metavar = "PATH"
    summary = "your rows from a .csv file, label in the first column: csv:PATH"

    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        """Return the file's features and labels; NeuralError for a missing or malformed file."""
        path = existing_data_file(argument, self.name)
        skip = 1 if _has_header(path) else 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # an empty file is reported below, in the user's words
                table = np.loadtxt(
                    path, delimiter=",", dtype=np.float64, skiprows=skip, ndmin=2, encoding="utf-8-sig"
                )
        except (OSError, ValueError) as error:
            raise NeuralError(
                f"cannot read {path} as comma-separated numbers ({_reason(error)}): write one sample per row, the label first"
            ) from error
        if table.size == 0:
            raise NeuralError(f"{path} has no data rows: write one sample per row, the label first")
        if table.shape[1] < 2:
            raise NeuralError(
                f"{path} has a single column: put the label in the first column and the features after it"
            )
        labels = table[:, 0]
        if np.all(labels == np.round(labels)) and np.all(np.isfinite(labels)):
            labels = labels.astype(np.int64)
        notes = [
            f"read {len(table)} rows of {table.shape[1] - 1} features from {path}"
            + (" (header skipped)" if skip else "")
        ]
        return DataBundle(
            x=table[:, 1:].astype(np.float32), y=labels, num_classes=count_classes(labels), notes=notes
        )


def existing_data_file(argument: str | None, dataset_name: str) -> Path:
    """The file named by ``argument``; NeuralError naming the path when it is not there."""
    if not argument:
        raise NeuralError(f"the {dataset_name} dataset needs a file: write {dataset_name}:PATH")
    path = Path(argument).expanduser()
    if not path.is_file():
        where = f" (looked in {Path.cwd()})" if not path.is_absolute() else ""
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise NeuralError(f"the data file {path} {what}{where}: check the path in {dataset_name}:{argument}")
    return path


def count_classes(y: np.ndarray) -> int:
    """``max + 1`` for integer class labels (one-hot columns counted), 0 for real-valued targets."""
    if y.size == 0 or not np.issubdtype(y.dtype, np.number):
        return 0
    if y.ndim == 2 and y.shape[1] > 1:
        return int(y.shape[1])
    values = y.astype(np.float64)
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        return 0
    return max(int(values.max()) + 1, 0)


def _npz_keys(names: list[str], path: Path) -> tuple[str, str]:
    for pair in NPZ_KEY_PAIRS:
        if set(pair) <= set(names):
            return pair
    found = ", ".join(repr(name) for name in names) or "none"
    raise NeuralError(
        f"{path} has arrays {found}, but the npz dataset expects 'x' and 'y' (or 'x_train' and 'y_train'): "
        f"save it with numpy.savez({path.name!r}, x=inputs, y=labels)"
    )


def _has_header(path: Path) -> bool:
    """True when the first row has a field that is not a number (a header such as ``label,pixel0``)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as stream:
            first = stream.readline()
    except OSError:
        return False
    for field in first.strip().split(","):
        try:
            float(field)
        except ValueError:
            return True
    return False


def _reason(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
