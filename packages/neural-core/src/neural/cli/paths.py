"""Checks on the paths a command reads and writes, made before any work starts.

``neural run`` and ``neural compile`` call these first, so a wrong path is
reported in one line at once, not after minutes of training.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from neural.errors import NeuralError


def require_source_file(file: Path) -> None:
    """Raise NeuralError unless ``file`` is an existing regular file (click has already refused a folder)."""
    if file.exists() and not file.is_file():
        raise NeuralError(
            f"cannot read {file}: it is not a regular file (a pipe or a device); give the path of a file"
        )
    if not file.is_file():
        raise NeuralError(f"cannot read {file}: no such file; check the path")


def require_writable_folder(folder: Path, option: str) -> None:
    """Create ``folder`` if needed and prove a file can be written in it.

    ``option`` is the command-line option that chose the folder (``--out``),
    named in the error. Raises NeuralError when the folder cannot be created or
    written to (permission denied, read-only file system, a file in the way).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise NeuralError(
            f"cannot write into {folder} ({reason.lower()}): choose a folder you can write to with {option}"
        ) from error


def write_output(path: Path, text: str, option: str) -> None:
    """Write ``text`` to ``path`` (UTF-8); NeuralError naming the file and ``option`` when the system refuses."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise NeuralError(
            f"cannot write {path} ({reason}): free some space or fix its permissions, or choose another file with {option}"
        ) from error
