"""The table of every trial: number, state, value, parameters, duration, failure reason.

Drawn by the page's script (sortable by any column, a page of rows at a time),
so only the data is made here. Every cell is plain text; the page inserts it
with ``textContent``, never as HTML.
"""

from __future__ import annotations

from typing import Any

from neural_viz.figures.common import rounded
from neural_viz.study import Study


def table_info(study: Study) -> dict[str, Any]:
    """Columns (name and whether it sorts as a number) and one row per trial, in trial order."""
    columns = [
        {"name": "trial", "numeric": True},
        {"name": "state", "numeric": False},
        {"name": study.metric, "numeric": True},
        *({"name": p.name, "numeric": not p.is_categorical} for p in study.params),
        {"name": "epochs", "numeric": True},
        {"name": "seconds", "numeric": True},
        {"name": "failure reason", "numeric": False},
    ]
    rows = []
    for trial in study.trials:
        cells: list[Any] = [trial.number, trial.state, rounded(trial.value)]
        for param in study.params:
            value = trial.params.get(param.name)
            if value is None:
                cells.append(None)
            elif param.is_categorical:
                cells.append(param.label(value))
            else:
                cells.append(rounded(float(value)) if isinstance(value, (int, float)) else str(value))
        cells += [
            len(trial.intermediate),
            None if trial.duration is None else round(trial.duration, 2),
            trial.error,
        ]
        rows.append(cells)
    best = study.best()
    return {"columns": columns, "rows": rows, "best_number": None if best is None else best.number}
