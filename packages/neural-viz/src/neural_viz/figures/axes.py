"""A parameter's axis: where each trial's value sits, and the ticks that label it as written.

Shared by the parallel-coordinates and contour figures, which draw every
parameter on a plain numeric axis: categories at their option index (labelled
with the option as written, tuples included), ``log_range`` values as their
base-10 logarithm (labelled with the values themselves).
"""

from __future__ import annotations

import math
from typing import Any

from neural_viz.figures.common import rounded, text
from neural_viz.study import ParamSpec, Trial, format_number


def axis_values(param: ParamSpec, trials: list[Trial]) -> list[float | None]:
    """Each trial's position on ``param``'s axis (None where the trial lacks it)."""
    positions: list[float | None] = []
    for trial in trials:
        value = param.numeric(trial.params.get(param.name))
        if value is not None and param.log:
            value = math.log10(value)
        positions.append(rounded(value))
    return positions


def axis_ticks(param: ParamSpec, positions: list[float | None]) -> dict[str, Any]:
    """``tickvals``, ``ticktext`` and ``range`` for ``param``'s axis (positions from :func:`axis_values`)."""
    if param.is_categorical:
        count = max(len(param.labels), 1)
        return {
            "tickvals": list(range(count)),
            "ticktext": [text(label) for label in param.labels],
            "range": [-0.25, count - 0.75] if count > 1 else [-0.5, 0.5],
        }
    present = [p for p in positions if p is not None]
    low = param.low if param.low is not None else (min(present) if present else 0.0)
    high = param.high if param.high is not None else (max(present) if present else 1.0)
    if param.log:
        low, high = math.log10(max(low, 1e-300)), math.log10(max(high, 1e-300))
    if present:
        low, high = min(low, *present), max(high, *present)
    if high <= low:
        high = low + 1.0
    if not param.log:
        return {"range": [rounded(low), rounded(high)]}
    decades = list(range(math.ceil(low), math.floor(high) + 1))
    ticks = (
        [float(d) for d in decades] if len(decades) >= 2 else [low + (high - low) * i / 4 for i in range(5)]
    )
    return {
        "tickvals": [rounded(t) for t in ticks],
        "ticktext": [format_number(rounded(10**t, 3)) for t in ticks],
        "range": [rounded(low), rounded(high)],
    }
