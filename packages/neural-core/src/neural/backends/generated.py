"""Running a generated module: what every backend's ``train`` shares (one model, one truth).

A backend's :meth:`~neural.backends.base.Backend.train` executes the very source
its ``generate`` returns (:func:`load_generated_module`), builds the network with
the module's ``build_model`` after seeding its framework, and hands it to
:func:`train_generated`, which calls the module's ``train`` with the data and the
reporter and turns the history it returns into a :class:`TrainResult`.

The generated ``train`` contract: ``train(network, x_train, y_train, x_val,
y_val, *, epochs, batch_size, callback, on_batch, seed)`` returns a dict with
``epochs`` (one metrics dict per epoch), ``best_epoch``, ``stopped_early`` and
``stopped_by_callback``, and raises ``FloatingPointError`` on a NaN loss.
"""

from __future__ import annotations

import time
import types
from typing import TYPE_CHECKING, Any

from neural.backends.base import NullReporter, Reporter, TrainData, TrainResult
from neural.errors import NeuralError

if TYPE_CHECKING:
    from neural.model import ConcreteModel


def load_generated_module(source: str, network_name: str) -> types.ModuleType:
    """Execute generated ``source`` as a fresh module named ``neural_generated.<network_name>``.

    The code object's file name is ``<neural:NAME>``, so a traceback points at
    the generated code. Called by each backend's ``train`` (and by tests).
    """
    module = types.ModuleType(f"neural_generated.{network_name}")
    module.__file__ = f"<neural:{network_name}>"
    exec(compile(source, f"<neural:{network_name}>", "exec"), module.__dict__)
    return module


def train_generated(
    module: types.ModuleType,
    network: Any,
    model: ConcreteModel,
    data: TrainData,
    *,
    reporter: Reporter | None,
    seed: int,
) -> TrainResult:
    """Train ``network`` with ``module.train`` and return the result (``artifact`` is ``network``).

    ``reporter.on_epoch_end`` gets every epoch's metrics (True stops: ``pruned=True``);
    its ``on_batch_end(done, total)``, when it has one, follows the batches. A NaN
    loss raises :class:`NeuralError` naming the model.
    """
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    try:
        history: dict[str, Any] = module.train(
            network,
            data.x_train,
            data.y_train,
            data.x_val,
            data.y_val,
            epochs=model.train.epochs,
            batch_size=model.train.batch_size,
            callback=reporter.on_epoch_end,
            on_batch=getattr(reporter, "on_batch_end", None),
            seed=seed,
        )
    except FloatingPointError as error:
        raise NeuralError(f"{model.name}: {error}") from error
    return TrainResult(
        history=[dict(epoch) for epoch in history["epochs"]],
        best_epoch=int(history["best_epoch"]),
        stopped_early=bool(history["stopped_early"]),
        pruned=bool(history["stopped_by_callback"]),
        duration=time.perf_counter() - started,
        artifact=network,
    )
