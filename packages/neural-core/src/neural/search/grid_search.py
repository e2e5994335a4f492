"""The built-in ``grid`` searcher: the whole Cartesian product in a fixed order.

Registered by core's internal plugin. Each parameter contributes
:meth:`Param.grid_axis` (every option, every step of a stepped range,
``grid_points`` points on a continuous range, log-spaced on a ``log_range``).
Trial ``k`` evaluates grid point ``k`` with the last parameter varying
fastest (as ``itertools.product``); points are computed from ``k`` directly
(:class:`~neural.search.grid_axes.GridAxes`), so neither a huge grid nor a
stepped axis of it is ever listed. ``ask`` returns None once every point (or
the trial budget, whichever is smaller) has been issued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from neural.search.base import SearchSettings
from neural.search.grid_axes import GridAxes
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
        self._grid = GridAxes(space.params, settings.grid_points)

    @property
    def size(self) -> int:
        """How many points the grid has."""
        return self._grid.size

    def point_for(self, number: int) -> dict[str, Any]:
        """Grid point ``number`` (0-based), decoded as a mixed-radix number."""
        return self._grid.point(number)

    def limit(self) -> int:
        """The grid's size, or the budget when that is smaller."""
        return min(self.size, self.settings.n_trials)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "grid_points": self.settings.grid_points, "grid_size": self.size}
