"""Train one model once and keep the result: what ``neural run`` does after any search.

Used by ``neural run`` (with or without ``--hpo``: after a search it trains the
best model through here) and by anything else that must train a single
model and save it::

    run = train_and_save(model, backend, data_spec=None, seed=0, out_dir=Path("."), console=console)
    run.written   # [Path("simple_hpo_example.pt"), Path("simple_hpo_example.metrics.json")]

Steps: prepare the data (:func:`prepare_model_data`), train with a live
display (:class:`EpochDisplay`), save the weights (``backend.save``), write
``<name>.metrics.json`` and print what was written. No heavy library is
imported here; the backend imports its framework.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.naming import output_stem, weights_filename
from neural.search.atomic_write import write_text_atomic

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from neural.backends.base import Backend, TrainData, TrainResult
    from neural.devices import DeviceChoice
    from neural.model import ConcreteModel

METRICS_SCHEMA = "neural.run-metrics/1"

#: Metrics shown on each epoch's line, in this order (others are kept in the file only).
SHOWN_METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")


@dataclass
class TrainedRun:
    """What :func:`train_and_save` did: the training result and the files written."""

    result: TrainResult
    data: TrainData
    weights_path: Path
    metrics_path: Path
    written: list[Path] = field(default_factory=list)


#: The error for Ctrl-C during a training run (the model is saved only at its end).
INTERRUPTED_TRAINING = "training was interrupted (Ctrl-C) before the model was saved: run the command again to train"


def prepare_model_data(model: ConcreteModel, data_spec: str | None, *, seed: int) -> TrainData:
    """Load the data for ``model``: ``data_spec`` (``--data``) or the train block's ``dataset``.

    Fits the data to the declared input, checks the labels against the output
    width (cross-entropy losses) and, for an ``Embedding`` first layer, maps
    inputs to token ids; splits off ``validation_split`` after a seeded shuffle.
    Raises NeuralError when the data cannot be had or does not fit, or when a
    cross-entropy model does not end in one score vector per sample.
    """
    from neural.datasets.prepare import prepare_data

    first = model.layers[0] if model.layers else None
    token_ids_below = (
        int(first.params["input_dim"]) if first is not None and first.kind == "Embedding" else None
    )
    classifies = "crossentropy" in model.loss
    if classifies and len(model.output_shape) != 1:
        # Dense on a sequence acts per step, so the network ends with one score vector per step.
        raise NeuralError(
            f"{model.name} ends with output shape {tuple(model.output_shape)} per sample, but {model.loss} "
            "needs one score per class, shape (classes,): add Flatten() or GlobalAveragePooling1D() "
            "before the last layer (or give LSTM/GRU return_sequences=false)"
        )
    data = prepare_data(
        data_spec or model.train.dataset,
        tuple(model.input_shape),
        validation_split=model.train.validation_split,
        seed=seed,
        loss=model.loss,
        num_classes=model.output_shape[-1] if classifies and model.output_shape else None,
        int_inputs_below=token_ids_below,
    )
    if not classifies:
        require_matching_targets(model, data)
    return data


def require_matching_targets(model: ConcreteModel, data: TrainData) -> None:
    """Raise NeuralError when a regression model's output does not hold one value per target.

    Called by :func:`prepare_model_data` for losses other than cross-entropy
    (``mse``, ``mae``), whose targets are compared with the output element by element.
    """
    per_sample = tuple(int(n) for n in data.y_train.shape[1:]) or (1,)
    output = tuple(model.output_shape)
    if math.prod(per_sample) == math.prod(output):
        return
    raise NeuralError(
        f"the {data.name or 'training'} targets have shape {per_sample} per sample, but {model.name} "
        f"outputs {output} with loss {model.loss}: end the network with Output({math.prod(per_sample)}) "
        'to predict them, or use loss "sparse_categorical_crossentropy" if they are class ids'
    )


class EpochDisplay:
    """A reporter for one training run: one line per epoch and a transient bar across its batches.

    Use it as a context manager around ``backend.train(..., reporter=display)``.
    ``on_batch_end`` is optional in the reporter protocol; backends that call
    it get the bar, the others still get the epoch lines. Never stops training.
    """

    def __init__(self, console: Console, epochs: int) -> None:
        self.console = console
        self.epochs = epochs
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._epoch = 0

    def __enter__(self) -> EpochDisplay:
        if not self.console.is_terminal:
            return self  # a bar redrawn into a pipe or a file is noise
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("batches"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def on_batch_end(self, done: int, total: int) -> None:
        """Called after each batch with how many of the epoch's ``total`` batches are done."""
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task(
                "train", total=total, epoch=self._epoch + 1, epochs=self.epochs
            )
        self._progress.update(self._task, completed=done)

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        """Print epoch ``epoch``'s line (loss, accuracy, val_loss, val_accuracy, time); never stop."""
        if self._progress is not None and self._task is not None:
            self._progress.remove_task(self._task)
        self._task = None
        self._epoch = epoch + 1
        self.console.print(format_epoch_line(epoch, self.epochs, metrics), highlight=False)
        return False


