"""Names derived from a network or layer name: one rule, used everywhere.

Layer instance and parameter names (``conv2d_1``, ``max_pooling2d_1.pool_size``),
loss call names, and the files ``neural compile`` and ``neural run`` write
(``simple_hpo_example_pytorch.py``, ``simple_hpo_example.pt``), which the
generated module also names, so they must agree.
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=256)
def snake_case(name: str) -> str:
    """Keras' layer naming: ``Conv2D`` → ``conv2d``, ``MaxPooling2D`` → ``max_pooling2d``."""
    intermediate = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", intermediate).lower()


def output_stem(network_name: str) -> str:
    """The file stem of a network's outputs: its name in snake case (``simple_hpo_example``)."""
    return snake_case(network_name)


def module_filename(network_name: str, backend_name: str) -> str:
    """What ``neural compile`` writes by default: ``<stem>_<backend>.py``."""
    return f"{output_stem(network_name)}_{backend_name}.py"


def weights_filename(network_name: str, suffix: str) -> str:
    """The trained weights' file: ``<stem><suffix>`` (``simple_hpo_example.pt``)."""
    return f"{output_stem(network_name)}{suffix}"
