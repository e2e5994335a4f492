"""Hook implementations of the ``neural-backend-torch`` plugin (entry point ``neural``).

Registers the PyTorch backend. ``torch`` is imported by the backend module,
which is imported inside the hook, so loading this plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neural.plugins import hookimpl

if TYPE_CHECKING:
    from neural.backends.base import Backend


@hookimpl
def neural_register_backends() -> list[type[Backend]]:
    """The PyTorch backend (``--backend pytorch``, alias ``torch``)."""
    from neural_backend_torch.backend import TorchBackend

    return [TorchBackend]
