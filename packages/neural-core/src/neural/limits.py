"""Limits that protect the machine (and the meaning of numbers), in one place.

Each is stated in the error that enforces it and in the README ("Limits").
Imported by the language front end (literals, repeats, grids), the search
space, the train-block schema and ``neural check``'s memory estimate.
"""

from __future__ import annotations

#: The largest integer a file may write: every count, size and seed fits in it.
MAX_INTEGER = 2**63 - 1
#: Study and trial seeds are what every framework's generator accepts: 0 to 2**32 - 1.
MAX_SEED = 2**32 - 1
#: The most copies ``Layer(...) * N`` may make.
MAX_REPEAT = 10_000
#: The most layers a model may have once every ``* N`` is expanded.
MAX_LAYERS = 100_000
#: The most points ``grid_points`` may put on a continuous range (such an axis is listed).
MAX_GRID_POINTS = 10_000
#: The most steps a stepped range may have. Its grid is enumerated by index, never built,
#: so this is no memory limit: past it, ``low + k * step`` is no longer exact in floating point.
MAX_GRID_STEPS = 10**12

__all__ = ["MAX_GRID_POINTS", "MAX_GRID_STEPS", "MAX_INTEGER", "MAX_LAYERS", "MAX_REPEAT", "MAX_SEED"]
