"""The searcher conformance suite of ``neural.testing`` passes for OptunaSearcher (every method)."""

from __future__ import annotations

from neural.testing import SearcherSuite
from neural_search_optuna.searcher import OptunaSearcher


class TestOptunaSearcherConformance(SearcherSuite):
    plugin_module = "neural_search_optuna.plugin"
    searcher_class = OptunaSearcher
