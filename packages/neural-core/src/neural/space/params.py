"""Search-space parameters: one :class:`Param` per HPO expression.

The vocabulary follows Optuna's distributions: a categorical choice, an int or
float range with an optional step, a log-uniform range. A *point* of the space
is a ``dict`` from parameter name to value:

- ``choice``: the option's value itself (``64``, ``"same"``, ``(3, 3)``);
- ``custom``: the option's *name* (``"small"``); binding looks up its value;
- ``range`` / ``log_range``: the number (an ``int`` when the range is integer).

Points are stored in ``hpo_results.json`` with :meth:`Param.to_json_value`
(tuples become lists) and read back with :meth:`Param.from_json_value`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from neural.errors import Span, span_field
from neural.limits import MAX_GRID_POINTS

CHOICE = "choice"
RANGE = "range"
LOG_RANGE = "log_range"
CUSTOM = "custom"
KINDS = (CHOICE, RANGE, LOG_RANGE, CUSTOM)


#: Significant digits a computed (not stepped) grid point is rounded to: what a float holds exactly.
GRID_DIGITS = 15


def step_decimals(step: float) -> int:
    """How many decimals a step has (``0.1`` → 1, ``0.05`` → 2, ``1e-4`` → 4)."""
    exponent = Decimal(repr(float(step))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def round_to_step(value: float, low: float, step: float) -> float:
    """Snap ``value`` to the grid ``low + k*step`` and round to the step's decimals.

    So a float grid yields ``0.3``, never ``0.30000000000000004``.
    """
    k = round((value - low) / step)
    return round(low + k * step, max(step_decimals(step), step_decimals(low) if low else 0))


def count_steps(low: float, high: float, step: float) -> int:
    """How many whole steps fit from ``low`` to ``high`` (exact for integers, no overflow for floats)."""
    if all(isinstance(v, int) for v in (low, high, step)):
        return (int(high) - int(low)) // int(step)
    try:
        return math.floor((high - low) / step + 1e-9)
    except OverflowError:  # a step so small the ratio is beyond a float (5e-324)
        return int((Decimal(repr(float(high))) - Decimal(repr(float(low)))) / Decimal(repr(float(step))))


def rounded(value: float) -> float:
    """``value`` rounded to :data:`GRID_DIGITS` significant digits (0.15, never 0.15000000000000002)."""
    return float(f"{value:.{GRID_DIGITS}g}")


class SteppedAxis(Sequence[Any]):
    """The grid of a stepped range, computed point by point: ``axis[k]`` is ``low + k * step``, snapped.

    Used by the grid searchers and the random searcher in place of a tuple, so a
    range of 500,000,000 steps costs nothing until a point is asked for.
    """

    def __init__(self, param: Param) -> None:
        self._param = param
        self._length = param.grid_steps() + 1

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        param = self._param
        assert param.low is not None and param.step is not None
        return param.snap(param.low + index * param.step)


@dataclass(frozen=True)
class Param:
    """One search-space dimension.

    ``name`` is stable and readable (``dense_2.units``). For ``choice`` and
    ``custom``, ``choices`` holds the option values and ``labels`` one stable
    string per option (custom: the option names). For ranges, ``low``/``high``
    are the bounds, ``step`` the grid step or None, ``is_int`` whether values
    are integers. ``span`` locates the ``HPO(...)`` expression in the source.
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    is_int: bool = False
    choices: tuple[Any, ...] = ()
    labels: tuple[str, ...] = ()
    span: Span = span_field()

    # ----------------------------------------------------------------- queries

    @property
    def is_categorical(self) -> bool:
        return self.kind in (CHOICE, CUSTOM)

    def cardinality(self, grid_points: int = 5) -> int:
        """How many points a grid search visits on this dimension.

        Counted, not listed, for stepped ranges: ``range(1, 10**9, step=1)`` is
        a legal (if huge) grid and must not be materialized to be sized.
        """
        if self.kind == CHOICE:
            return len(self.choices)
        if self.kind == CUSTOM:
            return len(self.labels)
        if self.step is not None:
            assert self.low is not None and self.high is not None
            return self.grid_steps() + 1
        return len(self.grid_values(grid_points))

    def grid_steps(self) -> int:
        """How many steps fit between a stepped range's bounds (its grid has one more point)."""
        assert self.low is not None and self.high is not None and self.step is not None
        return count_steps(self.low, self.high, self.step)

    def grid_axis(self, grid_points: int = 5) -> Sequence[Any]:
        """The values grid search enumerates, as a sequence indexed lazily for a stepped range.

        What :meth:`grid_values` lists, without listing it: the grid searchers
        and the random searcher index into it.
        """
        if self.step is not None and not self.is_categorical:
            return SteppedAxis(self)
        return self.grid_values(grid_points)

    def grid_values(self, grid_points: int = 5) -> tuple[Any, ...]:
        """The values grid search enumerates, in order.

        Categorical: every option (custom: every option name). Stepped range:
        every grid point, ``high`` included when on the grid. Continuous range:
        ``grid_points`` evenly spaced points (log-spaced for ``log_range``),
        rounded and de-duplicated for integer ranges.
        """
        if self.kind == CHOICE:
            return self.choices
        if self.kind == CUSTOM:
            return self.labels
        assert self.low is not None and self.high is not None
        if self.step is not None:
            return tuple(SteppedAxis(self))
        n = min(max(grid_points, 1), MAX_GRID_POINTS)
        if n == 1:
            raw = [self.low]
        elif self.log:
            ratio = math.log(self.high / self.low)
            raw = [rounded(self.low * math.exp(ratio * i / (n - 1))) for i in range(n)]
        else:
            low, width = Decimal(repr(self.low)), Decimal(repr(self.high)) - Decimal(repr(self.low))
            raw = [rounded(float(low + width * i / (n - 1))) for i in range(n)]
        return tuple(dict.fromkeys(self.snap(value) for value in raw))

    def snap(self, value: float) -> Any:
        """Bring a raw number onto this parameter's domain (step grid, int, bounds)."""
        assert self.low is not None and self.high is not None
        if self.step is not None:
            value = round_to_step(value, self.low, self.step)
        value = min(max(value, self.low), self.high)
        if self.is_int:
            return round(value)
        return float(value)

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a legal value of this parameter (as in a point)."""
        if self.kind == CHOICE:
            return any(_same(value, c) for c in self.choices)
        if self.kind == CUSTOM:
            return value in self.labels
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        assert self.low is not None and self.high is not None
        if not (self.low - 1e-12 <= value <= self.high + 1e-12):
            return False
        if self.is_int and int(value) != value:
            return False
        if self.step is not None:
            return abs(round_to_step(value, self.low, self.step) - value) < 1e-9
        return True

    # --------------------------------------------------------------- JSON

    def to_json_value(self, value: Any) -> Any:
        """A point's value as JSON data (tuples become lists)."""
        return _jsonable(value)

    def from_json_value(self, data: Any) -> Any:
        """Inverse of :meth:`to_json_value`: the exact option object for choices."""
        if self.kind == CHOICE:
            for choice in self.choices:
                if _jsonable(choice) == data and type(_jsonable(choice)) is type(data):
                    return choice
            raise ValueError(f"{data!r} is not an option of {self.name}")
        if self.kind == CUSTOM:
            return str(data)
        return int(data) if self.is_int else float(data)

    def to_dict(self) -> dict[str, Any]:
        """The results-file description of this parameter (DESIGN.md §6)."""
        data: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.is_categorical:
            data["choices"] = [_jsonable(c) for c in self.choices]
            data["labels"] = list(self.labels)
        else:
            data.update(low=self.low, high=self.high, step=self.step, log=self.log, integer=self.is_int)
        data["line"] = self.span.line
        data["column"] = self.span.column
        return data


def _same(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b) or (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
        and a == b
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
