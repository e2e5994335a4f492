"""Atomic file writes: a reader sees the old file or the new one, never a mix.

:class:`neural.search.results.StudyRecord` saves ``hpo_results.json`` through a
:class:`BackgroundWriter`; :func:`write_json_atomic` and :func:`write_text_atomic`
write a file once, in the calling thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from neural.errors import NeuralError


class BackgroundWriter:
    """Writes the latest submitted text to ``path`` atomically on a daemon thread.

    Submissions that arrive while a write is in progress are coalesced: only
    the newest text is written next. The file on disk is always a complete
    earlier or current version.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._condition = threading.Condition()
        self._pending: str | None = None
        self._busy = False
        self._closed = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="neural-results-writer", daemon=True)
        self._thread.start()

    def submit(self, text: str) -> None:
        with self._condition:
            self._raise_error()
            self._pending = text
            self._condition.notify_all()

    def flush(self) -> None:
        with self._condition:
            while (self._pending is not None or self._busy) and self._error is None:
                self._condition.wait()
            self._raise_error()

    def close(self) -> None:
        self.flush()
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        self._thread.join()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise NeuralError(f"cannot write {self.path}: {error}") from error

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._closed:
                    self._condition.wait()
                if self._pending is None:
                    return
                text, self._pending, self._busy = self._pending, None, True
            try:
                write_text_atomic(self.path, text)
            except BaseException as error:  # reported to the next submit/flush
                with self._condition:
                    self._error = error
            with self._condition:
                self._busy = False
                self._condition.notify_all()


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, json.dumps(data, indent=1, allow_nan=False))


def _current_umask() -> int:
    """The process's umask (read once, at import, in the importing thread: setting it to read it is not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The mode a new file gets from ``open()`` under this process's umask (0644 with the usual 022).
NEW_FILE_MODE = 0o666 & ~_current_umask()


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a synced temp file in the same folder and ``os.replace``.

    The file gets the mode any new file gets under the umask (``mkstemp`` alone would make it 0600).
    """
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, NEW_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


@contextlib.contextmanager
def atomic_file(path: Path, what: str = "the model file") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; on success, sync it and rename it over ``path``.

    Used by the backends to save model files (``NAME.pt``, ``NAME.keras``),
    whose libraries write to a path of their own. A writer that fails — a full
    disk, a file-size limit — leaves ``path`` as it was and no temporary file
    behind; an ``OSError`` or a library's ``RuntimeError`` (torch reports a full
    disk so) becomes one :class:`NeuralError` line naming ``path``.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or ".tmp", dir=folder)
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, NEW_FILE_MODE)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if isinstance(error, (OSError, RuntimeError)) and not isinstance(error, NeuralError):
            reason = (
                error.strerror
                if isinstance(error, OSError) and error.strerror
                else "the write failed (is the disk full?)"  # torch's own text is an assertion in its C++
            )
            raise NeuralError(
                f"cannot write {what} {path}: {reason}; free some space or pass --out DIR (nothing earlier was lost)"
            ) from error
        raise

