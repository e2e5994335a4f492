"""The plugin host: loads the ``neural`` entry points in isolation and indexes what their hooks provide.

This is the only module that drives pluggy (:mod:`neural.plugins.mistakes` words its
errors and the authors' silent mistakes). Each plugin is imported in its
own ``try``: one that fails to import, or whose hook raises, is reported once
(name, version, the error, how to disable it) and the others keep working.
``NEURAL_DISABLE_PLUGINS=a,b`` blocks plugins by entry-point name
(:func:`disabled_plugins`). :meth:`PluginHost.plugin_report` is what ``neural
plugins`` shows.

Built once per process by :func:`neural.plugins.manager.host`; tests build
their own from fake entry points. The lookups by kind and name come from
:class:`neural.plugins.lookups.PluginLookups`.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

from neural.errors import NeuralError, did_you_mean
from neural.plugins import PROJECT_NAME, hookspecs
from neural.plugins.kinds import (
    BACKENDS,
    COMMANDS,
    CORE_PLUGIN,
    CORE_PLUGIN_MODULE,
    DATASETS,
    DISABLE_ENV,
    EXECUTORS,
    SEARCHERS,
    SINGULAR,
    VISUALIZERS,
    Provided,
    qualname,
)
from neural.plugins.lookups import PluginLookups
from neural.plugins.mistakes import HEAVY_AT_STARTUP, unmarked_hooks, validation_message
from neural.plugins.name_errors import duplicate_name_error

if TYPE_CHECKING:
    import click

LOADED = "loaded"
FAILED = "failed"
BLOCKED = "blocked"


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
    (``backends``, ``searchers``, ``datasets``, ``visualizers``, ``executors``, ``commands``)
    to the names this plugin registered.
    """

    name: str
    version: str
    module: str
    status: str = LOADED
    error: str | None = None
    provides: dict[str, list[str]] = field(default_factory=dict)


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


