"""Reports open in a real headless Chromium with the network blocked, and every figure is drawn.

One browser for the session (the ``browser`` fixture); each page is checked for
JavaScript errors, attempted requests, and a drawn SVG or WebGL layer in every
figure. Screenshots of each page land in ``test-artifacts/viz/``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, load, search_of
from viz_browser import assert_drawn, open_report

from neural_viz.html_report import results_page
from neural_viz.study import load_study, study_from_data
from neural_viz.visualizers import HtmlVisualizer

HOSTILE = "<script>alert('reason')</script><img src=x onerror=alert(2)>"


@pytest.mark.parametrize("case", CASES)
def test_the_report_of_a_real_search_draws_every_figure_offline(
    browser: Any, searches: dict[str, Path], tmp_path: Path, case: str
) -> None:
    report = HtmlVisualizer().render(search_of(searches, case), tmp_path / "report.html")
    html = report.read_text()

    opened = open_report(browser, report, screenshot=f"report-{case}")

    assert_drawn(opened)
    assert html.count("<script") == 3  # plotly.js once, the data block, the page's own script
    assert "<script src" not in html and "http://" not in html.split("/*")[0][:2000]
    assert "@import" not in html and "fonts.googleapis" not in html
    summary = opened.texts["section-summary"]
    best = load(search_of(searches, case))["best_trial"]
    if best is None:
        assert "no trial completed" in summary
    else:
        assert f"(trial {best['number']})" in summary


def test_user_text_is_shown_as_text_never_run(
    browser: Any, searches: dict[str, Path], tmp_path: Path
) -> None:
    data = copy.deepcopy(load(searches["every_form"]))
    data["trials"][0].update(state="failed", value=None, error=HOSTILE)
    data["source"]["network"] = "<b>bold</b>"
    page = tmp_path / "hostile.html"
    page.write_text(results_page(study_from_data(data, folder=searches["every_form"].parent)))
    html = page.read_text()

    opened = open_report(browser, page, screenshot="report-hostile-text")

    assert_drawn(opened)  # no alert, no request for "x", no error
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert HOSTILE in opened.texts["section-table"]
    assert (
        "<script>alert(1)</script>" in opened.texts["section-table"]
    )  # the custom option's name, as written
    assert "<script>alert(1)</script>" in opened.texts["section-architecture"]


def test_a_running_search_says_so(browser: Any, searches: dict[str, Path], tmp_path: Path) -> None:
    data = copy.deepcopy(load(searches["random"]))
    data["status"] = "running"
    data["trials"][-1].update(state="running", value=None, duration=None, finished=None)
    page = tmp_path / "live.html"
    page.write_text(results_page(study_from_data(data), live=True))

    opened = open_report(browser, page)

    assert_drawn(opened)
    assert 'http-equiv="refresh"' in page.read_text()
    assert opened.figures["fig-history"]["marks"] > 0


def test_the_model_report_shows_layers_shapes_and_hyperparameters(browser: Any, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[3] / "examples" / "advanced_hpo.neural"
    page = HtmlVisualizer().render(source, tmp_path / "model.html")

    opened = open_report(browser, page, screenshot="model-advanced_hpo")

    assert_drawn(opened)
    text = opened.texts["section-architecture"]
    assert "Conv2D" in text and "(28, 28, 32)" in text and "401,536" in text
    assert "conv2d_1.kernel_size" in text and "optimizer.learning_rate.initial_learning_rate" in text
    assert "log" in text


def test_figures_hold_the_points_of_the_results_file(
    browser: Any, searches: dict[str, Path], tmp_path: Path
) -> None:
    """The page's history figure is drawn with one marker per complete trial (SVG, so they can be counted)."""
    path = searches["random"]
    report = HtmlVisualizer().render(path, tmp_path / "count.html")
    data = load(path)
    complete = [t for t in data["trials"] if t["state"] == "complete"]
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(report.resolve().as_uri())
        page.wait_for_selector("body[data-report-ready]")
        drawn = page.evaluate(
            "() => document.querySelectorAll('#fig-history .scatterlayer .trace:first-child .point').length"
        )
        best_text = page.evaluate("() => document.getElementById('fig-history').data.at(-1).name")
    finally:
        context.close()
    assert drawn == len(complete)
    assert f"trial {data['best_trial']['number']}" in best_text
    assert json.dumps(data["best_trial"]["number"]) in best_text
    assert load_study(path).best() is not None


def test_the_trials_table_sorts_by_a_clicked_column(
    browser: Any, searches: dict[str, Path], tmp_path: Path
) -> None:
    path = searches["pruned"]
    data = load(path)
    report = HtmlVisualizer().render(path, tmp_path / "sort.html")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(report.resolve().as_uri())
        page.wait_for_selector("body[data-report-ready]")
        column = page.locator("#trials-table th", has_text=data["objective"]["metric"])
        column.click()
        ascending = page.eval_on_selector_all(
            "#trials-table tbody tr td:first-child", "cells => cells.map(c => c.textContent)"
        )
        column.click()
        descending = page.eval_on_selector_all(
            "#trials-table tbody tr td:first-child", "cells => cells.map(c => c.textContent)"
        )
    finally:
        context.close()
    valued = sorted(
        (t for t in data["trials"] if t["value"] is not None), key=lambda t: (t["value"], t["number"])
    )
    assert ascending[0] == str(data["best_trial"]["number"]) == str(valued[0]["number"])
    assert ascending[: len(valued)] == [str(t["number"]) for t in valued]  # trials without a value go last
    assert descending[0] == str(valued[-1]["number"])
    assert len(ascending) == len(data["trials"])
