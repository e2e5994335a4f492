"""``--report``: rewrite ``report.html`` after every trial, so a running search can be watched in a browser.

The driver makes one :class:`LiveReport` when the search starts (which fails
right away, with the pip hint, when no ``html`` visualizer is installed) and
the trial runner calls it after each trial ends; the driver calls it once more,
``final=True``, when the search ends. The page is written by the ``html``
visualizer plugin (``neural-viz``) from the results document in memory, through
the plugin lookup: core never imports the plugin. A report that cannot be
written is said once and the search goes on.

Writing the page takes a fraction of a second; so that it never slows a search
of short trials down much, a trial that ends within ``SLACK`` times the last
write's duration after it is not rewritten for (the next one, or the final
write, brings the page up to date).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError

if TYPE_CHECKING:
    from rich.console import Console

    from neural.search.results import StudyRecord

REPORT_FILENAME = "report.html"
#: A rewrite is skipped while less than SLACK × the last write's duration has passed since it.
SLACK = 4.0


class LiveReport:
    """Rewrites ``OUT/report.html`` from the study record (called by the trial runner and the driver)."""

    def __init__(self, out_dir: Path, console: Console) -> None:
        from neural.plugins.manager import get_visualizer

        visualizer = get_visualizer("html")
        self._render: Any = getattr(visualizer, "render_results", None)
        if self._render is None:
            raise NeuralError(
                "--report needs an html visualizer that can write a report during a search; "
                "pip install neural-viz"
            )
        self.path = Path(out_dir) / REPORT_FILENAME
        self.folder = Path(out_dir)
        self.console = console
        self.written = False
        self._failed = False
        self._next_at = 0.0

    def __call__(self, study: StudyRecord, *, final: bool = False) -> None:
        """Write the page for the study as it is now (skipped when too soon after the last, unless ``final``)."""
        if self._failed or not study.trials or (not final and time.monotonic() < self._next_at):
            return
        started = time.monotonic()
        try:
            self._render(study.to_json(), self.path, folder=self.folder)
        except Exception as error:  # a report must never stop the search it reports on
            self._failed = True
            self.console.print(
                f"note: {self.path} could not be written ({error}); the search goes on without it"
            )
            return
        took = time.monotonic() - started
        self._next_at = time.monotonic() + SLACK * took
        if not self.written:
            self.console.print(f"report: {self.path} (rewritten after every trial; open it in a browser)")
        self.written = True
