"""Timeline: each trial as a bar from its start to its end, one row per worker.

The results file records when each trial started and ended, not which worker
ran it, so each trial goes on the first row that was free when it started
(greedy interval packing). For a search run with ``--parallel N`` that gives
at most N rows, and the gaps show how busy the workers were.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from neural_viz.figures.common import STATE_COLOURS, empty_figure, gapped_trace, layout
from neural_viz.study import Study

TITLE = "Timeline — each bar is a trial from start to end, one row per worker; gaps are idle time"
#: Older files' start times have one-second precision: there, a trial that starts within this
#: of another's end may follow it on the same row (millisecond times need no slack).
SLACK_SECONDS = 1.0


def _slack(stamps: list[str]) -> float:
    """The row-sharing slack for these start stamps: :data:`SLACK_SECONDS` when any has whole seconds only."""
    return SLACK_SECONDS if any("." not in stamp for stamp in stamps) else 0.0


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    # plotly.js reads naive date strings: compare and draw everything in UTC
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def timeline_info(study: Study) -> dict[str, Any]:
    """Every timed trial's row, start, end and state; the rows used; how many trials had no times."""
    updated = _parse(study.data.get("updated"))
    spans = []
    untimed = 0
    for trial in study.trials:
        start = _parse(trial.started)
        if start is None:
            untimed += 1
            continue
        end = _parse(trial.finished)
        if trial.duration is not None:
            # The duration is exact, the stamps are cut to the millisecond (older files: the second):
            # the earlier of the two never runs past the next trial's cut start on the same worker.
            by_duration = start + timedelta(seconds=trial.duration)
            end = by_duration if end is None else min(end, by_duration)
        if end is None:
            end = updated if trial.state == "running" and updated is not None else start
        spans.append((start, max(end, start), trial))
    spans.sort(key=lambda item: (item[0], item[2].number))
    slack = timedelta(seconds=_slack([trial.started for _, _, trial in spans if trial.started]))
    row_ends: list[datetime] = []
    bars = []
    for start, end, trial in spans:
        row = next(
            (i for i, free in enumerate(row_ends) if free - slack <= start),
            len(row_ends),
        )
        if row == len(row_ends):
            row_ends.append(end)
        else:
            row_ends[row] = end
        bars.append(
            {
                "number": trial.number,
                "row": row,
                "start": start.isoformat(sep=" ", timespec="milliseconds"),
                "end": end.isoformat(sep=" ", timespec="milliseconds"),
                "seconds": round((end - start).total_seconds(), 3),
                "state": trial.state,
            }
        )
    budget = study.data.get("budget") or {}
    return {"bars": bars, "rows": len(row_ends), "parallel": budget.get("parallel", 1), "untimed": untimed}


def _milliseconds(stamp: str) -> int:
    """A naive UTC date string as milliseconds since 1970 (what a plotly date axis reads; shorter than text)."""
    return round(datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp() * 1000)


def timeline_figure(info: dict[str, Any]) -> dict[str, Any]:
    """Thick line segments per state on a time axis (one trace per state; WebGL when there are many)."""
    bars = info["bars"]
    if not bars:
        return empty_figure(TITLE, "no trial has start and end times (trials from other processes have none)")
    kind = "scattergl" if len(bars) > 1000 else "scatter"
    traces = []
    for state in ("complete", "pruned", "failed", "running"):
        group = [bar for bar in bars if bar["state"] == state]
        if not group:
            continue
        segments = [
            (
                [_milliseconds(bar["start"]), _milliseconds(bar["end"])],
                [f"worker {bar['row'] + 1}"] * 2,
                bar["number"],
            )
            for bar in group
        ]
        traces.append(
            gapped_trace(
                kind,
                state,
                segments,
                "%{x}",
                mode="lines+markers",
                line={"color": STATE_COLOURS[state], "width": 14},
                marker={"color": STATE_COLOURS[state], "size": 4},
            )
        )
    rows = [f"worker {i + 1}" for i in range(info["rows"])]
    notes = ["a trial goes on the first row free when it started (the file records times, not workers)"]
    if info["untimed"]:
        notes.append(f"{info['untimed']} trial(s) without start and end times not shown")
    note = "<br><sup>" + "; ".join(notes) + "</sup>"
    return {
        "data": traces,
        "layout": layout(
            TITLE + note,
            height=max(240, 140 + 40 * len(rows)),
            xaxis={"type": "date", "title": {"text": "time (UTC)"}, "gridcolor": "#eee"},
            yaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": rows[::-1],
                "gridcolor": "#eee",
            },
            legend={"orientation": "h", "y": -0.3},
        ),
    }
