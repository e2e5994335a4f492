"""The searcher conformance suite of ``neural.testing`` passes for HyperoptSearcher (every method)."""

from __future__ import annotations

from neural.testing import SearcherSuite
from neural_search_hyperopt.searcher import HyperoptSearcher


class TestHyperoptSearcherConformance(SearcherSuite):
    searcher_class = HyperoptSearcher
    plugin_module = "neural_search_hyperopt.plugin"
