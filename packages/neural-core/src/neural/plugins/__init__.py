"""Neural's plugin system: pluggy hooks discovered through the ``neural`` entry-point group.

A plugin package declares, in its ``pyproject.toml``::

    [project.entry-points.neural]
    my-plugin = "my_plugin.plugin"

and its ``plugin`` module holds hook implementations only, marked with
:data:`hookimpl`::

    from neural.plugins import hookimpl

    @hookimpl
    def neural_register_backends():
        from my_plugin.backend import MyBackend   # heavy imports stay inside the hook
        return [MyBackend]

The hooks are specified in :mod:`neural.plugins.hookspecs`; core reaches the
installed plugins only through :mod:`neural.plugins.manager`.
"""

from __future__ import annotations

import pluggy

PROJECT_NAME = "neural"
"""The pluggy project name, which is also the entry-point group plugins register under."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification (used only by :mod:`neural.plugins.hookspecs`)."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a hook implementation in a plugin's ``plugin`` module."""

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]