class PluginHost(PluginLookups):
    """Loads the plugins once and indexes what their hooks provide.

    Built by :func:`~neural.plugins.manager.host` from the installed entry points; tests build their
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
        self._index: dict[str, dict[str, Provided]] = {}
        self._ambiguous: dict[str, dict[str, NeuralError]] = {}
        self._commands_registered_on: list[click.Group] = []

        points = sorted(entry_points, key=lambda ep: ep.name)
        if include_core:
            core = [ep for ep in points if ep.name == CORE_PLUGIN] or [_CoreEntryPoint()]
            self._load(core[0], blockable=False)
        for entry_point in points:
            if entry_point.name != CORE_PLUGIN or not include_core:
                self._load(entry_point, blockable=True)
        self._warn_unknown_disabled()

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
        already = {name for name in HEAVY_AT_STARTUP if name in sys.modules}
        try:
            module = entry_point.load()
        except Exception as exc:  # any import error of a third-party plugin must not break the CLI
            self._fail(info, f"cannot import {entry_point.value}: {type(exc).__name__}: {exc}")
            return
        pulled = [name for name in HEAVY_AT_STARTUP if name in sys.modules and name not in already]
        if pulled:
            self._warn(
                f"plugin {name!r} {info.version}: importing {entry_point.value} loads {', '.join(pulled)} at "
                "start-up, which slows every neural command: the plugin should import it inside the "
                "functions that need it (neural.testing.assert_light_import checks this)"
            )
        try:
            self._pm.register(module, name=name)
            self._pm.check_pending()
        except Exception as exc:  # pluggy.PluginValidationError, ValueError (registered twice)
            if self._pm.get_plugin(name) is not None:
                self._pm.unregister(name=name)
            self._fail(info, validation_message(module, exc))
            return
        for function in unmarked_hooks(module):
            self._warn(
                f"plugin {name!r} {info.version}: {entry_point.value}.{function} is not marked with "
                "@neural.plugins.hookimpl, so neural never calls it: decorate it "
                "(from neural.plugins import hookimpl)"
            )

    def _warn_unknown_disabled(self) -> None:
        """Say so when ``NEURAL_DISABLE_PLUGINS`` names a plugin that is not installed (a typo blocks nothing)."""
        known = [_normalize(name) for name in self._infos]
        for name in sorted(self._disabled - set(known)):
            suggestion = did_you_mean(name, known)
            self._warn(
                f"{DISABLE_ENV} names {name!r}, which matches no installed plugin, so it blocks nothing"
                + (f"; {suggestion}" if suggestion else "")
                + f" (installed: {', '.join(sorted(known))})"
            )

    def _fail(self, info: PluginInfo, error: str) -> None:
        """Mark ``info`` failed and report ``error`` (once: each problem happens once per host)."""
        info.status = FAILED
        info.error = error if info.error is None else f"{info.error}; {error}"
        self._warn(
            f"plugin {info.name!r} {info.version} failed: {error}\n"
            f"  the other plugins keep working; to silence this, fix or uninstall it, "
            f"or set {DISABLE_ENV}={info.name}"
        )

    def _duplicate(self, plugin: str, error: str) -> None:
        """Report a name two plugins provide: on the second plugin's row of ``neural plugins`` and once as a warning."""
        info = self._infos[plugin]
        info.error = error if info.error is None else f"{info.error}; {error}"
        self._warn(f"{error}; until then, using that name is an error (the other names keep working)")

    def _ambiguous_names(self, kind: str) -> dict[str, NeuralError]:
        """The names of ``kind`` two plugins provide, with the error to raise when one is used."""
        self._collect(kind)
        return self._ambiguous.get(kind, {})

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

    def _collect(self, kind: str) -> dict[str, Provided]:
        """Index the classes of ``neural_register_<kind>`` by name (and alias), once."""
        if kind in self._index:
            return self._index[kind]
        hook_name = f"neural_register_{kind}"
        index: dict[str, Provided] = {}
        ambiguous: dict[str, NeuralError] = {}
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
                    if other is not None and other.cls is not cls and key not in ambiguous:
                        # Only this name breaks, and only when it is used: the rest keeps working.
                        ambiguous[key] = duplicate_name_error(
                            SINGULAR[kind], key, other, Provided(cls, plugin)
                        )
                        self._duplicate(plugin, str(ambiguous[key]))
                    elif key not in ambiguous:
                        index[key] = Provided(cls, plugin)
                provided.append((plugin, cls.name))
        for key in ambiguous:
            index.pop(key, None)
        for plugin, name in provided:
            names = self._infos[plugin].provides.setdefault(kind, [])
            if name not in names:
                names.append(name)
        self._ambiguous[kind] = ambiguous
        self._index[kind] = index
        return index

    def register_commands(self, cli: click.Group) -> None:
        """Let every plugin add its commands to ``cli`` (once per group).

        Called by the ``neural`` group the first time it lists or resolves a
        command. A command name added by two plugins is a :class:`NeuralError`.
        """
        if any(group is cli for group in self._commands_registered_on):
            return
        from neural.cli.main import _UnavailableCommand

        providers: dict[str, str] = {}
        clashes: dict[str, NeuralError] = {}
        for impl_plugin, before, after in self._each_commands_call(cli):
            for name, command in after.items():
                if name in before and before[name] is command:
                    continue
                if name in before and name not in clashes:
                    first = providers.get(name, "neural")
                    clashes[name] = NeuralError(
                        f'two plugins add a command named "{name}": {first} and {impl_plugin}; '
                        f"uninstall one of them or disable it with {DISABLE_ENV}={impl_plugin}"
                    )
                    self._duplicate(impl_plugin, str(clashes[name]))
                providers.setdefault(name, impl_plugin)
                names = self._infos[impl_plugin].provides.setdefault(COMMANDS, [])
                if name not in names:
                    names.append(name)
        for name, error in clashes.items():
            cli.add_command(_UnavailableCommand(name, error), name)
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

    # ------------------------------------------------------------- the report

    def plugin_report(self) -> list[PluginInfo]:
        """Every plugin (loaded, failed, blocked) with its version and what it provides.

        Calls every ``register`` hook not called yet; commands are known once
        the ``neural`` group has registered them (as it has when ``neural
        plugins`` runs), else they are registered on a scratch group.
        """
        for kind in (BACKENDS, SEARCHERS, DATASETS, VISUALIZERS, EXECUTORS):
            self._collect(kind)
        if not self._commands_registered_on:
            from neural.cli.main import LazyGroup

            self.register_commands(LazyGroup("neural"))
        core = [info for info in self._infos.values() if info.name == CORE_PLUGIN]
        others = sorted(
            (info for info in self._infos.values() if info.name != CORE_PLUGIN), key=lambda i: i.name
        )
        return core + others


def _check_class(kind: str, cls: Any) -> str | None:
    """Why ``cls`` cannot be registered as ``kind``, or None when it can."""
    from neural.backends.base import Backend
    from neural.datasets.base import Dataset
    from neural.search.base import Searcher
    from neural.search.executor import ExecutorPlugin

    base = {BACKENDS: Backend, SEARCHERS: Searcher, DATASETS: Dataset, EXECUTORS: ExecutorPlugin}.get(kind)
    if not isinstance(cls, type):
        return f"returned {cls!r}, expected a class"
    if base is not None and not issubclass(cls, base):
        return f"{qualname(cls)} is not a subclass of {qualname(base)}"
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        return f"{qualname(cls)} has no 'name' (a non-empty string class attribute)"
    if kind == SEARCHERS and not getattr(cls, "methods", None):
        return f"{qualname(cls)} lists no 'methods'"
    return None


def _command_table(cli: click.Group) -> dict[str, Any]:
    table: dict[str, Any] = dict(cli.commands)
    table.update(getattr(cli, "lazy_commands", {}))
    return table
