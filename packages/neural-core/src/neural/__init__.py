"""Neural DSL: declare a network, search its hyperparameters, compile it to PyTorch or TensorFlow."""

from __future__ import annotations

__version__ = "0.1.0"
