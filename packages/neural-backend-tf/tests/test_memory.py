"""A 30-trial Keras search keeps its memory flat and its threads split: trials run in spawned workers, each replaced after
``trials_per_worker`` trials, because Keras keeps memory from model to model (keras#19471)."""

from __future__ import annotations

import os
from pathlib import Path

from tf_support import TINY_SEARCH, MemoryRecordingBackend, search

from neural.search.workers import threads_per_worker
from neural_backend_tf.backend import TensorFlowBackend

SOURCE = TINY_SEARCH.replace("epochs: 2", "epochs: 1")
TRIALS = 30


def test_thirty_trials_do_not_grow_resident_memory_past_the_first_few(tmp_path: Path) -> None:
    results = search(SOURCE, tmp_path, MemoryRecordingBackend(), trials=TRIALS, seed=3)
    trials = sorted(results["trials"], key=lambda t: t["number"])
    assert [t["state"] for t in trials] == ["complete"] * TRIALS, [t.get("error") for t in trials]
    last_epochs = [t["metrics"][-1] for t in trials]
    pids = [int(epoch["pid"]) for epoch in last_epochs]
    rss = [epoch["rss_mib"] for epoch in last_epochs]
    per_worker = TensorFlowBackend.trials_per_worker
    assert per_worker is not None
    # TF's pools were set before TF started in each worker, to core's split of the cores.
    assert {int(epoch["intra_op_threads"]) for epoch in last_epochs} == {threads_per_worker(1)}
    assert os.getpid() not in pids  # every trial ran in a worker, never in the search process
    assert len(set(pids)) == TRIALS // per_worker  # a fresh (spawned) worker every few trials
    first_few = max(rss[:per_worker])
    assert max(rss[per_worker:]) < first_few + 16, [round(value) for value in rss]
