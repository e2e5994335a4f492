"""The start-up check a plugin's tests run: importing its ``plugin`` module pulls in no heavy library.

``neural --help`` and ``neural check`` load every installed plugin's
``plugin`` module, so one that imports torch, tensorflow or optuna at module
top slows every command for every user. :func:`heavy_imports` imports a module
in a fresh interpreter and returns the heavy libraries that ended up loaded;
:func:`assert_light_import` fails a test with the fix. The conformance suites
(:class:`~neural.testing.BackendSuite`, :class:`~neural.testing.SearcherSuite`,
:class:`~neural.testing.DatasetSuite`) run it when ``plugin_module`` is set.
"""

from __future__ import annotations

import json
import subprocess
import sys

from neural.plugins.mistakes import HEAVY_AT_STARTUP

#: Libraries a plugin module must not import at start-up (import them inside the functions that need them).
HEAVY_LIBRARIES: tuple[str, ...] = HEAVY_AT_STARTUP

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in json.loads(sys.argv[2]) if name in sys.modules)))
"""


def heavy_imports(module: str, heavy: tuple[str, ...] = HEAVY_LIBRARIES) -> list[str]:
    """The libraries of ``heavy`` that importing ``module`` (in a new interpreter) loads."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module, json.dumps(list(heavy))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"importing {module} failed:\n{done.stderr}")
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def assert_light_import(module: str, heavy: tuple[str, ...] = HEAVY_LIBRARIES) -> None:
    """Fail (AssertionError) when importing ``module`` loads a heavy library, naming it and the fix."""
    loaded = heavy_imports(module, heavy)
    assert not loaded, (
        f"importing {module} loads {', '.join(loaded)} at start-up, which slows `neural --help` and "
        "`neural check` for everyone: import it inside the functions that need it"
    )
