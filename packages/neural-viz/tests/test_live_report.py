"""``--report``: report.html is rewritten while the search runs (marked as running) and once at its end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import viz_models
from click.testing import CliRunner
from viz_browser import assert_drawn, open_report

from neural.cli.main import cli
from neural.plugins import manager
from neural_viz.visualizers import HtmlVisualizer


def test_compile_hpo_report_rewrites_the_page_after_trials_and_at_the_end(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages: list[tuple[str, str]] = []
    real = HtmlVisualizer.render_results

    def spy(self: HtmlVisualizer, data: dict[str, Any], output: Path, *, folder: Path | None = None) -> Path:
        written = real(self, data, output, folder=folder)
        pages.append((data["status"], written.read_text()))
        return written

    monkeypatch.setattr(HtmlVisualizer, "render_results", spy)
    monkeypatch.chdir(tmp_path)
    Path("model.neural").write_text(viz_models.ONE_PARAM)
    manager.reset()

    result = CliRunner().invoke(
        cli,
        ["compile", "model.neural", "--hpo", "--report", "--searcher", "random", "--out", "out"],
        prog_name="neural",
    )

    assert result.exit_code == 0, result.output
    report = tmp_path / "out" / "report.html"
    assert "wrote out/report.html" in result.stdout
    assert [status for status, _ in pages][-1] == "finished"
    running = [html for status, html in pages if status == "running"]
    assert running, "no page was written while the search ran"
    assert 'id="running-banner"' in running[0] and 'http-equiv="refresh"' in running[0]
    final = report.read_text()
    assert 'id="running-banner"' not in final and "http-equiv" not in final
    assert not list(report.parent.glob("*.tmp*"))  # written atomically: no temp file left
    opened = open_report(browser, report, screenshot="live-report-final")
    assert_drawn(opened)


def test_report_without_hpo_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("model.neural").write_text(viz_models.ONE_PARAM)

    result = CliRunner().invoke(cli, ["compile", "model.neural", "--report"], prog_name="neural")

    assert result.exit_code == 2
    assert "--report" in result.output and "need --hpo" in result.output


def test_report_without_the_html_visualizer_stops_before_the_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEURAL_DISABLE_PLUGINS", "neural-viz")
    Path("model.neural").write_text(viz_models.ONE_PARAM)
    manager.reset()
    try:
        result = CliRunner().invoke(
            cli, ["compile", "model.neural", "--hpo", "--report", "--searcher", "random"], prog_name="neural"
        )
    finally:
        monkeypatch.delenv("NEURAL_DISABLE_PLUGINS")
        manager.reset()

    assert result.exit_code == 1
    assert 'visualizer "html" is not installed: pip install neural-viz' in result.stderr
    assert not Path("hpo_results.json").exists()
