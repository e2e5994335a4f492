"""Drawing one value of a :class:`~neural.space.params.Param` from a random stream.

Used by the built-in random searcher. The DSL semantics live here: a stepped
range is uniform over its grid (``high`` included when on the grid, floats
rounded to the step's decimals), an integer range uniform over its integers,
a continuous float range uniform, a ``log_range`` log-uniform, a ``choice``
uniform over its options, a ``custom`` uniform over its option names.
"""

from __future__ import annotations

import math
import random
from typing import Any

from neural.space.params import CHOICE, CUSTOM, Param


def sample_value(param: Param, rng: random.Random) -> Any:
    """Return one value of ``param`` drawn from ``rng``, as a point holds it."""
    if param.kind == CHOICE:
        return param.choices[rng.randrange(len(param.choices))]
    if param.kind == CUSTOM:
        return param.labels[rng.randrange(len(param.labels))]
    assert param.low is not None and param.high is not None
    if param.step is not None:
        grid = param.grid_axis()  # computed by index: a range of 10**9 steps is not listed
        return grid[rng.randrange(len(grid))]
    if param.log:
        exponent = rng.uniform(math.log(param.low), math.log(param.high))
        return param.snap(math.exp(exponent))
    if param.is_int:
        return rng.randint(int(param.low), int(param.high))
    return param.snap(rng.uniform(param.low, param.high))


def sample_point(params: tuple[Param, ...] | list[Param], rng: random.Random) -> dict[str, Any]:
    """Return a whole point: one value per parameter, drawn in the given order."""
    return {param.name: sample_value(param, rng) for param in params}
