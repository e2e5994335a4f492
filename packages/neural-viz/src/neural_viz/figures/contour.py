"""Contour of the objective over the two most important parameters (inverse-distance interpolation)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neural_viz.figures.axes import axis_ticks, axis_values
from neural_viz.figures.common import BEST_COLOUR, empty_figure, layout, rounded, text
from neural_viz.study import Study

TITLE = "Contour of the two most important parameters — colour is the objective; dots are trials"
GRID = 25
NEIGHBOURS = 8
CHUNK = 64


def contour_info(study: Study, ranked_params: list[str]) -> dict[str, Any]:
    """The objective interpolated on a grid over the two first of ``ranked_params`` (else the first two)."""
    names = [p for p in ranked_params if any(q.name == p for q in study.params)][:2]
    for param in study.params:
        if len(names) >= 2:
            break
        if param.name not in names:
            names.append(param.name)
    complete = study.complete()
    if len(names) < 2:
        return {"params": names, "note": "needs two parameters"}
    by_name = {p.name: p for p in study.params}
    px, py = by_name[names[0]], by_name[names[1]]
    trials = [t for t in complete if px.name in t.params and py.name in t.params]
    if len(trials) < 3:
        return {"params": names, "note": "needs at least three complete trials"}
    xs, ys = axis_values(px, trials), axis_values(py, trials)
    keep = [i for i in range(len(trials)) if xs[i] is not None and ys[i] is not None]
    x = np.array([xs[i] for i in keep], dtype=float)
    y = np.array([ys[i] for i in keep], dtype=float)
    z = np.array([trials[i].value for i in keep], dtype=float)
    x_ticks, y_ticks = axis_ticks(px, xs), axis_ticks(py, ys)
    gx = _grid(px.is_categorical, len(px.labels), x_ticks["range"])
    gy = _grid(py.is_categorical, len(py.labels), y_ticks["range"])
    surface = _interpolate(x, y, z, gx, gy, x_ticks["range"], y_ticks["range"])
    best = study.best()
    return {
        "params": names,
        "log": [px.log, py.log],
        "ticks": [x_ticks, y_ticks],
        "grid_x": [rounded(v) for v in gx.tolist()],
        "grid_y": [rounded(v) for v in gy.tolist()],
        "z": [[rounded(v) for v in row] for row in surface.tolist()],
        "points": {
            "x": x.tolist(),
            "y": y.tolist(),
            "values": z.tolist(),
            "numbers": [trials[i].number for i in keep],
        },
        "best": None
        if best is None or best not in trials
        else {"number": best.number, "x": xs[trials.index(best)], "y": ys[trials.index(best)]},
        "metric": study.metric,
        "direction": study.direction,
        "note": None,
    }


def _grid(categorical: bool, count: int, span: list[float]) -> np.ndarray:
    if categorical:
        return np.arange(max(count, 1), dtype=float)
    return np.linspace(span[0], span[1], GRID)


def _interpolate(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    gx: np.ndarray,
    gy: np.ndarray,
    sx: list[float],
    sy: list[float],
) -> np.ndarray:
    """Each grid cell's objective: the inverse-distance mean of its nearest trials (axes scaled to [0, 1])."""
    scale_x = (sx[1] - sx[0]) or 1.0
    scale_y = (sy[1] - sy[0]) or 1.0
    cells_x, cells_y = np.meshgrid(gx, gy)
    flat_x, flat_y = cells_x.ravel(), cells_y.ravel()
    k = min(NEIGHBOURS, len(z))
    values = np.empty(flat_x.size)
    for first in range(
        0, flat_x.size, CHUNK
    ):  # a block of cells at a time: memory stays small at 10,000 trials
        block = slice(first, first + CHUNK)
        cx = (flat_x[block, None] - x[None, :]) / scale_x
        cy = (flat_y[block, None] - y[None, :]) / scale_y
        distance = np.sqrt(cx**2 + cy**2)
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
        weights = 1.0 / np.maximum(np.take_along_axis(distance, nearest, axis=1), 1e-9) ** 2
        values[block] = np.sum(weights * z[nearest], axis=1) / np.sum(weights, axis=1)
    return values.reshape(cells_x.shape)


def contour_figure(info: dict[str, Any]) -> dict[str, Any]:
    """A contour trace over the grid with the trials as dots and the best one starred."""
    if info.get("note"):
        return empty_figure(TITLE, f"the contour {info['note']}")
    x_ticks, y_ticks = info["ticks"]
    points = info["points"]
    traces: list[dict[str, Any]] = [
        {
            "type": "contour",
            "x": info["grid_x"],
            "y": info["grid_y"],
            "z": info["z"],
            "colorscale": "Viridis",
            "reversescale": info["direction"] != "maximize",
            "colorbar": {"title": {"text": text(info["metric"])}},
            "contours": {"coloring": "heatmap"},
            "hovertemplate": "value ≈ %{z}<extra>interpolated</extra>",
        },
        {
            "type": "scattergl" if len(points["x"]) > 1000 else "scatter",
            "x": [rounded(v) for v in points["x"]],
            "y": [rounded(v) for v in points["y"]],
            "mode": "markers",
            "marker": {"color": "#000", "size": 4, "opacity": 0.5},
            "showlegend": False,
            "hovertemplate": "trial<extra></extra>",
        },
    ]
    if info["best"] is not None:
        traces.append(
            {
                "type": "scatter",
                "x": [info["best"]["x"]],
                "y": [info["best"]["y"]],
                "mode": "markers",
                "marker": {
                    "color": BEST_COLOUR,
                    "size": 15,
                    "symbol": "star",
                    "line": {"color": "#000", "width": 1},
                },
                "showlegend": False,
                "hovertemplate": f"best: trial {info['best']['number']}<extra></extra>",
            }
        )

    def axis(name: str, log: bool, ticks: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "title": {"text": text(name) + (" (log)" if log else "")},
            "range": ticks["range"],
        }
        if "tickvals" in ticks:
            entry.update(tickmode="array", tickvals=ticks["tickvals"], ticktext=ticks["ticktext"])
        return entry

    names = info["params"]
    return {
        "data": traces,
        "layout": layout(
            TITLE,
            height=480,
            xaxis=axis(names[0], info["log"][0], x_ticks),
            yaxis=axis(names[1], info["log"][1], y_ticks),
        ),
    }
