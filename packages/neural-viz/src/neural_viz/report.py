"""The report of a search as data: every figure's info (``--format json``) and its plotly figure.

:func:`report_info` is called once per report; :func:`report_figures` turns its
output into the figures the HTML page draws. Both are pure: no plotly import,
no file written.
"""

from __future__ import annotations

from typing import Any

from neural_viz.figures.architecture import best_point_architecture
from neural_viz.figures.contour import contour_figure, contour_info
from neural_viz.figures.curves import curves_figure, curves_info
from neural_viz.figures.history import history_figure, history_info
from neural_viz.figures.importance import importance_figure, importance_info
from neural_viz.figures.parallel import parallel_figure, parallel_info
from neural_viz.figures.slices import slices_figure, slices_info
from neural_viz.figures.summary import summary_info
from neural_viz.figures.table import table_info
from neural_viz.figures.timeline import timeline_figure, timeline_info
from neural_viz.study import Study

JSON_SCHEMA_ID = "neural.hpo-report/1"

#: The figures in page order: (key in the info, section heading, what to read from it).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "history",
        "Optimisation history",
        "How the objective moved over the trials, and when the best was found.",
    ),
    ("importance", "Parameter importance", "Which parameters decide whether a trial is among the best."),
    ("parallel", "Parallel coordinates", "Which combinations of values the best trials share."),
    ("slices", "Slices", "How the objective depends on each parameter on its own."),
    ("contour", "Contour", "How the two most important parameters act together."),
    (
        "curves",
        "Learning curves",
        "How each trial learned, epoch by epoch, and where pruned or failed ones stopped.",
    ),
    ("timeline", "Timeline", "When each trial ran and how busy the workers were."),
)


def report_info(study: Study) -> dict[str, Any]:
    """Every figure's data, plus the summary, the trials table and the best point's architecture."""
    importance = importance_info(study)
    return {
        "schema": JSON_SCHEMA_ID,
        "source": study.source_label,
        "summary": summary_info(study),
        "history": history_info(study),
        "importance": importance,
        "parallel": parallel_info(study),
        "slices": slices_info(study),
        "contour": contour_info(study, importance["params"]),
        "curves": curves_info(study),
        "timeline": timeline_info(study),
        "table": table_info(study),
        "architecture": best_point_architecture(study),
    }


_BUILDERS = {
    "history": history_figure,
    "importance": importance_figure,
    "parallel": parallel_figure,
    "slices": slices_figure,
    "contour": contour_figure,
    "curves": curves_figure,
    "timeline": timeline_figure,
}


def report_figures(info: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The plotly figure of each section (``{"data": [...], "layout": {...}}``), keyed as in :data:`SECTIONS`."""
    return {key: _BUILDERS[key](info[key]) for key, _, _ in SECTIONS}
