"""Hook implementations of the ``neural-backend-tf`` plugin (entry point ``neural``).

This package provides no features yet, so this module registers nothing.
When the TensorFlow/Keras backend land, the hook goes here, importing the heavy
library only inside the hook function::

    from neural.plugins import hookimpl

    @hookimpl
    def neural_register_backends():
        from neural_backend_tf.backend import TensorFlowBackend
        return [TensorFlowBackend]
"""

from __future__ import annotations
