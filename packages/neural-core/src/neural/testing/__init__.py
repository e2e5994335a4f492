"""Conformance suites for plugin authors: subclass one in your package's tests.

::

    from neural.testing import BackendSuite, SearcherSuite

    class TestMyBackend(BackendSuite):
        backend_class = MyBackend

    class TestMySearcher(SearcherSuite):
        searcher_class = MySearcher

Each suite trains or searches for real on tiny inputs (a few seconds), and
checks the contract core relies on (``docs/plugins.md``). The suites need
``pytest``; they are imported only by tests.
"""

from __future__ import annotations

from neural.testing.backend_suite import BackendSuite, RecordingReporter, StopAfter, tiny_train_data
from neural.testing.searcher_suite import SearcherSuite, run_study

__all__ = ["BackendSuite", "RecordingReporter", "SearcherSuite", "StopAfter", "run_study", "tiny_train_data"]
