"""Located checks of train-block values that name an installed plugin feature.

The language checker cannot know which searchers and datasets are installed,
so ``search_method: "randm"`` or ``dataset: "mnist5"`` would otherwise pass
``neural check`` and fail only when a run starts, without a location. Called
by ``neural check``, ``neural compile`` and ``neural run`` right after the file
is loaded. Loading the plugins imports only their light ``plugin`` modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neural.errors import Diagnostic, DiagnosticsError, unknown_name_hint
from neural.lang.ir import Literal

if TYPE_CHECKING:
    from neural.program import Program


def installed_name_diagnostics(program: Program) -> list[Diagnostic]:
    """Diagnostics for ``search_method`` and ``dataset`` values nothing installed provides.

    An unknown method or dataset is an error with "did you mean"; a known method
    whose plugin is not installed (``bayesian`` with core alone) is a warning
    naming the package, since the file itself is fine.
    """
    from neural.plugins import manager
    from neural.plugins.name_errors import dataset_path_hint

    diagnostics: list[Diagnostic] = []
    for keyword in program.network.train or ():
        value = keyword.value
        if not isinstance(value, Literal) or not isinstance(value.value, str):
            continue  # HPO or another type: the checker reports wrong types
        if keyword.name == "search_method":
            methods = sorted({m for cls in manager.searchers().values() for m in cls.methods})
            if value.value in methods:
                continue
            packages = manager.METHOD_PACKAGES.get(value.value)
            if packages:
                diagnostics.append(
                    Diagnostic(
                        f'search_method "{value.value}" needs a search plugin that is not installed',
                        value.span,
                        hint=f"pip install {' or '.join(packages)} (installed methods: {', '.join(methods)})",
                        severity="warning",
                    )
                )
            else:
                hint = unknown_name_hint(value.value, [*methods, *manager.METHOD_PACKAGES], "search methods")
                diagnostics.append(
                    Diagnostic(f'unknown search_method "{value.value}"', value.span, hint=hint)
                )
        elif keyword.name == "dataset":
            name = value.value.split(":", 1)[0]
            installed = sorted(manager.datasets())
            if name not in installed:
                hint = dataset_path_hint(value.value, installed) or unknown_name_hint(name, installed, "datasets")
                diagnostics.append(Diagnostic(f'unknown dataset "{name}"', value.span, hint=hint))
    return diagnostics


def require_installed_names(program: Program) -> list[Diagnostic]:
    """Raise :class:`DiagnosticsError` for the errors of :func:`installed_name_diagnostics`;
    return its warnings."""
    diagnostics = installed_name_diagnostics(program)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise DiagnosticsError(errors, program.source, program.filename)
    return [d for d in diagnostics if d.severity != "error"]
