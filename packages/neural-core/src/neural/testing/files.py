"""Importing a Python file that belongs to no package, for tests that share code with scripts.

A plugin's tests call :func:`import_file` to reuse a benchmark's objectives
(``bench/<name>.py``: the bench folder is not a package), so the tests and the
benchmark measure the same thing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def import_file(path: Path, name: str | None = None) -> ModuleType:
    """Import ``path`` as module ``name`` (default: the file's stem), once per process, and return it.

    A module already in ``sys.modules`` under ``name`` is returned as it is.
    """
    name = name or path.stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
