"""The built-in ``grid`` searcher: the whole Cartesian product in a fixed order.

Registered by core's internal plugin. Each parameter contributes
:meth:`Param.grid_axis` (every option, every step of a stepped range,
``grid_points`` points on a continuous range, log-spaced on a ``log_range``).
Trial ``k`` evaluates grid point ``k`` with the last parameter varying
fastest (as ``itertools.product``); points are computed from ``k`` directly,
so a huge grid is never materialised (nor is a stepped axis: its points are computed by index). ``ask`` returns None once every point
(or the trial budget, whichever is smaller) has been issued.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from neural.search.base import SearchSettings
from neural.search.numbering import NumberedSearcher

if TYPE_CHECKING:
    from neural.space.space import SearchSpace


class GridSearcher(NumberedSearcher):
    """Enumerates every point of the space's grid exactly once."""

    name: ClassVar[str] = "grid"
    methods: ClassVar[frozenset[str]] = frozenset({"grid"})
    priority: ClassVar[int] = 0

    def __init__(self, space: SearchSpace, settings: SearchSettings) -> None:
        super().__init__(space, settings)
        self._names = [param.name for param in space.params]
        self._axes = [param.grid_axis(settings.grid_points) for param in space.params]

    @property
    def size(self) -> int:
        """How many points the grid has."""
        return math.prod(len(axis) for axis in self._axes)

    def point_for(self, number: int) -> dict[str, Any]:
        """Grid point ``number`` (0-based), decoded as a mixed-radix number."""
        values: list[Any] = []
        for axis in reversed(self._axes):
            number, position = divmod(number, len(axis))
            values.append(axis[position])
        return dict(zip(self._names, reversed(values), strict=True))

    def limit(self) -> int:
        """The grid's size, or the budget when that is smaller."""
        return min(self.size, self.settings.n_trials)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "grid_points": self.settings.grid_points, "grid_size": self.size}