def format_epoch_line(epoch: int, epochs: int, metrics: dict[str, float]) -> str:
    """``epoch 3/10  loss 0.1234  accuracy 0.9610  val_loss 0.1500  val_accuracy 0.9550  2.1s``."""
    parts = [f"epoch {epoch + 1}/{epochs}"]
    parts.extend(f"{name} {metrics[name]:.4f}" for name in SHOWN_METRICS if name in metrics)
    if "time" in metrics:
        parts.append(f"{metrics['time']:.1f}s")
    return "  ".join(parts)


def metrics_document(
    model: ConcreteModel,
    backend: Backend,
    result: TrainResult,
    data: TrainData,
    *,
    seed: int,
    data_spec: str,
    weights_path: Path,
    source: str | None = None,
    hyperparameters: dict[str, Any] | None = None,
    point: str | None = None,
) -> dict[str, Any]:
    """The ``<name>.metrics.json`` document (schema ``neural.run-metrics/1``).

    ``best_epoch`` is 1-based: the epoch whose weights were saved. ``point`` says
    which point of the search space ``hyperparameters`` is (``"nominal"``,
    ``"best trial 3"``), None for a file without HPO.
    """
    return {
        "schema": METRICS_SCHEMA,
        "network": model.name,
        "source": source,
        "backend": backend.name,
        "hyperparameters": dict(hyperparameters or {}),
        "point": point,
        "data": {
            "spec": data_spec,
            "train_samples": len(data.x_train),
            "validation_samples": len(data.x_val),
            "notes": list(data.notes),
        },
        "seed": seed,
        "epochs_requested": model.train.epochs,
        "epochs_run": len(result.history),
        "best_epoch": result.best_epoch + 1 if result.history else None,
        "stopped_early": result.stopped_early,
        "best": result.best_metrics,
        "final": result.final_metrics,
        "history": [dict(epoch) for epoch in result.history],
        "duration_seconds": round(result.duration, 3),
        "device": result.device,
        "weights": weights_path.name,
    }


def train_and_save(
    model: ConcreteModel,
    backend: Backend,
    *,
    data_spec: str | None,
    seed: int,
    out_dir: Path,
    console: Console,
    train_seed: int | None = None,
    threads: int | None = None,
    data: TrainData | None = None,
    source: str | None = None,
    hyperparameters: dict[str, Any] | None = None,
    point: str | None = None,
    list_written: bool = True,
    device: DeviceChoice | None = None,
) -> TrainedRun:
    """Train ``model`` once with ``backend`` and write ``<name><suffix>`` and ``<name>.metrics.json``.

    ``seed`` shuffles and splits the data and, unless ``train_seed`` is given
    (the best trial's seed after a search), seeds training too.
    ``data`` skips loading when the caller has it already. Prints the data
    notes, a line per epoch, and (unless ``list_written`` is False, for a
    caller that lists everything it wrote at its end) the files written.
    ``device`` is the caller's :func:`~neural.devices.device_for_backend` for
    ``model.train.device`` (worked out here when None); its line follows the
    training line. Returns a :class:`TrainedRun`.
    Raises NeuralError for a data problem, a GPU that is not there or a diverged run.
    """
    from neural.devices import device_for_backend

    if device is None:
        device = device_for_backend(model.train.device, backend, source="train block device")
    spec = data_spec or model.train.dataset
    train_seed = seed if train_seed is None else train_seed
    if data is None:
        data = prepare_model_data(model, spec, seed=seed)
    for note in data.notes:
        console.print(f"data: {note}", highlight=False)
    console.print(
        f"training {model.name} with {backend.name} on {data.name or spec}: "
        f"{len(data.x_train)} training and {len(data.x_val)} validation samples, "
        f"{model.train.epochs} epoch(s), batch size {model.train.batch_size}, seed {train_seed}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(device.header(), highlight=False, soft_wrap=True)
    started = time.perf_counter()
    try:
        with EpochDisplay(console, model.train.epochs) as display:
            result = backend.train(model, data, reporter=display, seed=train_seed, threads=threads)
    except KeyboardInterrupt:
        raise NeuralError(INTERRUPTED_TRAINING) from None
    if not result.duration:
        result.duration = time.perf_counter() - started
    if result.stopped_early:
        console.print(
            f"early stopping after epoch {len(result.history)}; kept the weights of epoch {result.best_epoch + 1}"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = backend.save(result, out_dir / weights_filename(model.name, backend.model_suffix))
    metrics_path = out_dir / f"{output_stem(model.name)}.metrics.json"
    document = metrics_document(
        model,
        backend,
        result,
        data,
        seed=train_seed,
        data_spec=spec,
        weights_path=weights_path,
        source=source,
        hyperparameters=hyperparameters,
        point=point,
    )
    write_text_atomic(metrics_path, json.dumps(document, indent=2) + "\n")
    written = [Path(weights_path), metrics_path]
    if list_written:
        print_written(console, written)
    return TrainedRun(
        result=result, data=data, weights_path=Path(weights_path), metrics_path=metrics_path, written=written
    )


def print_written(console: Console, paths: list[Path]) -> None:
    """List the files a command wrote, one per line (``wrote PATH``)."""
    for path in paths:
        console.print(f"wrote {path}", highlight=False)
