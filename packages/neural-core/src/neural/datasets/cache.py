"""Where datasets keep what they download or convert: the cache folder.

``$NEURAL_CACHE_DIR`` when set, else ``~/.cache/neural``. Datasets get the
folder as ``cache_dir`` in :meth:`neural.datasets.base.Dataset.load`; each one
keeps its files in its own sub-folder or under its own file name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from neural.errors import NeuralError

CACHE_DIR_ENV = "NEURAL_CACHE_DIR"


def default_cache_dir() -> Path:
    """Return the cache folder (``$NEURAL_CACHE_DIR`` or ``~/.cache/neural``); not created here."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "neural"


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` (and parents) when missing; return it.

    Raises NeuralError when it cannot be created (a read-only home, a file in the way).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise NeuralError(
            f"cannot create the dataset cache folder {folder} ({error.strerror or error}): "
            f"set {CACHE_DIR_ENV} to a writable folder"
        ) from error
    return folder


def save_npz_atomically(path: Path, **arrays: np.ndarray) -> None:
    """Write ``arrays`` to ``path`` as an uncompressed ``.npz`` through a temp file and a rename,
    so a reader never sees half a file (two processes may fill the cache at once)."""
    ensure_folder(path.parent)
    handle, temp_name = tempfile.mkstemp(prefix=path.name, suffix=".tmp.npz", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)  # type: ignore[arg-type]
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def sha256_of_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
