"""Plugin authors' mistakes that pluggy would pass over in silence or report in several lines.

Called by :class:`neural.plugins.host.PluginHost` while it loads each plugin:
:func:`validation_message` turns pluggy's ``PluginValidationError`` into one
line (an unknown hook with "did you mean", or a hook whose arguments its
hookspec lacks); :func:`unmarked_hooks` finds ``neural_*`` functions without
``@hookimpl`` (which pluggy ignores); :data:`HEAVY_AT_STARTUP` lists the
libraries a plugin module must not import at start-up (the host warns when
loading one pulls them in; ``neural.testing.assert_light_import`` checks it in
a plugin's tests).
"""

from __future__ import annotations

import inspect
from typing import Any

import pluggy

from neural.errors import did_you_mean
from neural.plugins import PROJECT_NAME, hookspecs

#: Libraries whose import by a plugin module at start-up gets a warning (the list of neural.testing.startup).
HEAVY_AT_STARTUP = (
    "torch",
    "tensorflow",
    "keras",
    "jax",
    "optuna",
    "hyperopt",
    "plotly",
    "sklearn",
    "pandas",
    "ray",
)


def validation_message(module: Any, exc: Exception) -> str:
    """One line saying why pluggy rejected a plugin: an unknown hook name (a misspelling, with
    "did you mean"), or a hook taking arguments its hookspec does not have."""
    known = [name for name in dir(hookspecs) if name.startswith("neural_")]
    marker = f"{PROJECT_NAME}_impl"  # the attribute pluggy's HookimplMarker sets on a hook implementation
    unknown = [
        name
        for name in dir(module)
        if name not in known and getattr(getattr(module, name), marker, None) is not None
    ]
    if isinstance(exc, pluggy.PluginValidationError) and unknown:
        parts = []
        for name in unknown:
            suggestion = did_you_mean(name, known)
            parts.append(f"unknown hook {name!r}" + (f" ({suggestion})" if suggestion else ""))
        return "; ".join(parts)
    if isinstance(exc, pluggy.PluginValidationError):
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        hook = next((name for name in known if f"'{name}'" in lines[0]), None) if lines else None
        function = getattr(module, hook, None) if hook else None
        if hook and callable(function):
            given = f"{hook}({', '.join(inspect.signature(function).parameters)})"
            expected = f"{hook}({', '.join(inspect.signature(getattr(hookspecs, hook)).parameters)})"
            reason = lines[-1][0].lower() + lines[-1][1:]
            return f"hook implementation {given} does not match its hookspec {expected}: {reason}"
        return "; ".join(lines)
    return f"{type(exc).__name__}: {exc}"


def unmarked_hooks(module: Any) -> list[str]:
    """The module's ``neural_*`` functions that lack ``@hookimpl`` (pluggy silently ignores them)."""
    marker = f"{PROJECT_NAME}_impl"
    return sorted(
        name
        for name in dir(module)
        if name.startswith(f"{PROJECT_NAME}_")
        and callable(getattr(module, name))
        and getattr(getattr(module, name), marker, None) is None
    )
