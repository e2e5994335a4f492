"""Hook implementations of neural-executor-ray (entry point ``neural``).

Holds hook implementations only; Ray is imported when a search starts with
``--executor ray``, never when the plugin is loaded, so ``neural --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

from neural.plugins import hookimpl


@hookimpl
def neural_register_executors() -> list[Any]:
    """Provide :class:`~neural_executor_ray.ray_executors.RayExecutors` (``--executor ray``)."""
    from neural_executor_ray.ray_executors import RayExecutors

    return [RayExecutors]
