"""Learning curves: every trial's objective after each epoch; pruned and failed ones marked where they stopped."""

from __future__ import annotations

from typing import Any

from neural_viz.figures.common import (
    BEST_COLOUR,
    STATE_COLOURS,
    empty_figure,
    gapped_trace,
    layout,
    objective_label,
    rounded,
    text,
)
from neural_viz.study import Study

TITLE = "Learning curves — the objective after each epoch of every trial; ▼ pruned and ✕ failed where they stopped"
STATES = ("complete", "pruned", "failed", "running")


def curves_info(study: Study) -> dict[str, Any]:
    """Per state, each trial's number and per-epoch values (epochs count from 1), plus the best trial's number."""
    by_state: dict[str, list[dict[str, Any]]] = {state: [] for state in STATES}
    without_epochs = {state: 0 for state in STATES}
    for trial in study.trials:
        if not trial.intermediate:
            without_epochs[trial.state] = without_epochs.get(trial.state, 0) + 1
            continue
        by_state.setdefault(trial.state, []).append(
            {"number": trial.number, "values": list(trial.intermediate)}
        )
    best = study.best()
    return {
        "metric": study.metric,
        "direction": study.direction,
        "curves": by_state,
        "without_epochs": without_epochs,
        "best_number": None if best is None else best.number,
    }


def curves_figure(info: dict[str, Any]) -> dict[str, Any]:
    """One line trace per state (curves joined with gaps, so 10,000 trials stay a handful of traces)."""
    curves = info["curves"]
    total = sum(len(c) for c in curves.values())
    if total == 0:
        return empty_figure(TITLE, "no trial reported an epoch yet")
    points = sum(len(c["values"]) for group in curves.values() for c in group)
    kind = "scatter"  # one SVG path per state draws 100,000 points faster than WebGL without a GPU
    traces: list[dict[str, Any]] = []
    best_curve = None
    for state in STATES:
        group = curves.get(state) or []
        if not group:
            continue
        for curve in group:
            if curve["number"] == info["best_number"]:
                best_curve = curve
        segments = [
            (range(1, len(c["values"]) + 1), [rounded(v, 5) for v in c["values"]], c["number"]) for c in group
        ]
        traces.append(
            gapped_trace(
                kind,
                state,
                segments,
                "epoch %{x}: %{y}",
                mode="lines+markers" if points <= 2000 else "lines",  # a one-epoch curve is only a dot
                marker={"color": STATE_COLOURS[state], "size": 4},
                line={"color": STATE_COLOURS[state], "width": 1},
                opacity=0.6,
            )
        )
        if state in ("pruned", "failed"):
            traces.append(
                {
                    "type": kind,
                    "name": f"{state}: where it stopped",
                    "x": [len(c["values"]) for c in group],
                    "y": [rounded(c["values"][-1]) for c in group],
                    "text": [f"trial {c['number']} {state} after epoch {len(c['values'])}" for c in group],
                    "mode": "markers",
                    "marker": {
                        "color": STATE_COLOURS[state],
                        "size": 8,
                        "symbol": "triangle-down" if state == "pruned" else "x",
                    },
                    "hovertemplate": "%{text}: %{y}<extra></extra>",
                }
            )
    if best_curve is not None:
        traces.append(
            {
                "type": "scatter",
                "name": f"best: trial {best_curve['number']}",
                "x": list(range(1, len(best_curve["values"]) + 1)),
                "y": [rounded(v) for v in best_curve["values"]],
                "mode": "lines+markers",
                "line": {"color": BEST_COLOUR, "width": 3},
                "hovertemplate": "best trial, epoch %{x}: %{y}<extra></extra>",
            }
        )
    missing = {state: count for state, count in info["without_epochs"].items() if count}
    note = ""
    if missing:
        note = (
            " ("
            + ", ".join(f"{count} {state}" for state, count in missing.items())
            + " before their first epoch)"
        )
    return {
        "data": traces,
        "layout": layout(
            TITLE + (f"<br><sup>{text(note)}</sup>" if note else ""),
            height=440,
            xaxis={
                "title": {"text": "epoch"},
                "dtick": 1
                if points and max(len(c["values"]) for g in curves.values() for c in g) <= 20
                else None,
                "gridcolor": "#eee",
            },
            yaxis={
                "title": {"text": objective_label(info["metric"], info["direction"])},
                "gridcolor": "#eee",
            },
            legend={"orientation": "h", "y": -0.2},
        ),
    }
