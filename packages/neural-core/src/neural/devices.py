"""Which accelerators a process may use, read cheaply (no framework imported).

:func:`visible_gpus` parses ``CUDA_VISIBLE_DEVICES`` the way CUDA does: it is
called when a trial starts (the results file records the GPUs that trial's
process was given) and when the run header says what ``auto`` picks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: The variable CUDA (and so PyTorch and TensorFlow) reads to choose the GPUs a process sees.
CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES"


def parse_visible_devices(value: str | None) -> list[str]:
    """The GPU ids in a ``CUDA_VISIBLE_DEVICES`` value, in order.

    ``None`` or an empty value: ``[]``. As CUDA does, the list ends at the
    first negative entry, so ``"-1"`` hides every GPU and ``"0,-1,1"`` is
    ``["0"]``. Ids are kept as text (CUDA accepts ``GPU-<uuid>`` too).
    """
    if not value:
        return []
    ids: list[str] = []
    for item in value.split(","):
        item = item.strip()
        if not item or item.startswith("-"):
            break
        ids.append(item)
    return ids


def visible_gpus(environ: Mapping[str, str] | None = None) -> list[str]:
    """The GPU ids ``CUDA_VISIBLE_DEVICES`` gives this process now (``[]`` when unset, empty or ``-1``).

    Unset means "every GPU" to CUDA, but it assigns nothing: a trial's record
    says ``[]`` then, and the device the framework used says the rest.
    """
    env = os.environ if environ is None else environ
    return parse_visible_devices(env.get(CUDA_VISIBLE_DEVICES))
