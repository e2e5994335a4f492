"""Hook implementations of neural-search-optuna (entry point ``neural``).

Holds hook implementations only; Optuna is imported when a searcher is built,
never when the plugin is loaded, so ``neural --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

from neural.plugins import hookimpl


@hookimpl
def neural_register_searchers() -> list[Any]:
    """Provide :class:`~neural_search_optuna.searcher.OptunaSearcher` (``optuna``: random, bayesian, grid)."""
    from neural_search_optuna.searcher import OptunaSearcher

    return [OptunaSearcher]
