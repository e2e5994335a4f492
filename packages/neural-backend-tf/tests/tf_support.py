"""Helpers for the TensorFlow backend's tests: compile DSL text, run a search, a memory-recording backend.

Importable by spawned worker processes (the conftest puts this folder on
``sys.path``, which ``spawn`` hands to its children), so the backend defined
here can run trials in workers.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from neural.backends.base import Reporter, TrainData, TrainResult
from neural.model import ConcreteModel
from neural.program import compile_source, load_program
from neural.search.driver import HpoOptions, run_search
from neural_backend_tf.backend import TensorFlowBackend

TINY_SEARCH = """\
network TinyKerasSearch {
  input: (8,)
  layers:
    Dense(HPO(choice(4, 8, 16)), activation="relu")
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 2  batch_size: 32  validation_split: 0.25  dataset: "synthetic:96,3"  n_trials: 4 }
}
"""


def model_of(source: str, point: dict[str, object] | None = None) -> ConcreteModel:
    """The concrete model of DSL ``source`` (at ``point``, else its nominal point)."""
    space = compile_source(source, "test.neural").space
    return space.bind(point if point is not None else space.nominal_point())


def search(source: str, out_dir: Path, backend: TensorFlowBackend | None = None, **options: Any) -> dict[str, Any]:
    """Run a search of ``source`` with the built-in random searcher; return hpo_results.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "model.neural"
    path.write_text(source, encoding="utf-8")
    options.setdefault("searcher", "random")
    console = Console(file=io.StringIO(), width=200)
    run_search(
        load_program(path),
        backend=backend or TensorFlowBackend(),
        options=HpoOptions(out_dir=out_dir, **options),
        console=console,
    )
    results: dict[str, Any] = json.loads((out_dir / "hpo_results.json").read_text())
    return results


class _WithMemory:
    """Adds the process's resident memory (MiB), its id and TF's intra-op threads to every epoch's metrics."""

    def __init__(self, inner: Reporter) -> None:
        self.inner = inner

    def on_epoch_end(self, epoch: int, metrics: dict[str, float]) -> bool:
        import psutil
        import tensorflow as tf

        extra = {
            "rss_mib": psutil.Process().memory_info().rss / 2**20,
            "pid": float(os.getpid()),
            "intra_op_threads": float(tf.config.threading.get_intra_op_parallelism_threads()),
        }
        return self.inner.on_epoch_end(epoch, {**metrics, **extra})


class MemoryRecordingBackend(TensorFlowBackend):
    """The real TensorFlow backend; each epoch's metrics also carry the training process's memory, pid and threads."""

    def train(
        self,
        model: ConcreteModel,
        data: TrainData,
        *,
        reporter: Reporter | None = None,
        seed: int = 0,
        threads: int | None = None,
    ) -> TrainResult:
        wrapped = _WithMemory(reporter) if reporter is not None else None
        return super().train(model, data, reporter=wrapped, seed=seed, threads=threads)
