"""Opening report pages in a headless Chromium (Debian's ``chromium``, driven by playwright).

Every page is opened with the network blocked: a request that is not a
``file:`` URL is aborted and recorded. Screenshots go to ``test-artifacts/viz/``
at the repository root (or ``$NEURAL_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--enable-unsafe-swiftshader",
]
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("NEURAL_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "viz"


def ensure_chromium() -> None:
    """Install Debian's chromium when it is missing (the test set-up runs as root)."""
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail("chromium is missing and apt-get is not available to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update"], check=True, env=env, capture_output=True)
    subprocess.run([apt, "install", "-y", "chromium"], check=True, env=env, capture_output=True)
    if not CHROMIUM.exists():
        pytest.fail("apt-get install chromium did not install /usr/bin/chromium")


@dataclass
class OpenedPage:
    """What a report page did in the browser."""

    ready: str | None
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    figures: dict[str, dict[str, int]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    alerts: list[str] = field(default_factory=list)


#: Per figure element: drawn SVG marks (points, lines, bars, contour paths) and WebGL canvases with a size.
FIGURE_PROBE = """
() => {
  const out = {};
  for (const element of document.querySelectorAll('div.figure')) {
    const marks = element.querySelectorAll(
      'svg .point, svg path.js-line, svg .bars path, svg .contourlevel path, svg .contourbg path,' +
      ' svg .parcoords .axis, svg .heatmaplayer image, svg .trace path');
    const canvases = Array.from(element.querySelectorAll('canvas')).filter(c => c.width > 0 && c.height > 0);
    const traces = (element.data || []).length;
    const empty = Boolean(element.layout && element.layout.meta && element.layout.meta.empty);
    const notes = element.querySelectorAll('svg .annotation-text').length;
    out[element.id] = {marks: marks.length, canvases: canvases.length, traces: traces, empty: empty, notes: notes};
  }
  return out;
}
"""


def open_report(browser: Any, path: Path, screenshot: str | None = None) -> OpenedPage:
    """Open ``path`` with the network blocked; wait until every figure is drawn; probe it; screenshot it."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    opened = OpenedPage(ready=None)
    page.on(
        "console", lambda message: opened.errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("requestfailed", lambda request: opened.failed.append(request.url))
    page.on("dialog", lambda dialog: (opened.alerts.append(dialog.message), dialog.dismiss()))

    def route(route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    try:
        started = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-report-ready]", timeout=60_000)
        opened.seconds = time.perf_counter() - started
        opened.ready = page.get_attribute("body", "data-report-ready")
        opened.figures = page.evaluate(FIGURE_PROBE)
        for section in page.query_selector_all("section"):
            opened.texts[section.get_attribute("id") or ""] = section.inner_text()
        if screenshot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{screenshot}.png"), full_page=True)
    finally:
        context.close()
    return opened


def assert_drawn(opened: OpenedPage) -> None:
    """Every figure drawn (SVG marks or a WebGL canvas), no JavaScript error, no request attempted."""
    assert opened.ready == "yes", opened.errors
    assert opened.errors == []
    assert opened.blocked == [] and opened.failed == []
    assert opened.alerts == []
    assert opened.figures, "no figure on the page"
    for name, probe in opened.figures.items():
        assert probe["traces"] > 0, f"{name} has no trace"
        if probe["empty"]:  # a figure with nothing to plot yet says why, in its middle
            assert probe["notes"] == 1, f"{name} shows no message: {probe}"
        else:
            assert probe["marks"] + probe["canvases"] > 0, f"{name} drew nothing: {probe}"
