"""The versions of the libraries a search used, for the results file.

Called once per search by the driver. Looks up installed distributions with
``importlib.metadata`` (no imports of the libraries themselves).
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

#: Libraries worth recording whenever they are installed.
_RELEVANT = ("numpy", "torch", "tensorflow", "keras", "optuna", "hyperopt")


def distribution_of(obj: Any) -> str | None:
    """The installed distribution that provides ``obj``'s class (``neural-backend-torch``), or None."""
    top_level = type(obj).__module__.split(".")[0]
    if top_level == "neural":
        return "neural-core"
    name = top_level.replace("_", "-")  # neural_backend_torch → neural-backend-torch (the naming rule)
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    return name


def library_versions(*components: Any) -> dict[str, str]:
    """``{"python": ..., "neural-core": ..., <each component's distribution>: ..., torch: ...}``."""
    versions = {"python": platform.python_version()}
    wanted = ["neural-core"]
    wanted += [name for name in (distribution_of(c) for c in components) if name]
    wanted += list(_RELEVANT)
    for name in wanted:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
