"""The fixed parts of every generated Keras module: callbacks, the training function, ``main``.

These are our own source text, identical for every model; the parts that
depend on the model are written by :mod:`codegen`, :mod:`layers_code` and
:mod:`optim_code` from validated values. The code here reads the module-level
constants the generator writes (``EPOCHS``, ``PATIENCE``...) and the functions
it defines (``build_model``, ``build_optimizer``, ``build_loss``...).
"""

from __future__ import annotations

IMPORTS = """\
from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf
"""

TRAINING = '''\
def pick_device(name: str = DEVICE) -> str:
    """The TensorFlow device to build and train on: "/CPU:0", or "/GPU:N" for "cuda:N" ("cuda" is
    GPU 0); "auto" takes GPU 0 when TensorFlow sees one. A GPU it does not see is a RuntimeError."""
    gpus = tf.config.list_physical_devices("GPU") if name != "cpu" else []
    if name == "auto":
        return "/GPU:0" if gpus else "/CPU:0"
    if name == "cpu":
        return "/CPU:0"
    index = int(name.partition(":")[2] or 0)
    if not gpus:
        raise RuntimeError(f"--device {name}: no GPU is visible to TensorFlow "
                           "(tf.config.list_physical_devices('GPU') is empty); use --device cpu or auto")
    if index >= len(gpus):
        raise RuntimeError(f"--device {name}: TensorFlow sees {len(gpus)} GPU(s) "
                           f"(cuda:0 to cuda:{len(gpus) - 1}); use one of those, or --device cuda")
    return f"/GPU:{index}"


def as_inputs(x: Any) -> np.ndarray:
    """Channels-last float32 inputs, as the model was declared."""
    return np.asarray(x, dtype=np.float32)


def as_targets(y: Any) -> np.ndarray:
    """Targets in the form the loss takes: class ids, or one-hot / float rows shaped like the output."""
    y = np.asarray(y)
    if LOSS == "sparse_categorical_crossentropy":
        return y.astype(np.int64)
    if y.ndim == 1 and np.issubdtype(y.dtype, np.integer) and (ONE_HOT_TARGETS or OUTPUT_SHAPE[-1] > 1):
        return np.eye(OUTPUT_SHAPE[-1], dtype=np.float32)[y]
    return y.astype(np.float32).reshape((len(y), *OUTPUT_SHAPE))


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """The rate the optimizer's next step uses (a schedule is evaluated at its step count)."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class EpochReporter(keras.callbacks.Callback):
    """Collects each epoch's metrics and hands them to `callback(epoch, metrics)`.

    Metrics are loss, accuracy, val_loss, val_accuracy (those that apply), lr
    and time. When `callback` returns True training stops after this epoch
    (a pruned trial). A non-finite loss raises FloatingPointError.
    """

    def __init__(self, callback: Callable[[int, dict[str, float]], bool] | None) -> None:
        super().__init__()
        self.callback = callback
        self.history: list[dict[str, float]] = []
        self.stopped = False
        self.started = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        reported = ("loss", "accuracy", "val_loss", "val_accuracy")
        metrics: dict[str, float] = {name: float(logs[name]) for name in reported if name in logs}
        metrics["lr"] = current_learning_rate(self.model.optimizer)
        metrics["time"] = time.perf_counter() - self.started
        self.history.append(metrics)
        if not math.isfinite(metrics["loss"]):
            raise FloatingPointError(
                f"training diverged: the loss is {metrics['loss']} after epoch {epoch + 1}; "
                "lower the learning rate"
            )
        if self.callback is not None and self.callback(epoch, metrics):
            self.stopped = True
            self.model.stop_training = True


class BatchProgress(keras.callbacks.Callback):
    """Calls `on_batch(done, total)` after every training batch (for a progress bar)."""

    def __init__(self, on_batch: Callable[[int, int], None], total: int) -> None:
        super().__init__()
        self.on_batch = on_batch
        self.total = total

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.on_batch(batch + 1, self.total)


class EarlyStopping(keras.callbacks.EarlyStopping):
    """Keras' EarlyStopping with restore_best_weights=True, watching MONITOR with PATIENCE and MIN_DELTA.

    The best weights are restored when the run ends, except after a pruned run
    (`reporter` stopped it), and a pruned epoch is not judged, as in the
    PyTorch backend.
    """

    def __init__(self, reporter: EpochReporter) -> None:
        super().__init__(monitor=MONITOR, patience=PATIENCE, min_delta=MIN_DELTA,
                         mode="max" if "acc" in MONITOR else "min", restore_best_weights=True)
        self.reporter = reporter

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not self.reporter.stopped:
            super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.reporter.stopped:
            self.best_weights = None  # a pruned run keeps its last weights
        super().on_train_end(logs)


def compile_model(model: keras.Model) -> keras.Model:
    """Attach the optimizer, the loss and the metrics the file declares; return `model`."""
    model.compile(optimizer=build_optimizer(), loss=build_loss(), metrics=build_metrics())
    return model


def train(
    model: keras.Model,
    x_train: Any,
    y_train: Any,
    x_val: Any,
    y_val: Any,
    *,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    callback: Callable[[int, dict[str, float]], bool] | None = None,
    on_batch: Callable[[int, int], None] | None = None,
    seed: int = SEED,
) -> dict[str, Any]:
    """Train `model` as the train block says (Keras `fit`); return the history.

    Inputs are channels-last arrays. After every epoch `callback(epoch, metrics)`
    gets loss, accuracy, val_loss, val_accuracy, lr and time; when it returns
    True training stops. `on_batch(done, total)` follows the batches. With
    early stopping the best epoch's weights are restored at the end.
    Returns {"epochs": [metrics per epoch], "best_epoch": index of the epoch
    whose weights the model holds, "stopped_early": bool, "stopped_by_callback": bool}.
    """
    keras.utils.set_random_seed(seed)
    compile_model(model)
    reporter = EpochReporter(callback)
    callbacks: list[keras.callbacks.Callback] = [reporter]
    stopper = EarlyStopping(reporter) if EARLY_STOPPING else None
    if stopper is not None:
        callbacks.append(stopper)
    if on_batch is not None:
        callbacks.append(BatchProgress(on_batch, math.ceil(len(x_train) / batch_size)))
    validation = (as_inputs(x_val), as_targets(y_val)) if len(x_val) else None
    model.fit(as_inputs(x_train), as_targets(y_train), batch_size=batch_size, epochs=epochs,
              validation_data=validation, validation_batch_size=max(batch_size, 256), shuffle=True,
              callbacks=callbacks, verbose=0)
    best_epoch = len(reporter.history) - 1
    stopped_early = False
    if stopper is not None and stopper.best_weights is not None and not reporter.stopped:
        best_epoch = int(stopper.best_epoch)
        stopped_early = stopper.stopped_epoch > 0
    return {
        "epochs": reporter.history,
        "best_epoch": best_epoch,
        "stopped_early": stopped_early,
        "stopped_by_callback": reporter.stopped,
    }


def format_metrics(epoch: int, epochs: int, metrics: dict[str, float]) -> str:
    """One line for epoch `epoch` (0-based): every metric, then the time."""
    shown = "  ".join(f"{name} {value:.4f}" for name, value in metrics.items() if name not in ("lr", "time"))
    return f"epoch {epoch + 1}/{epochs}  {shown}  lr {metrics['lr']:.3g}  {metrics['time']:.1f}s"


def main(argv: list[str] | None = None) -> None:
    """`python THIS_FILE.py`: load the data, train, print each epoch, save the model (.keras)."""
    parser = argparse.ArgumentParser(description=f"Train {NETWORK_NAME} as its train block says.")
    parser.add_argument("--data", default=DATASET,
                        help="a data spec, as for `neural run --data` (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="default: %(default)s")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=SEED, help="default: %(default)s")
    parser.add_argument("--device", default=DEVICE,
                        help="auto (a GPU when TensorFlow sees one), cpu, cuda or cuda:N "
                        "(default: %(default)s)")
    parser.add_argument("--out", default=MODEL_FILE,
                        help="file for the trained model, ending in .keras (default: %(default)s)")
    args = parser.parse_args(argv)

    # neural-core knows the data specs (mnist5k, digits, npz:PATH, ...) and fits the data to INPUT_SHAPE.
    from neural.datasets.prepare import prepare_data

    data = prepare_data(args.data, INPUT_SHAPE, validation_split=VALIDATION_SPLIT, seed=args.seed, loss=LOSS,
                        num_classes=NUM_CLASSES, int_inputs_below=TOKEN_IDS_BELOW)
    for note in data.notes:
        print(note)

    def show(epoch: int, metrics: dict[str, float]) -> bool:
        print(format_metrics(epoch, args.epochs, metrics), flush=True)
        return False

    with tf.device(pick_device(args.device)):  # the weights are made there, and the training runs there
        keras.utils.set_random_seed(args.seed)
        model = build_model()
        history = train(model, data.x_train, data.y_train, data.x_val, data.y_val,
                        epochs=args.epochs, batch_size=args.batch_size, callback=show, seed=args.seed)
    model.save(args.out)
    print(f"kept the weights of epoch {history['best_epoch'] + 1}; saved the model to {args.out}")


if __name__ == "__main__":
    main()
'''
