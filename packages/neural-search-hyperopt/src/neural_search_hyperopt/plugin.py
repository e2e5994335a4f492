"""Hook implementations of the ``neural-search-hyperopt`` plugin (entry point ``neural``).

This package provides no features yet, so this module registers nothing.
When the Hyperopt searchers land, the hook goes here, importing the heavy
library only inside the hook function::

    from neural.plugins import hookimpl

    @hookimpl
    def neural_register_searchers():
        from neural_search_hyperopt.searcher import HyperoptSearcher
        return [HyperoptSearcher]
"""

from __future__ import annotations
