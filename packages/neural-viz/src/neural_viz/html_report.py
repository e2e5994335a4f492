"""The HTML report of a search (``neural visualize hpo_results.json --format html``, and ``--report``)."""

from __future__ import annotations

from typing import Any

from neural_viz.figures.summary import summary_rows
from neural_viz.page import (
    LIVE_REFRESH_SECONDS,
    architecture_html,
    escape,
    figure_section,
    key_value_table,
    page,
)
from neural_viz.report import SECTIONS, report_figures, report_info
from neural_viz.study import Study


def results_page(study: Study, *, live: bool = False) -> str:
    """The whole page for ``study``; ``live`` (a search still running) adds a banner and a reload timer."""
    info = report_info(study)
    return results_page_from_info(info, live=live and study.data.get("status") == "running")


def results_page_from_info(info: dict[str, Any], *, live: bool = False) -> str:
    """The page from the report's data (:func:`neural_viz.report.report_info`)."""
    figures = report_figures(info)
    summary = info["summary"]
    parts = []
    if summary["status"] == "running":
        parts.append(
            f'<div class="banner" id="running-banner">This search is still running: {summary["trials"]} trial(s) '
            f"so far, last updated {escape(summary['updated'])} (UTC)."
            + (f" The page reloads every {LIVE_REFRESH_SECONDS} s." if live else "")
            + "</div>"
        )
    parts.append(
        '<section id="section-summary"><h2>Summary</h2><p class="read">The best trial, how the search was run, and '
        f"what it ran on.</p>{key_value_table(summary_rows(summary))}</section>\n"
    )
    for key, heading, reading in SECTIONS:
        parts.append(figure_section(key, heading, reading))
    parts.append(
        '<section id="section-table"><h2>Every trial</h2><p class="read">One row per trial; click a heading to sort '
        'by it. The best trial is in bold.</p><div id="trials-table"></div></section>\n'
    )
    parts.append(
        '<section id="section-architecture"><h2>Architecture of the best point</h2><p class="read">Each layer of '
        "the best trial's model with its output shape and parameter count, and where each hyperparameter sits.</p>"
        f"{architecture_html(info['architecture'])}</section>\n"
    )
    network = summary["source"].get("network") or "search"
    return page(
        title=f"HPO report: {network}",
        subtitle=f"{info['source']} · {summary['trials']} trial(s) · objective {summary['objective']['metric']}",
        body="".join(parts),
        figures=[{"id": f"fig-{key}", **figures[key]} for key, _, _ in SECTIONS],
        table=info["table"],
        refresh_seconds=LIVE_REFRESH_SECONDS if live else None,
    )
