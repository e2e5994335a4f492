"""Hook implementations of neural-search-hyperopt (entry point ``neural``).

Holds hook implementations only; hyperopt is imported when a searcher is built,
never when the plugin is loaded, so ``neural --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

from neural.plugins import hookimpl


@hookimpl
def neural_register_searchers() -> list[Any]:
    """Provide :class:`~neural_search_hyperopt.searcher.HyperoptSearcher` (``hyperopt``: random, bayesian, anneal)."""
    from neural_search_hyperopt.searcher import HyperoptSearcher

    return [HyperoptSearcher]
