"""Slice plot: the objective against each parameter on its own, one panel per parameter."""

from __future__ import annotations

import math
from typing import Any

from neural_viz.figures.common import (
    BEST_COLOUR,
    STATE_COLOURS,
    empty_figure,
    layout,
    rounded,
    scatter_type,
    text,
)
from neural_viz.study import Study

TITLE = "Slices — the objective against each parameter alone; the star is the best trial"
COLUMNS = 3
PANEL_HEIGHT = 260


def slices_info(study: Study) -> dict[str, Any]:
    """Per parameter: the complete trials' values on its axis (labels for categories) and their objective."""
    complete = study.complete()
    best = study.best()
    panels = []
    for param in study.params:
        xs: list[Any] = []
        ys: list[float] = []
        numbers: list[int] = []
        for trial in complete:
            if param.name not in trial.params:
                continue
            value = trial.params[param.name]
            xs.append(param.label(value) if param.is_categorical else value)
            ys.append(float(trial.value))  # type: ignore[arg-type]
            numbers.append(trial.number)
        panels.append(
            {
                "name": param.name,
                "kind": param.kind,
                "log": param.log,
                "categories": list(param.labels) if param.is_categorical else None,
                "x": xs,
                "y": ys,
                "numbers": numbers,
                "best_x": None
                if best is None or param.name not in best.params
                else (
                    param.label(best.params[param.name]) if param.is_categorical else best.params[param.name]
                ),
            }
        )
    return {
        "metric": study.metric,
        "direction": study.direction,
        "panels": panels,
        "best": None if best is None else {"number": best.number, "value": best.value},
    }


def slices_figure(info: dict[str, Any]) -> dict[str, Any]:
    """A grid of panels, ``COLUMNS`` wide, each a scatter (WebGL when large) with the best point starred."""
    panels = info["panels"]
    if not panels or not any(panel["x"] for panel in panels):
        return empty_figure(TITLE, "no trial completed yet, so there is nothing to draw")
    columns = min(COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    gap_x, gap_y = 0.08, 0.5 / max(rows, 1) * 0.35
    width = (1.0 - gap_x * (columns - 1)) / columns
    height = (1.0 - gap_y * (rows - 1)) / rows
    traces: list[dict[str, Any]] = []
    axes: dict[str, Any] = {}
    best = info["best"]
    for index, panel in enumerate(panels):
        row, column = divmod(index, columns)
        suffix = "" if index == 0 else str(index + 1)
        x0 = column * (width + gap_x)
        y1 = 1.0 - row * (height + gap_y)
        categorical = panel["categories"] is not None
        xs = [text(x) for x in panel["x"]] if categorical else [rounded(x, 5) for x in panel["x"]]
        traces.append(
            {
                "type": scatter_type(len(xs)),
                "x": xs,
                "y": [rounded(y, 5) for y in panel["y"]],
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "mode": "markers",
                "marker": {"color": STATE_COLOURS["complete"], "size": 5, "opacity": 0.6},
                "showlegend": False,
                "hovertemplate": "%{x}<br>value %{y}<extra></extra>",
            }
        )
        if best is not None and panel["best_x"] is not None:
            traces.append(
                {
                    "type": "scatter",
                    "x": [text(panel["best_x"]) if categorical else rounded(panel["best_x"])],
                    "y": [rounded(best["value"])],
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "mode": "markers",
                    "marker": {
                        "color": BEST_COLOUR,
                        "size": 13,
                        "symbol": "star",
                        "line": {"color": "#000", "width": 1},
                    },
                    "showlegend": False,
                    "hovertemplate": f"best: trial {best['number']}<br>%{{x}}<br>value %{{y}}<extra></extra>",
                }
            )
        xaxis: dict[str, Any] = {
            "domain": [round(x0, 4), round(min(1.0, x0 + width), 4)],
            "anchor": f"y{suffix}",
            "title": {"text": text(panel["name"]), "standoff": 4},
            "gridcolor": "#eee",
        }
        if categorical:
            xaxis.update(
                type="category", categoryorder="array", categoryarray=[text(c) for c in panel["categories"]]
            )
        elif panel["log"]:
            xaxis["type"] = "log"
        axes[f"xaxis{suffix}"] = xaxis
        axes[f"yaxis{suffix}"] = {
            "domain": [round(max(0.0, y1 - height), 4), round(y1, 4)],
            "anchor": f"x{suffix}",
            "gridcolor": "#eee",
            "title": {"text": text(info["metric"]) if column == 0 else ""},
        }
    return {
        "data": traces,
        "layout": layout(TITLE, height=90 + PANEL_HEIGHT * rows, showlegend=False, **axes),
    }
