"""``TensorFlowBackend``: ``--backend tensorflow`` (aliases ``tf``, ``keras``).

Registered by :mod:`neural_backend_tf.plugin`. ``generate`` writes the Keras 3
module; ``train`` executes that same source and trains with its ``train``
function, so what ``neural compile`` writes is exactly what ``neural run`` and
every HPO trial train. TensorFlow is imported inside ``train`` and ``save``
only.

Keras keeps memory from model to model in one process even after
``clear_session()``, so this backend asks core to run every search trial in
a spawned worker process that is replaced after :attr:`trials_per_worker`
trials (``Backend.trials_per_worker``): a long search's memory stays flat.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from neural.backends.base import Backend, Reporter, TrainData, TrainResult
from neural.backends.generated import load_generated_module, train_generated
from neural.errors import NeuralError
from neural.search.atomic_write import atomic_file
from neural_backend_tf.codegen import BACKEND_NAME, MODEL_SUFFIX, generate_module

if TYPE_CHECKING:
    from neural.model import ConcreteModel


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Hold back what native code writes to stderr while TF loads (absl prints INFO lines before
    TF_CPP_MIN_LOG_LEVEL applies); an import that fails gets that text back on stderr."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to protect
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.write(held.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_keras(threads: int | None = None) -> Any:
    """Import Keras on TensorFlow, with ``threads`` in TF's pools when TF is not initialised yet.

    TF's thread pools are fixed when its runtime starts, so a worker process
    sets them before its first model (core splits the cores between workers,
    as for the PyTorch backend). Raises NeuralError when Keras runs another backend.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no C++ start-up chatter on stderr
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with _quiet_native_stderr():
        import tensorflow as tf

    if threads:
        with contextlib.suppress(RuntimeError):  # already running: its pools cannot change any more
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras

    if keras.backend.backend() != "tensorflow":
        raise NeuralError(
            f"Keras runs on {keras.backend.backend()!r} in this process (KERAS_BACKEND); "
            "the tensorflow backend needs KERAS_BACKEND=tensorflow"
        )
    return keras


def trained_device(network: Any) -> str | None:
    """Where ``network``'s weights live after training, named as for ``--device``: TF's
    ``.../device:CPU:0`` is ``"cpu"``, ``.../device:GPU:1`` is ``"cuda:1"``; None for a network
    without weights or a device TF does not name. Called once per ``train``."""
    for weight in network.weights:
        name = str(getattr(getattr(weight, "value", weight), "device", "") or "")
        kind, _, index = name.rpartition("device:")[2].partition(":")
        if kind.upper() == "CPU":
            return "cpu"
        if kind.upper() == "GPU" and index.isdigit():
            return f"cuda:{index}"
        return None
    return None


class TensorFlowBackend(Backend):
    """Keras 3 on TensorFlow code generation and training, on the device the train block names."""

    name = BACKEND_NAME
    aliases = ("tf", "keras")
    model_suffix = MODEL_SUFFIX
    framework = "TensorFlow"
    places_devices = True
    #: Trials one worker process runs before a fresh one replaces it (Keras leaks across models).
    trials_per_worker: ClassVar[int | None] = 5

    def generate(self, model: ConcreteModel) -> str:
        """The standalone module's source for ``model``; same model, same bytes."""
        return generate_module(model)

    def train(
        self,
        model: ConcreteModel,
        data: TrainData,
        *,
        reporter: Reporter | None = None,
        seed: int = 0,
        threads: int | None = None,
    ) -> TrainResult:
        """Train ``model`` with the generated module's ``train`` and return the result.

        The session is cleared first and seeded after (``keras.utils.set_random_seed``),
        so a trial is reproducible. ``reporter.on_epoch_end`` gets every epoch's
        metrics; True stops the run (``pruned=True``). When the reporter also
        has ``on_batch_end(done, total)`` it follows the batches. The model is
        built and trained under ``tf.device`` of the module's ``pick_device()``
        (its ``DEVICE``, the train block's ``device``). A GPU TensorFlow does not
        see, or a diverged run (NaN loss), raises NeuralError.
        """
        keras = import_keras(threads)
        import tensorflow as tf

        module = load_generated_module(self.generate(model), model.name)
        try:
            device = module.pick_device()  # a GPU TensorFlow does not see: one line, before anything is built
        except RuntimeError as error:
            raise NeuralError(str(error)) from None
        keras.backend.clear_session()
        with tf.device(device):  # the weights are made on the device and the training runs there
            keras.utils.set_random_seed(seed)
            network = module.build_model()
            result = train_generated(module, network, model, data, reporter=reporter, seed=seed)
        result.device = trained_device(network)
        return result

    def save(self, result: TrainResult, path: Path) -> Path:
        """Write the trained model to ``path`` (``.keras``) atomically; return the path.

        The file loads with ``keras.saving.load_model(path, safe_mode=True)``:
        only built-in layers, no Lambda. Keras writes a temp file in the same
        folder, which then replaces ``path`` in one rename (core's ``atomic_file``).
        """
        if result.artifact is None:
            raise NeuralError("there is no trained model to save: the training returned no network")
        path = Path(path)
        if path.suffix != MODEL_SUFFIX:
            raise NeuralError(f"a Keras model file must end in {MODEL_SUFFIX}, not {path.name!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as temp:  # the temp file keeps the suffix Keras insists on
            result.artifact.save(str(temp))
        return path
