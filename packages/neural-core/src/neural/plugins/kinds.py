"""The names the plugin modules share: the kinds of feature a plugin provides and how plugins are named.

Holds the entry-point group, the disable variable, core's own plugin, the
kinds (``backends``, ``searchers``, ``datasets``, ``visualizers``,
``executors``, ``commands``) and :class:`Provided`, one class a plugin registered. Imported by
:mod:`neural.plugins.host`, :mod:`neural.plugins.lookups` and
:mod:`neural.plugins.name_errors`; :mod:`neural.plugins.manager` re-exports the
public names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ENTRY_POINT_GROUP = "neural"
DISABLE_ENV = "NEURAL_DISABLE_PLUGINS"
CORE_PLUGIN = "neural-core"
CORE_PLUGIN_MODULE = "neural.plugins.builtin"

BACKENDS = "backends"
SEARCHERS = "searchers"
DATASETS = "datasets"
VISUALIZERS = "visualizers"
EXECUTORS = "executors"
COMMANDS = "commands"
KINDS = (BACKENDS, SEARCHERS, DATASETS, VISUALIZERS, EXECUTORS, COMMANDS)

SINGULAR = {
    BACKENDS: "backend",
    SEARCHERS: "searcher",
    DATASETS: "dataset",
    VISUALIZERS: "visualizer",
    EXECUTORS: "executor",
}


@dataclass(frozen=True)
class Provided:
    """One class a plugin registered, and the name of the plugin that provided it."""

    cls: Any
    provider: str


def qualname(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"
