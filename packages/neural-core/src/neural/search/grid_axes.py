"""A search space's grid, addressed by index: point ``k`` computed, never the grid listed.

Used by core's ``grid`` searcher and by the Optuna plugin's grid sampler, so
both visit the same points in the same order (``itertools.product`` order,
the last parameter varying fastest). Each axis is
:meth:`Param.grid_axis` (a stepped range's points are computed by index), so a
grid of 500,000,000 points costs no more to open than one of five.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from neural.space.params import Param, SteppedAxis


class GridAxes:
    """The grid of ``params`` with ``grid_points`` points on each continuous range."""

    def __init__(self, params: Iterable[Param], grid_points: int) -> None:
        self.params = tuple(params)
        self.names = [param.name for param in self.params]
        self.axes = [param.grid_axis(grid_points) for param in self.params]
        self._positions: list[dict[str, int] | None] = [
            None if isinstance(axis, SteppedAxis) else {_key(value): i for i, value in enumerate(axis)}
            for axis in self.axes
        ]

    @property
    def size(self) -> int:
        """How many points the grid has (a Python int: no overflow)."""
        return math.prod(len(axis) for axis in self.axes)

    def point(self, index: int) -> dict[str, Any]:
        """Grid point ``index`` (0-based), decoded as a mixed-radix number."""
        values: list[Any] = []
        for axis in reversed(self.axes):
            index, position = divmod(index, len(axis))
            values.append(axis[position])
        return dict(zip(self.names, reversed(values), strict=True))

    def index_of(self, point: Mapping[str, Any]) -> int | None:
        """The index of ``point`` in the grid, or None when it is not a grid point (or lacks a name)."""
        from neural.space.space import coerce_value

        index = 0
        for param, axis, positions in zip(self.params, self.axes, self._positions, strict=True):
            if param.name not in point:
                return None
            value = coerce_value(param, point[param.name])
            if positions is not None:
                position = positions.get(_key(value))
            else:
                position = _stepped_position(param, value, len(axis))
                if position is not None and _key(axis[position]) != _key(value):
                    position = None
            if position is None:
                return None
            index = index * len(axis) + position
        return index


def _key(value: Any) -> str:
    """A hashable key equal for equal point values (``16`` and ``16.0``, ``(3, 3)`` and ``[3, 3]``)."""
    if isinstance(value, (list, tuple)):
        return "(" + ",".join(_key(item) for item in value) + ")"
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    return repr(value)


def _stepped_position(param: Param, value: Any, length: int) -> int | None:
    assert param.low is not None and param.step is not None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    position = round((value - param.low) / param.step)
    return position if 0 <= position < length else None


__all__ = ["GridAxes"]
