"""Parallel coordinates over every parameter and the objective, the best trials highlighted."""

from __future__ import annotations

import math
from typing import Any

from neural_viz.figures.axes import axis_ticks, axis_values
from neural_viz.figures.common import empty_figure, layout, rounded, text
from neural_viz.study import Study

TITLE = "Parallel coordinates — one line per complete trial; the best 10% stand out in colour"
#: The share of complete trials highlighted as "the best".
BEST_SHARE = 0.1


def parallel_info(study: Study) -> dict[str, Any]:
    """One axis per parameter (positions, ticks, log or categorical) plus the objective's, over complete trials."""
    complete = study.complete()
    dimensions = []
    for param in study.params:
        positions = axis_values(param, complete)
        dimensions.append(
            {
                "name": param.name,
                "kind": param.kind,
                "log": param.log,
                "values": positions,
                **axis_ticks(param, positions),
            }
        )
    values = [float(t.value) for t in complete if t.value is not None]
    highlighted = max(1, math.ceil(BEST_SHARE * len(values))) if values else 0
    ranked = sorted(values, reverse=study.maximize)
    threshold = ranked[highlighted - 1] if highlighted else None
    return {
        "metric": study.metric,
        "direction": study.direction,
        "numbers": [t.number for t in complete],
        "dimensions": dimensions,
        "objective": values,
        "best_count": highlighted,
        "best_threshold": threshold,
        "not_shown": len(study.trials) - len(complete),
    }


def parallel_figure(info: dict[str, Any]) -> dict[str, Any]:
    """The parcoords trace (WebGL in plotly.js); the objective axis pre-filtered to the best trials."""
    values = info["objective"]
    if not values:
        return empty_figure(TITLE, "no trial completed yet, so there is nothing to draw")
    dimensions = []
    for dim in info["dimensions"]:
        values_on_axis = [v if v is not None else float("nan") for v in dim["values"]]
        entry: dict[str, Any] = {
            "label": text(dim["name"]) + (" (log)" if dim["log"] else ""),
            "values": [None if isinstance(v, float) and math.isnan(v) else v for v in values_on_axis],
            "range": dim["range"],
        }
        if "tickvals" in dim:
            entry["tickvals"] = dim["tickvals"]
            entry["ticktext"] = dim["ticktext"]
        dimensions.append(entry)
    low, high = min(values), max(values)
    objective: dict[str, Any] = {
        "label": text(info["metric"]),
        "values": [rounded(v) for v in values],
        "range": [rounded(low), rounded(high)] if high > low else [rounded(low - 0.5), rounded(high + 0.5)],
    }
    threshold = info["best_threshold"]
    if threshold is not None and high > low and info["best_count"] < len(values):
        maximize = info["direction"] == "maximize"
        objective["constraintrange"] = (
            [rounded(threshold), rounded(high)] if maximize else [rounded(low), rounded(threshold)]
        )
    dimensions.append(objective)
    trace = {
        "type": "parcoords",
        "dimensions": dimensions,
        "line": {
            "color": [rounded(v) for v in values],
            "colorscale": "Viridis",
            "reversescale": info["direction"] != "maximize",
            "showscale": True,
            "colorbar": {"title": {"text": text(info["metric"])}},
        },
        "labelangle": -20 if len(dimensions) > 8 else 0,
        "labelside": "top",
    }
    notes = ["drag along any axis to filter the lines"]
    if info["not_shown"]:
        notes.append(f"{info['not_shown']} trial(s) without a value not shown")
    width_note = "<br><sup>" + "; ".join(notes) + "</sup>"
    return {
        "data": [trace],
        "layout": layout(TITLE + width_note, height=480, margin={"l": 80, "r": 80, "t": 130, "b": 40}),
    }
