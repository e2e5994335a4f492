"""Plugin discovery and the typed façade over the hooks.

This is the only module that talks to pluggy. Everything else asks it for what
the installed plugins provide::

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
is called at most once, when its results are first needed.
"""

from __future__ import annotations

import difflib
import os
import sys
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

from neural.errors import NeuralError, did_you_mean
from neural.plugins import PROJECT_NAME, hookspecs

if TYPE_CHECKING:
    import click

    from neural.backends.base import Backend
    from neural.datasets.base import Dataset
    from neural.search.base import Searcher

ENTRY_POINT_GROUP = "neural"
DISABLE_ENV = "NEURAL_DISABLE_PLUGINS"
CORE_PLUGIN = "neural-core"
CORE_PLUGIN_MODULE = "neural.plugins.builtin"

LOADED = "loaded"
FAILED = "failed"
BLOCKED = "blocked"

BACKENDS = "backends"
SEARCHERS = "searchers"
DATASETS = "datasets"
VISUALIZERS = "visualizers"
COMMANDS = "commands"
KINDS = (BACKENDS, SEARCHERS, DATASETS, VISUALIZERS, COMMANDS)

#: Which package to install for a well-known name that is not installed.
PIP_HINTS: dict[str, dict[str, str]] = {
    BACKENDS: {
        "pytorch": "neural-backend-torch",
        "torch": "neural-backend-torch",
        "tensorflow": "neural-backend-tf",
        "tf": "neural-backend-tf",
    },
    SEARCHERS: {
        "optuna": "neural-search-optuna",
        "hyperopt": "neural-search-hyperopt",
        "bayesian": "neural-search-optuna",
    },
    DATASETS: {},
    VISUALIZERS: {"html": "neural-viz"},
}

#: The packages that provide a ``search_method`` core does not implement itself.
METHOD_PACKAGES: dict[str, tuple[str, ...]] = {
    "bayesian": ("neural-search-optuna", "neural-search-hyperopt"),
    "anneal": ("neural-search-hyperopt",),
}

_SINGULAR = {BACKENDS: "backend", SEARCHERS: "searcher", DATASETS: "dataset", VISUALIZERS: "visualizer"}


class EntryPointLike(Protocol):
    """What the host needs of an :class:`importlib.metadata.EntryPoint` (tests pass fakes)."""

    name: str
    value: str

    def load(self) -> Any: ...


@dataclass
class PluginInfo:
    """One plugin as ``neural plugins`` shows it.

    ``status`` is ``loaded``, ``failed`` (``error`` says why) or ``blocked``
    (named in ``NEURAL_DISABLE_PLUGINS``). ``provides`` maps a kind
    (``backends``, ``searchers``, ``datasets``, ``visualizers``, ``commands``)
    to the names this plugin registered.
    """

    name: str
    version: str
    module: str
    status: str = LOADED
    error: str | None = None
    provides: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Provided:
    cls: Any
    provider: str


def _warn_on_stderr(message: str) -> None:
    sys.stderr.write(f"neural: warning: {message}\n")
    sys.stderr.flush()


def disabled_plugins(environ: dict[str, str] | None = None) -> frozenset[str]:
    """The normalized plugin names listed in ``NEURAL_DISABLE_PLUGINS`` (comma-separated)."""
    raw = (os.environ if environ is None else environ).get(DISABLE_ENV, "")
    return frozenset(_normalize(part) for part in raw.split(",") if part.strip())


