"""Hook implementations of the ``neural-backend-tf`` plugin (entry point ``neural``).

Registers the TensorFlow/Keras backend. TensorFlow is imported only when the
backend trains or saves, never when this plugin loads, so ``neural --help``
and ``neural check`` stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neural.plugins import hookimpl

if TYPE_CHECKING:
    from neural.backends.base import Backend


@hookimpl
def neural_register_backends() -> list[type[Backend]]:
    """The TensorFlow/Keras 3 backend (``--backend tensorflow``, aliases ``tf`` and ``keras``)."""
    from neural_backend_tf.backend import TensorFlowBackend

    return [TensorFlowBackend]
