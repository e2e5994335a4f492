"""What the figure modules share: escaping, colours, trace types, number rounding, empty figures, gapped lines."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

#: Above this many points a scatter is drawn with WebGL (``scattergl``): SVG gets slow past a few thousand.
WEBGL_FROM = 1000

#: The colours of the trial states, used alike in every figure and the table.
STATE_COLOURS = {
    "complete": "#1f77b4",
    "pruned": "#ff7f0e",
    "failed": "#d62728",
    "running": "#7f7f7f",
}
BEST_COLOUR = "#2ca02c"

#: System fonts only: the report never loads a web font.
FONT = {
    "family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif",
    "size": 12,
}


def text(value: Any) -> str:
    """User text (names, labels, failure reasons) made safe for plotly.js, which reads some HTML in strings."""
    return html.escape(str(value), quote=True)


def scatter_type(points: int) -> str:
    """``scattergl`` (WebGL) for many points, else ``scatter`` (SVG)."""
    return "scattergl" if points > WEBGL_FROM else "scatter"


def rounded(value: float | None, digits: int = 6) -> float | None:
    """``value`` to ``digits`` significant digits (smaller reports; no visible change), None kept."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(f"{value:.{digits}g}")


def layout(title: str, **extra: Any) -> dict[str, Any]:
    """A figure layout with the report's title style and fonts."""
    base: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "font": FONT,
        "margin": {"l": 70, "r": 30, "t": 80, "b": 60},
        "template": None,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hovermode": "closest",
    }
    base.update(extra)
    return base


def empty_figure(title: str, message: str) -> dict[str, Any]:
    """A figure that draws only ``message`` (e.g. "no trial completed yet") in its middle."""
    return {
        "data": [{"type": "scatter", "x": [], "y": [], "mode": "markers", "showlegend": False}],
        "layout": layout(
            title,
            xaxis={"visible": False},
            yaxis={"visible": False},
            height=260,
            meta={"empty": True},
            annotations=[
                {
                    "text": text(message),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "showarrow": False,
                    "font": {"size": 15, "color": "#555"},
                }
            ],
        ),
    }


def objective_label(metric: str, direction: str) -> str:
    """The objective's axis title: ``val_loss (lower is better)``."""
    return f"{text(metric)} ({'higher' if direction == 'maximize' else 'lower'} is better)"


def gapped_trace(
    kind: str,
    state: str,
    segments: Sequence[tuple[Sequence[Any], Sequence[Any], int]],
    hover: str,
    **style: Any,
) -> dict[str, Any]:
    """One trace drawing every trial of ``state`` as its own polyline, the lines kept apart by gaps.

    Called by the figures that draw one line per trial (learning curves, the
    timeline): ``segments`` holds each trial's ``(xs, ys, number)``, so 10,000
    trials stay one trace per state. ``hover`` follows ``trial N<br>`` in the
    hover text; ``style`` (mode, marker, line, ...) goes into the trace as given.
    """
    xs: list[Any] = []
    ys: list[Any] = []
    numbers: list[int | None] = []
    for seg_xs, seg_ys, number in segments:
        xs.extend([*seg_xs, None])
        ys.extend([*seg_ys, None])
        numbers.extend([*[number] * len(seg_xs), None])
    return {
        "type": kind,
        "name": f"{state} ({len(segments)})",
        "x": xs,
        "y": ys,
        "customdata": numbers,
        **style,
        "connectgaps": False,
        "hovertemplate": "trial %{customdata}<br>" + hover + "<extra>" + state + "</extra>",
    }
