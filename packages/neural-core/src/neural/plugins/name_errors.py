"""The errors for a plugin-provided name that is unknown, not installed or provided twice.

Builds the :class:`NeuralError` messages with "did you mean" and the package to
install. Called by :class:`neural.plugins.host.PluginHost` (two plugins
providing one name) and :class:`neural.plugins.lookups.PluginLookups` (an
unknown backend, searcher, dataset, visualizer or ``search_method``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from neural.errors import NeuralError, closest_names, did_you_mean
from neural.plugins.kinds import (
    BACKENDS,
    DATASETS,
    DISABLE_ENV,
    EXECUTORS,
    SEARCHERS,
    SINGULAR,
    VISUALIZERS,
    Provided,
    qualname,
)

if TYPE_CHECKING:
    from neural.search.base import Searcher

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
    VISUALIZERS: {"html": "neural-viz", "json": "neural-viz", "terminal": "neural-viz"},
    EXECUTORS: {"ray": "neural-executor-ray"},
}

#: The packages that provide a ``search_method`` core does not implement itself.
METHOD_PACKAGES: dict[str, tuple[str, ...]] = {
    "bayesian": ("neural-search-optuna", "neural-search-hyperopt"),
    "anneal": ("neural-search-hyperopt",),
}


def unknown_name_error(kind: str, name: str, installed: list[str], aliases: Iterable[str] = ()) -> NeuralError:
    """The error for an unknown backend/searcher/dataset/visualizer name.

    Says "did you mean" when a name is close, lists the installed names and,
    for a well-known name that is not installed, the package to install.
    ``aliases`` are further installed names (a backend's ``torch``): they may be
    suggested and are never called "not installed".
    """
    singular = SINGULAR[kind]
    hints = PIP_HINTS.get(kind, {})
    usable = {*installed, *aliases}
    listing = f"installed {kind}: {', '.join(installed) if installed else 'none'}"
    if name in hints and name not in usable:
        return NeuralError(f'{singular} "{name}" is not installed: pip install {hints[name]} ({listing})')
    candidates = sorted({*usable, *hints})
    message = f'unknown {singular} "{name}"'
    path_hint = dataset_path_hint(name, installed) if kind == DATASETS else None
    if path_hint:
        return NeuralError(f"{message}: {path_hint} ({listing})")
    close = closest_names(name, candidates)
    if close:
        suggestion = f"did you mean '{close[0]}'?"
        if close[0] in hints and close[0] not in usable:
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


def dataset_path_hint(spec: str, installed: Iterable[str]) -> str | None:
    """``did you mean "npz:./x.npz"?`` for a file path given where a dataset spec belongs, else None.

    A path whose suffix names an installed dataset (``.npz``, ``.csv``) is that
    dataset's argument: ``--data ./x.npz`` means ``npz:./x.npz``.
    """
    from pathlib import PurePath

    suffix = PurePath(spec).suffix.lstrip(".").lower()
    if suffix and suffix in set(installed) and ":" not in spec:
        return f'did you mean "{suffix}:{spec}"? (a file is given as NAME:PATH)'
    return None


def missing_method_error(method: str, installed: dict[str, type[Searcher]]) -> NeuralError:
    """The error for a ``search_method`` no installed searcher implements.

    Names the package to install for a known method, else says "did you mean"
    and lists the installed methods.
    """
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


class DuplicateNameError(NeuralError):
    """Two plugins provide one name; ``classes`` are the two classes registered under it."""

    def __init__(self, message: str, classes: tuple[type, ...] = ()) -> None:
        super().__init__(message)
        self.classes = classes


def duplicate_name_error(singular: str, name: str, first: Provided, second: Provided) -> DuplicateNameError:
    """The error for two plugins registering different classes under one name (or alias)."""
    return DuplicateNameError(
        f'two plugins provide a {singular} named "{name}": {first.provider} ({qualname(first.cls)}) '
        f"and {second.provider} ({qualname(second.cls)}); uninstall one of them or disable it with "
        f"{DISABLE_ENV}={second.provider}",
        (first.cls, second.cls),
    )