def _normalize(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _version_of(entry_point: EntryPointLike) -> str:
    dist = getattr(entry_point, "dist", None)
    version = getattr(dist, "version", None)
    return str(version) if version else "unknown"


def _qualname(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


class _CoreEntryPoint:
    """Stands in for core's entry point when the package metadata is not installed."""

    name = CORE_PLUGIN
    value = CORE_PLUGIN_MODULE

    @property
    def dist(self) -> Any:
        import neural

        return types.SimpleNamespace(version=neural.__version__)

    def load(self) -> Any:
        import importlib

        return importlib.import_module(CORE_PLUGIN_MODULE)


class PluginHost:
    """Loads the plugins once and indexes what their hooks provide.

    Built by :func:`host` from the installed entry points; tests build their
    own from fake entry points. ``warn`` receives each problem once (default:
    a line on stderr).
    """

    def __init__(
        self,
        entry_points: Iterable[EntryPointLike],
        *,
        disabled: Iterable[str] = (),
        warn: Callable[[str], None] | None = None,
        include_core: bool = True,
    ) -> None:
        self._pm = pluggy.PluginManager(PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self._warn = warn or _warn_on_stderr
        self._disabled = frozenset(_normalize(name) for name in disabled)
        self._infos: dict[str, PluginInfo] = {}
        self._index: dict[str, dict[str, _Provided]] = {}
        self._commands_registered_on: list[click.Group] = []

        points = sorted(entry_points, key=lambda ep: ep.name)
        if include_core:
            core = [ep for ep in points if ep.name == CORE_PLUGIN] or [_CoreEntryPoint()]
            self._load(core[0], blockable=False)
        for entry_point in points:
            if entry_point.name != CORE_PLUGIN or not include_core:
                self._load(entry_point, blockable=True)

    # ------------------------------------------------------------------ loading

    def _load(self, entry_point: EntryPointLike, *, blockable: bool) -> None:
        name = entry_point.name
        info = PluginInfo(name=name, version=_version_of(entry_point), module=entry_point.value)
        if name in self._infos:
            self._fail(
                info,
                f"another plugin is already registered under the name {name!r} ({self._infos[name].module})",
            )
            return
        self._infos[name] = info
        if blockable and _normalize(name) in self._disabled:
            info.status = BLOCKED
            return
        try:
            module = entry_point.load()
        except Exception as exc:  # any import error of a third-party plugin must not break the CLI
            self._fail(info, f"cannot import {entry_point.value}: {type(exc).__name__}: {exc}")
            return
        try:
            self._pm.register(module, name=name)
            self._pm.check_pending()
        except Exception as exc:  # pluggy.PluginValidationError, ValueError (registered twice)
            if self._pm.get_plugin(name) is not None:
                self._pm.unregister(name=name)
            self._fail(info, _validation_message(module, exc))

    def _fail(self, info: PluginInfo, error: str) -> None:
        """Mark ``info`` failed and report ``error`` (once: each problem happens once per host)."""
        info.status = FAILED
        info.error = error if info.error is None else f"{info.error}; {error}"
        self._warn(
            f"plugin {info.name!r} {info.version} failed: {error}\n"
            f"  the other plugins keep working; to silence this, fix or uninstall it, "
            f"or set {DISABLE_ENV}={info.name}"
        )

    def _hook_failed(self, plugin: str, hook: str, error: str) -> None:
        self._fail(self._infos[plugin], f"{hook}: {error}")

    # ------------------------------------------------------------- hook calls

    def _call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation of a hook separately: ``[(plugin name, result)]``.

        Pluggy's own call loop would merge the results and stop at the first
        exception; calling the implementations one by one tells us which
        plugin provided what (for duplicate errors and ``neural plugins``) and
        keeps one failing plugin from hiding the others.
        """
        caller = getattr(self._pm.hook, hook_name)
        results: list[tuple[str, Any]] = []
        for impl in caller.get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                continue
            try:
                value = impl.function(*(kwargs[arg] for arg in impl.argnames))
            except Exception as exc:  # a plugin's bug must not break the other plugins
                self._hook_failed(impl.plugin_name, hook_name, f"{type(exc).__name__}: {exc}")
                continue
            results.append((impl.plugin_name, value))
        return results

    def _collect(self, kind: str) -> dict[str, _Provided]:
        """Index the classes of ``neural_register_<kind>`` by name (and alias), once."""
        if kind in self._index:
            return self._index[kind]
        hook_name = f"neural_register_{kind}"
        index: dict[str, _Provided] = {}
        provided: list[tuple[str, str]] = []
        for plugin, value in self._call_each(hook_name):
            for cls in value or ():
                problem = _check_class(kind, cls)
                if problem:
                    self._hook_failed(plugin, hook_name, problem)
                    continue
                keys = [cls.name, *(getattr(cls, "aliases", ()) if kind == BACKENDS else ())]
                for key in keys:
                    other = index.get(key)
                    if other is not None and other.cls is not cls:
                        raise _duplicate_error(_SINGULAR[kind], key, other, _Provided(cls, plugin))
                for key in keys:
                    index[key] = _Provided(cls, plugin)
                provided.append((plugin, cls.name))
        for plugin, name in provided:
            names = self._infos[plugin].provides.setdefault(kind, [])
            if name not in names:
                names.append(name)
        self._index[kind] = index
        return index

    def register_commands(self, cli: click.Group) -> None:
        """Let every plugin add its commands to ``cli`` (once per group).

        Called by the ``neural`` group the first time it lists or resolves a
        command. A command name added by two plugins is a :class:`NeuralError`.
        """
        if any(group is cli for group in self._commands_registered_on):
            return
        providers: dict[str, str] = {}
        for impl_plugin, before, after in self._each_commands_call(cli):
            for name, command in after.items():
                if name in before and before[name] is command:
                    continue
                if name in before:
                    first = providers.get(name, "neural")
                    raise NeuralError(
                        f'two plugins add a command named "{name}": {first} and {impl_plugin}; '
                        f"uninstall one of them or disable it with {DISABLE_ENV}={impl_plugin}"
                    )
                providers[name] = impl_plugin
                names = self._infos[impl_plugin].provides.setdefault(COMMANDS, [])
                if name not in names:
                    names.append(name)
        self._commands_registered_on.append(cli)

    def _each_commands_call(self, cli: click.Group) -> Iterable[tuple[str, dict[str, Any], dict[str, Any]]]:
        """Call ``neural_register_commands`` per plugin, yielding the command table before and after."""
        caller = self._pm.hook.neural_register_commands
        for impl in caller.get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                continue
            before = _command_table(cli)
            try:
                impl.function(*({"cli": cli}[arg] for arg in impl.argnames))
            except Exception as exc:  # a plugin's bug must not break the CLI
                self._hook_failed(
                    impl.plugin_name, "neural_register_commands", f"{type(exc).__name__}: {exc}"
                )
            yield impl.plugin_name, before, _command_table(cli)

    # ----------------------------------------------------------- the façade

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
        raise self._missing_method(method, installed)

    def _missing_method(self, method: str, installed: dict[str, type[Searcher]]) -> NeuralError:
        packages = METHOD_PACKAGES.get(method)
        if packages:
            alternatives = "".join(f" (or {package})" for package in packages[1:])
            return NeuralError(
                f'search_method "{method}" needs a search plugin: pip install {packages[0]}{alternatives}'
            )
        methods = sorted({m for cls in installed.values() for m in cls.methods})
        suggestion = did_you_mean(method, [*methods, *METHOD_PACKAGES])
        return NeuralError(
            f'unknown search_method "{method}"'
            + (f": {suggestion} (" if suggestion else ": use one of the ")
            + f"installed methods: {', '.join(methods) or 'none'}"
            + (")" if suggestion else "")
        )

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

    def plugin_report(self) -> list[PluginInfo]:
        """Every plugin (loaded, failed, blocked) with its version and what it provides.

        Calls every ``register`` hook not called yet; commands are known once
        the ``neural`` group has registered them (as it has when ``neural
        plugins`` runs), else they are registered on a scratch group.
        """
        for kind in (BACKENDS, SEARCHERS, DATASETS, VISUALIZERS):
            self._collect(kind)
        if not self._commands_registered_on:
            from neural.cli.main import LazyGroup

            self.register_commands(LazyGroup("neural"))
        core = [info for info in self._infos.values() if info.name == CORE_PLUGIN]
        others = sorted(
            (info for info in self._infos.values() if info.name != CORE_PLUGIN), key=lambda i: i.name
        )
        return core + others

    # ---------------------------------------------------------------- helpers

    def _lookup(self, kind: str, name: str, installed: list[str]) -> Any:
        entry = self._collect(kind).get(name)
        if entry is None:
            raise unknown_name_error(kind, name, installed)
        return entry.cls


def unknown_name_error(kind: str, name: str, installed: list[str]) -> NeuralError:
    """The error for an unknown backend/searcher/dataset/visualizer name.

    Says "did you mean" when a name is close, lists the installed names and,
    for a well-known name that is not installed, the package to install.
    """
    singular = _SINGULAR[kind]
    hints = PIP_HINTS.get(kind, {})
    listing = f"installed {kind}: {', '.join(installed) if installed else 'none'}"
    if name in hints:
        return NeuralError(f'{singular} "{name}" is not installed: pip install {hints[name]} ({listing})')
    candidates = sorted({*installed, *hints})
    message = f'unknown {singular} "{name}"'
    suggestion = did_you_mean(name, candidates)
    if suggestion:
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        if close and close[0] in hints and close[0] not in installed:
            suggestion += f" (not installed: pip install {hints[close[0]]})"
        return NeuralError(f"{message}: {suggestion} ({listing})")
    if installed:
        return NeuralError(f"{message}: use one of the {listing}")
    names_by_package: dict[str, list[str]] = {}
    for known, package in sorted(hints.items()):
        names_by_package.setdefault(package, []).append(known)
    offers = ", ".join(
        f"pip install {package} ({', '.join(names)})" for package, names in names_by_package.items()
    )
    return NeuralError(f"{message}: no {kind} are installed" + (f"; {offers}" if offers else ""))


def _duplicate_error(singular: str, name: str, first: _Provided, second: _Provided) -> NeuralError:
    return NeuralError(
        f'two plugins provide a {singular} named "{name}": {first.provider} ({_qualname(first.cls)}) '
        f"and {second.provider} ({_qualname(second.cls)}); uninstall one of them or disable it with "
        f"{DISABLE_ENV}={second.provider}"
    )


def _check_class(kind: str, cls: Any) -> str | None:
    """Why ``cls`` cannot be registered as ``kind``, or None when it can."""
    from neural.backends.base import Backend
    from neural.datasets.base import Dataset
    from neural.search.base import Searcher

    base = {BACKENDS: Backend, SEARCHERS: Searcher, DATASETS: Dataset}.get(kind)
    if not isinstance(cls, type):
        return f"returned {cls!r}, expected a class"
    if base is not None and not issubclass(cls, base):
        return f"{_qualname(cls)} is not a subclass of {_qualname(base)}"
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        return f"{_qualname(cls)} has no 'name' (a non-empty string class attribute)"
    if kind == SEARCHERS and not getattr(cls, "methods", None):
        return f"{_qualname(cls)} lists no 'methods'"
    return None


def _validation_message(module: Any, exc: Exception) -> str:
    """Say which hook name is unknown (a misspelling) when pluggy rejects a plugin."""
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
    return f"{type(exc).__name__}: {exc}"


def _command_table(cli: click.Group) -> dict[str, Any]:
    table: dict[str, Any] = dict(cli.commands)
    table.update(getattr(cli, "lazy_commands", {}))
    return table


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


def register_commands(cli: click.Group) -> None:
    """Let every plugin add its commands to the ``neural`` group."""
    host().register_commands(cli)


def plugin_report() -> list[PluginInfo]:
    """Every plugin with status, version and what it provides (for ``neural plugins``)."""
    return host().plugin_report()
