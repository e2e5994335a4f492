"""Conformance suites for plugin authors: subclass one in your package's tests.

::

    from neural.testing import BackendSuite, DatasetSuite, SearcherSuite

    class TestMyBackend(BackendSuite):
        backend_class = MyBackend

    class TestMySearcher(SearcherSuite):
        searcher_class = MySearcher
        plugin_module = "my_package.plugin"   # also checks its import stays light

    class TestMyDataset(DatasetSuite):
        dataset_class = MyDataset

Each suite trains or searches for real on tiny inputs (a few seconds), and
checks the contract core relies on (``docs/plugins.md``). The suites need
``pytest``; they are imported only by tests. :func:`import_file` imports a
script such as ``bench/<name>.py`` for tests that reuse a benchmark's code.
"""

from __future__ import annotations

from neural.testing.backend_suite import BackendSuite, RecordingReporter, StopAfter, tiny_train_data
from neural.testing.dataset_suite import DatasetSuite
from neural.testing.files import import_file
from neural.testing.searcher_suite import SearcherSuite, run_study
from neural.testing.startup import HEAVY_LIBRARIES, assert_light_import, heavy_imports

__all__ = [
    "HEAVY_LIBRARIES",
    "BackendSuite",
    "DatasetSuite",
    "RecordingReporter",
    "SearcherSuite",
    "StopAfter",
    "assert_light_import",
    "heavy_imports",
    "import_file",
    "run_study",
    "tiny_train_data",
]
