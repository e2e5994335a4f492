"""Optimisation history: every trial's value by trial number, the best-so-far line, pruned/failed marked."""

from __future__ import annotations

from typing import Any

from neural_viz.figures.common import (
    BEST_COLOUR,
    STATE_COLOURS,
    empty_figure,
    layout,
    objective_label,
    rounded,
    scatter_type,
    text,
)
from neural_viz.study import Study, format_number

TITLE = "Optimisation history — each dot is a trial; the green line is the best value found so far"


def history_info(study: Study) -> dict[str, Any]:
    """The history's data: complete trials' values, the running best, pruned trials at their last
    reported value, and the failed and running trials (which have no value) by number."""
    complete = study.complete()
    best_numbers: list[int] = []
    best_values: list[float] = []
    for trial in complete:
        assert trial.value is not None
        if not best_values or study.better(trial.value, best_values[-1]):
            best_values.append(trial.value)
        else:
            best_values.append(best_values[-1])
        best_numbers.append(trial.number)
    pruned = [t for t in study.trials if t.state == "pruned"]
    best = study.best()
    return {
        "metric": study.metric,
        "direction": study.direction,
        "complete": {"numbers": [t.number for t in complete], "values": [t.value for t in complete]},
        "best_so_far": {"numbers": best_numbers, "values": best_values},
        "pruned": {
            "numbers": [t.number for t in pruned],
            "values": [t.intermediate[-1] if t.intermediate else None for t in pruned],
            "epochs": [len(t.intermediate) for t in pruned],
        },
        "failed": {
            "numbers": [t.number for t in study.trials if t.state == "failed"],
            "errors": [t.error or "" for t in study.trials if t.state == "failed"],
        },
        "running": {"numbers": [t.number for t in study.trials if t.state == "running"]},
        "best": None if best is None else {"number": best.number, "value": best.value},
    }


def history_figure(info: dict[str, Any]) -> dict[str, Any]:
    """The history figure: values above, a strip below for trials without a value (failed, running)."""
    complete, pruned = info["complete"], info["pruned"]
    failed, running = info["failed"], info["running"]
    if not (complete["numbers"] or pruned["numbers"] or failed["numbers"] or running["numbers"]):
        return empty_figure(TITLE, "no trials")
    kind = scatter_type(len(complete["numbers"]) + len(pruned["numbers"]))
    traces: list[dict[str, Any]] = [
        {
            "type": kind,
            "name": f"complete ({len(complete['numbers'])})",
            "x": complete["numbers"],
            "y": [rounded(v) for v in complete["values"]],
            "mode": "markers",
            "marker": {"color": STATE_COLOURS["complete"], "size": 6},
            "hovertemplate": "trial %{x}<br>value %{y}<extra>complete</extra>",
        },
        {
            "type": kind,
            "name": "best so far",
            "x": info["best_so_far"]["numbers"],
            "y": [rounded(v) for v in info["best_so_far"]["values"]],
            "mode": "lines",
            "line": {"color": BEST_COLOUR, "width": 2, "shape": "hv"},
            "hovertemplate": "best after trial %{x}: %{y}<extra></extra>",
        },
    ]
    with_value = [
        (n, v, e) for n, v, e in zip(pruned["numbers"], pruned["values"], pruned["epochs"], strict=True)
    ]
    valued = [(n, v, e) for n, v, e in with_value if v is not None]
    if valued:
        traces.append(
            {
                "type": kind,
                "name": f"pruned ({len(pruned['numbers'])}), at its last value",
                "x": [n for n, _, _ in valued],
                "y": [rounded(v) for _, v, _ in valued],
                "text": [f"pruned after epoch {e}" for _, _, e in valued],
                "mode": "markers",
                "marker": {"color": STATE_COLOURS["pruned"], "size": 7, "symbol": "triangle-down"},
                "hovertemplate": "trial %{x}<br>%{text}: %{y}<extra>pruned</extra>",
            }
        )
    best = info["best"]
    if best is not None:
        traces.append(
            {
                "type": "scatter",
                "name": f"best: trial {best['number']} ({format_number(best['value'])})",
                "x": [best["number"]],
                "y": [rounded(best["value"])],
                "mode": "markers",
                "marker": {
                    "color": BEST_COLOUR,
                    "size": 14,
                    "symbol": "star",
                    "line": {"color": "#000", "width": 1},
                },
                "hovertemplate": "best: trial %{x}<br>value %{y}<extra></extra>",
            }
        )
    strip = [
        ("failed", failed["numbers"], failed["errors"], "x"),
        ("running", running["numbers"], None, "hourglass"),
    ]
    strip_rows = [row for row in strip if row[1]]
    for state, numbers, errors, symbol in strip_rows:
        hover = [text(e) for e in errors] if errors is not None else ["still running" for _ in numbers]
        traces.append(
            {
                "type": scatter_type(len(numbers)),
                "name": f"{state} ({len(numbers)}), no value",
                "x": numbers,
                "y": [state] * len(numbers),
                "text": hover,
                "yaxis": "y2",
                "mode": "markers",
                "marker": {"color": STATE_COLOURS[state], "size": 8, "symbol": symbol},
                "hovertemplate": "trial %{x}<br>%{text}<extra>" + state + "</extra>",
            }
        )
    all_numbers = [*complete["numbers"], *pruned["numbers"], *failed["numbers"], *running["numbers"]]
    main_bottom = 0.22 if strip_rows else 0.0
    figure_layout = layout(
        TITLE,
        height=440,
        xaxis={
            "title": {"text": "trial number"},
            "zeroline": False,
            "gridcolor": "#eee",
            "tickformat": "d",  # trial numbers are whole
            "dtick": 1 if max(all_numbers) <= 20 else None,
        },
        yaxis={
            "title": {"text": objective_label(info["metric"], info["direction"])},
            "domain": [main_bottom, 1.0],
            "gridcolor": "#eee",
        },
        legend={"orientation": "h", "y": -0.18},
    )
    if strip_rows:
        figure_layout["yaxis2"] = {
            "domain": [0.0, 0.12],
            "type": "category",
            "categoryarray": [row[0] for row in strip_rows],
            "fixedrange": True,
            "gridcolor": "#eee",
        }
    return {"data": traces, "layout": figure_layout}
