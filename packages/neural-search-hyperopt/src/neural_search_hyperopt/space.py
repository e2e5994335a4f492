"""The search space as hyperopt expressions, and hyperopt's raw values back as points.

One :class:`~neural.space.params.Param` becomes one hyperopt hyperparameter whose
label is the parameter's name. Hyperopt's own primitives get three things wrong
for this language, so the mapping never hands a user hyperopt's value as is:

=============================  ===============================================  =====================
parameter                      hyperopt expression (raw value)                   point value
=============================  ===============================================  =====================
``choice`` / ``custom``        ``hp.choice(label, [0, ..., n-1])`` (an index)    the option (custom: its name)
stepped ``range``, int range   ``hp.quniform(label, -0.5, K + 0.5, 1)``          ``low + k*step`` on the grid
                               (the grid index ``k`` of ``K + 1`` points)
continuous ``range``           ``hp.uniform(label, low, high)``                  the float, within bounds
``log_range``                  ``hp.loguniform(label, log(low), log(high))``     the float, within bounds
=============================  ===============================================  =====================

- ``fmin`` returns a choice's *index*; here the index is turned into the option
  itself, so a tuple stays a tuple and ``True`` stays ``True``.
- ``hp.quniform(low, high, q)`` rounds ``x / q`` and can land outside the bounds
  (hyperopt#321) and on ``0.30000000000000004``; here a stepped range is
  quantised over its grid *index* (each grid point gets the same prior mass),
  the index is clamped to the grid, and the value is built by
  :meth:`Param.snap` (``0.3``; an ``int`` for integer ranges).
- ``hp.loguniform`` takes log-space bounds; they are computed here.

:meth:`HyperoptSpace.raw_values` is the inverse of :meth:`HyperoptSpace.to_point`
on points: the searcher stores it in its ``Trials`` both for a new proposal and
for a trial rebuilt from the results file, so a resumed search sees exactly the
history an uninterrupted one saw.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from neural.space.params import CHOICE, CUSTOM, LOG_RANGE, RANGE, Param

#: How each kind of parameter is encoded (the ``encoding`` of :meth:`HyperoptSpace.describe`).
CATEGORICAL = "hp.choice over option indices"
GRID_INDEX = "hp.quniform over grid indices"
UNIFORM = "hp.uniform"
LOG_UNIFORM = "hp.loguniform(log low, log high)"


class HyperoptSpace:
    """The hyperopt view of a search space; built once per searcher.

    ``params`` are the space's parameters in order; :meth:`expression` is the
    ``{label: hyperopt expression}`` dict a ``Domain`` is built from.
    """

    def __init__(self, params: Iterable[Param]) -> None:
        self.params = tuple(params)
        for param in self.params:
            _encoding(param)  # refuse an unknown kind up front

    def expression(self) -> dict[str, Any]:
        """``{label: hp expression}`` for every parameter (hyperopt imported here)."""
        from hyperopt import hp

        space: dict[str, Any] = {}
        for param in self.params:
            encoding = _encoding(param)
            if encoding == CATEGORICAL:
                space[param.name] = hp.choice(param.name, list(range(_option_count(param))))
            elif encoding == GRID_INDEX:
                top = grid_top(param)
                space[param.name] = hp.quniform(param.name, -0.5, top + 0.5, 1)
            elif encoding == LOG_UNIFORM:
                assert param.low is not None and param.high is not None
                space[param.name] = hp.loguniform(param.name, math.log(param.low), math.log(param.high))
            else:
                assert param.low is not None and param.high is not None
                space[param.name] = hp.uniform(param.name, float(param.low), float(param.high))
        return space

    def to_point(self, vals: Mapping[str, list[Any]]) -> dict[str, Any]:
        """The point of a hyperopt trial's ``misc["vals"]`` (``{label: [raw]}``).

        Raises ``KeyError`` when a parameter has no value.
        """
        return {param.name: to_value(param, vals[param.name][0]) for param in self.params}

    def raw_values(self, point: Mapping[str, Any]) -> dict[str, list[Any]]:
        """``misc["vals"]`` for a point: the canonical raw value of every parameter.

        Raises ``ValueError`` (or ``KeyError``) when the point is not a point of this space.
        """
        return {param.name: [to_raw(param, point[param.name])] for param in self.params}

    def describe(self) -> list[dict[str, Any]]:
        """How each parameter is encoded, for the results file."""
        return [{"name": param.name, "encoding": _encoding(param)} for param in self.params]


def to_value(param: Param, raw: Any) -> Any:
    """One raw hyperopt value as the point value :class:`Param` defines."""
    encoding = _encoding(param)
    if encoding == CATEGORICAL:
        index = min(max(int(raw), 0), _option_count(param) - 1)
        return param.choices[index] if param.kind == CHOICE else param.labels[index]
    assert param.low is not None
    if encoding == GRID_INDEX:
        index = min(max(round(float(raw)), 0), grid_top(param))
        return param.snap(param.low + index * _step(param))
    return param.snap(float(raw))


def to_raw(param: Param, value: Any) -> Any:
    """Inverse of :func:`to_value` on legal values: the raw value hyperopt keeps for ``value``."""
    if not param.contains(value):
        raise ValueError(f"{value!r} is not a value of {param.name}")
    encoding = _encoding(param)
    if encoding == CATEGORICAL:
        if param.kind == CUSTOM:
            return param.labels.index(value)
        exact = param.from_json_value(param.to_json_value(value))
        return next(i for i, choice in enumerate(param.choices) if choice is exact)
    assert param.low is not None
    if encoding == GRID_INDEX:
        return float(round((value - param.low) / _step(param)))
    return float(value)


def grid_top(param: Param) -> int:
    """The highest grid index of a stepped or integer range (its grid has ``grid_top + 1`` points)."""
    assert param.low is not None and param.high is not None
    if param.step is not None:
        return param.grid_steps()
    return int(param.high) - int(param.low)


def _step(param: Param) -> float:
    return param.step if param.step is not None else 1


def _option_count(param: Param) -> int:
    return len(param.choices) if param.kind == CHOICE else len(param.labels)


def _encoding(param: Param) -> str:
    if param.kind in (CHOICE, CUSTOM):
        return CATEGORICAL
    if param.kind not in (RANGE, LOG_RANGE):
        raise ValueError(f"parameter {param.name} has unknown kind {param.kind!r}")
    log = param.kind == LOG_RANGE or param.log
    if log:
        if param.step is not None:
            raise ValueError(f"parameter {param.name}: a stepped log range has no hyperopt form")
        return LOG_UNIFORM
    if param.step is not None or param.is_int:
        return GRID_INDEX
    return UNIFORM
