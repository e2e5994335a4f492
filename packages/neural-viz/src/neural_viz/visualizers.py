"""The visualizers ``neural visualize`` finds through ``neural_register_visualizers``.

- ``html``: the interactive report (a search's ``hpo_results.json``, or a ``.neural`` file's architecture);
- ``json``: the same report's data, one JSON document (what each figure holds);
- ``terminal``: a summary printed to the terminal (``neural visualize FILE`` without ``--format``).

``render(source, output)`` writes ``output`` atomically and returns it;
``render_results(data, output)`` does the same from a results document already
in memory — the search loop calls it after every trial of ``--report``.
Heavy work (plotly, the figures) is imported inside the methods.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from neural.errors import NeuralError

if TYPE_CHECKING:
    from rich.console import Console


def is_model_file(source: Path) -> bool:
    """A ``.neural`` source (its architecture is shown) rather than a results file."""
    return source.suffix == ".neural"


class HtmlVisualizer:
    """``--format html``: one self-contained HTML file (plotly.js inlined, nothing fetched)."""

    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = ".html"

    def render(self, source: Path, output: Path) -> Path:
        """Write the report of ``source`` (results file or ``.neural``) to ``output``."""
        from neural.search.atomic_write import write_text_atomic

        if is_model_file(source):
            from neural_viz.model_report import model_page

            write_text_atomic(output, model_page(source))
            return output
        from neural_viz.html_report import results_page
        from neural_viz.study import load_study

        write_text_atomic(output, results_page(load_study(source)))
        return output

    def render_results(self, data: dict[str, Any], output: Path, *, folder: Path | None = None) -> Path:
        """Write the report of an in-memory results document (a running search: banner and reload timer)."""
        from neural.search.atomic_write import write_text_atomic
        from neural_viz.html_report import results_page
        from neural_viz.study import study_from_data

        study = study_from_data(data, label=str(output.with_name("hpo_results.json")), folder=folder)
        write_text_atomic(output, results_page(study, live=True))
        return output


class JsonVisualizer:
    """``--format json``: the figures' data as one JSON document (``neural.hpo-report/1``)."""

    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".report.json"

    def render(self, source: Path, output: Path) -> Path:
        """Write the data of ``source``'s report (every figure's info) to ``output``."""
        from neural.search.atomic_write import write_text_atomic

        if is_model_file(source):
            from neural_viz.figures.architecture import source_architecture

            data: dict[str, Any] = {
                "schema": "neural.model-report/1",
                "architecture": source_architecture(source),
            }
        else:
            from neural_viz.report import report_info
            from neural_viz.study import load_study

            data = report_info(load_study(source))
        write_text_atomic(output, json.dumps(data, indent=1, allow_nan=False, ensure_ascii=False) + "\n")
        return output


class TerminalVisualizer:
    """No ``--format``: a summary on the terminal (best trials, importance bars; or the layers of a model)."""

    name: ClassVar[str] = "terminal"
    writes_file: ClassVar[bool] = False

    def render(self, source: Path, output: Path) -> Path:  # pragma: no cover - the CLI calls show()
        raise NeuralError("the terminal summary prints instead of writing a file: leave out --format")

    def show(self, source: Path, console: Console) -> None:
        """Print the summary of ``source`` to ``console``."""
        from neural_viz.terminal import show_model, show_results

        if is_model_file(source):
            show_model(source, console)
        else:
            show_results(source, console)
