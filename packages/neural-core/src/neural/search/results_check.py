"""Checking a results file against the search space before ``--resume`` trusts it.

:func:`neural.search.results.load_results` checks the file's shape (JSON
Schema); this checks its meaning against the file being searched: the space
recorded is the space of the source, every finished trial gives each
parameter exactly once with a value of its domain (the option itself, a number
on the range and its step), numbers are not reused, and a complete trial has a
value. Called by :func:`neural.search.resume.restore_trials` before any trial
is restored, so a hand-edited file is one clear error, never a traceback from
deep in a searcher.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neural.errors import NeuralError, unknown_name_hint
from neural.search.base import COMPLETE
from neural.search.results_schema import RUNNING
from neural.space.params import Param
from neural.space.space import SearchSpace


def check_results_fit_space(previous: dict[str, Any], space: SearchSpace, path: Path) -> None:
    """Raise :class:`NeuralError` naming ``path`` and the trial when ``previous`` does not fit ``space``."""
    fix = "fix the file or pass --force to start a new search"
    recorded = [
        {k: v for k, v in entry.items() if k not in ("line", "column")} for entry in previous["space"]
    ]
    current = [{k: v for k, v in entry.items() if k not in ("line", "column")} for entry in space.to_dict()]
    if recorded != current:
        raise NeuralError(f"the search space recorded in {path} is not the space of the source file; {fix}")
    seen: set[int] = set()
    for trial in previous["trials"]:
        number = trial["number"]
        if number in seen:
            raise NeuralError(f"{path} records trial {number} twice; {fix}")
        seen.add(number)
        if trial["state"] == RUNNING:
            continue
        if trial["state"] == COMPLETE and trial["value"] is None:
            raise NeuralError(f"{path}: trial {number} is complete but has no value; {fix}")
        problem = point_problem(trial["params"], space)
        if problem:
            raise NeuralError(f"{path}: trial {number} {problem}; {fix}")


def point_problem(params: dict[str, Any], space: SearchSpace) -> str | None:
    """What is wrong with a recorded point (as JSON data) in ``space``, or None when it is a point of it."""
    for name in params:
        if name not in space:
            return f"has an unknown parameter '{name}' ({unknown_name_hint(name, space.names, 'parameters')})"
    for param in space.params:
        if param.name not in params:
            return f"gives no value for {param.name}"
        problem = _value_problem(param, params[param.name])
        if problem:
            return problem
    return None


def _value_problem(param: Param, data: Any) -> str | None:
    from neural.space.space import coerce_value, describe_domain

    if not param.is_categorical and (isinstance(data, bool) or not isinstance(data, (int, float))):
        return f"gives {param.name} the value {data!r}, not a number ({describe_domain(param)})"
    try:
        value = coerce_value(param, param.from_json_value(data))
    except (ValueError, TypeError, OverflowError):
        return f"gives {param.name} the value {data!r}, which is not {describe_domain(param)}"
    if not param.contains(value):
        return f"gives {param.name} the value {data!r}, which is not {describe_domain(param)}"
    return None


__all__ = ["check_results_fit_space", "point_problem"]
