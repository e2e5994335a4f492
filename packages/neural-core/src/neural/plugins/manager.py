"""Plugin discovery and the typed façade over the hooks.

Everything in core asks this module for what the installed plugins provide::

    from neural.plugins import manager

    backend = manager.get_backend("pytorch")            # a Backend instance
    searcher_cls = manager.searcher_for("bayesian")     # the best installed searcher
    dataset = manager.get_dataset("mnist5k")            # a Dataset instance

Plugins are the modules named by the ``neural`` entry-point group. Core's own
features come from ``neural.plugins.builtin`` through the same hooks; it is
always loaded and cannot be disabled. Each plugin is imported in its own
``try``: one that fails to import, or whose hook raises, is reported once on
stderr (name, version, the error, how to disable it) and the others keep
working. ``NEURAL_DISABLE_PLUGINS=a,b`` blocks plugins by entry-point name.

A :class:`PluginHost` is built once per process (:func:`host`) and each hook
is called at most once, when its results are first needed. This module holds
that process-wide host and the functions over it; the host itself (the only
code that talks to pluggy) is in :mod:`neural.plugins.host`, its lookups in
:mod:`neural.plugins.lookups`, the unknown-name and duplicate-name errors in
:mod:`neural.plugins.name_errors` and the shared names in
:mod:`neural.plugins.kinds`. Their public names are re-exported here.
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

from neural.plugins.host import (
    BLOCKED,
    FAILED,
    LOADED,
    EntryPointLike,
    PluginHost,
    PluginInfo,
    disabled_plugins,
)
from neural.plugins.kinds import (
    BACKENDS,
    COMMANDS,
    CORE_PLUGIN,
    CORE_PLUGIN_MODULE,
    DATASETS,
    DISABLE_ENV,
    ENTRY_POINT_GROUP,
    EXECUTORS,
    KINDS,
    SEARCHERS,
    VISUALIZERS,
)
from neural.plugins.name_errors import METHOD_PACKAGES, PIP_HINTS, unknown_name_error

if TYPE_CHECKING:
    import click

    from neural.backends.base import Backend
    from neural.datasets.base import Dataset
    from neural.search.base import Searcher
    from neural.search.executor import ExecutorPlugin

__all__ = [
    "BACKENDS",
    "BLOCKED",
    "COMMANDS",
    "CORE_PLUGIN",
    "CORE_PLUGIN_MODULE",
    "DATASETS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "EXECUTORS",
    "FAILED",
    "KINDS",
    "LOADED",
    "METHOD_PACKAGES",
    "PIP_HINTS",
    "SEARCHERS",
    "VISUALIZERS",
    "EntryPointLike",
    "PluginHost",
    "PluginInfo",
    "backend_names",
    "backends",
    "datasets",
    "disabled_plugins",
    "executor_class",
    "executors",
    "get_backend",
    "get_dataset",
    "get_visualizer",
    "host",
    "plugin_report",
    "register_commands",
    "reset",
    "searcher_for",
    "searchers",
    "unknown_name_error",
    "visualizers",
]


# ---------------------------------------------------------------- process-wide host

_HOST: PluginHost | None = None


def host() -> PluginHost:
    """The process's plugin host, built on first use from the installed entry points."""
    global _HOST
    if _HOST is None:
        _HOST = PluginHost(
            metadata.entry_points(group=ENTRY_POINT_GROUP),
            disabled=disabled_plugins(),
        )
    return _HOST


def reset() -> None:
    """Forget the loaded plugins (tests; after installing a plugin at run time)."""
    global _HOST
    _HOST = None


def backends() -> dict[str, type[Backend]]:
    """Installed backend classes by name and alias."""
    return host().backends()


def backend_names() -> list[str]:
    """Canonical names of the installed backends."""
    return host().backend_names()


def get_backend(name: str) -> Backend:
    """An instance of backend ``name`` (or alias); NeuralError with hints when unknown."""
    return host().get_backend(name)


def searchers() -> dict[str, type[Searcher]]:
    """Installed searcher classes by name."""
    return host().searchers()


def searcher_for(method: str, name: str | None = None) -> type[Searcher]:
    """The searcher class for ``search_method`` ``method`` (see :meth:`PluginHost.searcher_for`)."""
    return host().searcher_for(method, name)


def datasets() -> dict[str, type[Dataset]]:
    """Installed dataset classes by name."""
    return host().datasets()


def get_dataset(name: str) -> Dataset:
    """An instance of dataset ``name`` (``NAME:ARG`` selects ``NAME``)."""
    return host().get_dataset(name)


def visualizers() -> dict[str, type]:
    """Installed visualizer classes by name."""
    return host().visualizers()


def get_visualizer(name: str) -> Any:
    """An instance of visualizer ``name``."""
    return host().get_visualizer(name)


def executors() -> dict[str, type[ExecutorPlugin]]:
    """Installed executor plugin classes by name."""
    return host().executors()


def executor_class(name: str) -> type[ExecutorPlugin]:
    """The executor plugin class for ``--executor name``; NeuralError with hints when unknown."""
    return host().executor_class(name)


def register_commands(cli: click.Group) -> None:
    """Let every plugin add its commands to the ``neural`` group."""
    host().register_commands(cli)


def plugin_report() -> list[PluginInfo]:
    """Every plugin with status, version and what it provides (for ``neural plugins``)."""
    return host().plugin_report()
