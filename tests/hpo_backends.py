"""Test-only backends for the search-engine tests: the real PyTorch backend, plus a fault.

They live in an importable module (not a test file) so that the ``spawn``
worker processes of ``--parallel`` can unpickle them. Each one really trains
with :class:`TorchBackend`; it only adds a failure at a chosen moment.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from neural.backends.base import Reporter, TrainData, TrainResult
from neural.model import ConcreteModel
from neural_backend_torch.backend import TorchBackend


def first_units(model: ConcreteModel) -> int:
    """The units of the model's first Dense layer (the tests' fault trigger)."""
    return int(next(layer for layer in model.layers if layer.kind == "Dense").params["units"])


class _FaultAtEpoch:
    """Wraps the runner's reporter; calls ``fault`` when epoch ``epoch`` ends."""

    def __init__(self, inner: Reporter, epoch: int, fault: Any) -> None:
        self.inner, self.epoch, self.fault = inner, epoch, fault

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        if epoch == self.epoch:
            self.fault()
        return self.inner.on_epoch_end(epoch, metrics)


class RaisingBackend(TorchBackend):
    """Trains normally, but a model whose first Dense has ``bad_units`` units raises after epoch 0."""

    def __init__(self, bad_units: int | None = 8) -> None:
        self.bad_units = bad_units

    def _fault(self) -> None:
        raise RuntimeError("injected failure in the middle of training")

    def train(
        self,
        model: ConcreteModel,
        data: TrainData,
        *,
        reporter: Reporter | None = None,
        seed: int = 0,
        threads: int | None = None,
    ) -> TrainResult:
        if reporter is not None and (self.bad_units is None or first_units(model) == self.bad_units):
            reporter = _FaultAtEpoch(reporter, 0, self._fault)
        return super().train(model, data, reporter=reporter, seed=seed, threads=threads)


class SelfKillingBackend(RaisingBackend):
    """Like :class:`RaisingBackend`, but the process SIGKILLs itself (a worker killed mid-trial)."""

    def _fault(self) -> None:
        os.kill(os.getpid(), signal.SIGKILL)
