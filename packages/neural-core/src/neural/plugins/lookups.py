"""The registry lookups of :class:`~neural.plugins.host.PluginHost`: what is installed, by kind and name.

:class:`PluginLookups` turns the index the host builds from the
``neural_register_<kind>`` hooks into classes and instances (``backends()``,
``get_backend("pytorch")``, ``searcher_for("bayesian")``, ...), raising the
errors of :mod:`neural.plugins.name_errors` for unknown names. The host
inherits it; core calls these through the functions of
:mod:`neural.plugins.manager`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.plugins.kinds import BACKENDS, DATASETS, EXECUTORS, SEARCHERS, VISUALIZERS, Provided
from neural.plugins.name_errors import missing_method_error, unknown_name_error

if TYPE_CHECKING:
    from neural.backends.base import Backend
    from neural.datasets.base import Dataset
    from neural.search.base import Searcher
    from neural.search.executor import ExecutorPlugin


class PluginLookups:
    """The façade methods of :class:`~neural.plugins.host.PluginHost`, over its ``_collect`` index."""

    def _collect(self, kind: str) -> dict[str, Provided]:
        """The classes the plugins register as ``kind``, by name and alias (the host implements it)."""
        raise NotImplementedError

    def _ambiguous_names(self, kind: str) -> dict[str, NeuralError]:
        """The names of ``kind`` that two plugins provide, with their error (the host implements it)."""
        raise NotImplementedError

    def backends(self) -> dict[str, type[Backend]]:
        """Installed backend classes by name, aliases included (``torch`` → the PyTorch backend)."""
        return {name: entry.cls for name, entry in self._collect(BACKENDS).items()}

    def backend_names(self) -> list[str]:
        """The canonical names of the installed backends, sorted (no aliases)."""
        return sorted({entry.cls.name for entry in self._collect(BACKENDS).values()})

    def backend_class(self, name: str) -> type[Backend]:
        """The backend class for ``name`` or one of its aliases; NeuralError when unknown."""
        return self._lookup(BACKENDS, name, self.backend_names())

    def get_backend(self, name: str) -> Backend:
        """A new instance of the backend ``name`` (or alias)."""
        return self.backend_class(name)()

    def searchers(self) -> dict[str, type[Searcher]]:
        """Installed searcher classes by name."""
        return {name: entry.cls for name, entry in self._collect(SEARCHERS).items()}

    def searcher_for(self, method: str, name: str | None = None) -> type[Searcher]:
        """The searcher class to run ``search_method`` ``method``.

        With ``name`` (``--searcher NAME``) that searcher, which must list the
        method; otherwise the installed searcher with the highest ``priority``
        among those listing it (ties: alphabetical by name).
        """
        installed = self.searchers()
        if name is not None:
            cls = self._lookup(SEARCHERS, name, sorted(installed))
            if method not in cls.methods:
                able = sorted(n for n, c in installed.items() if method in c.methods)
                raise NeuralError(
                    f'searcher "{name}" does not implement search_method "{method}" '
                    f"(it implements: {', '.join(sorted(cls.methods))}); "
                    + (
                        f"searchers for {method}: {', '.join(able)}"
                        if able
                        else f"no installed searcher implements {method}"
                    )
                )
            return cls
        candidates = [cls for cls in installed.values() if method in cls.methods]
        if candidates:
            return sorted(candidates, key=lambda cls: (-cls.priority, cls.name))[0]
        for error in self._ambiguous_names(SEARCHERS).values():
            if any(method in getattr(cls, "methods", ()) for cls in getattr(error, "classes", ())):
                raise error  # the only searchers for the method are the two under one name
        raise missing_method_error(method, installed)

    def datasets(self) -> dict[str, type[Dataset]]:
        """Installed dataset classes by name."""
        return {name: entry.cls for name, entry in self._collect(DATASETS).items()}

    def get_dataset(self, name: str) -> Dataset:
        """A new instance of the dataset ``name``; a ``NAME:ARGUMENT`` spec selects ``NAME``."""
        base = name.split(":", 1)[0]
        return self._lookup(DATASETS, base, sorted(self.datasets()))()

    def visualizers(self) -> dict[str, type]:
        """Installed visualizer classes by name (the ``--format`` they write)."""
        return {name: entry.cls for name, entry in self._collect(VISUALIZERS).items()}

    def get_visualizer(self, name: str) -> Any:
        """A new instance of the visualizer ``name``."""
        return self._lookup(VISUALIZERS, name, sorted(self.visualizers()))()

    def executors(self) -> dict[str, type[ExecutorPlugin]]:
        """Installed executor plugin classes by name (what ``--executor`` takes)."""
        return {name: entry.cls for name, entry in self._collect(EXECUTORS).items()}

    def executor_class(self, name: str) -> type[ExecutorPlugin]:
        """The executor plugin class ``name`` (``--executor NAME``); NeuralError when unknown."""
        return self._lookup(EXECUTORS, name, sorted(self.executors()))

    # ---------------------------------------------------------------- helpers

    def _lookup(self, kind: str, name: str, installed: list[str]) -> Any:
        index = self._collect(kind)
        entry = index.get(name)
        if entry is None and name in self._ambiguous_names(kind):
            raise self._ambiguous_names(kind)[name]
        if entry is None:
            raise unknown_name_error(kind, name, installed, aliases=index)
        return entry.cls
