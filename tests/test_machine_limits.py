"""What protects the machine during a search (issue 11): worker count, memory, and orphaned workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from neural.backends.base import TrainData
from neural.errors import NeuralError
from neural.model_memory import available_memory
from neural.program import compile_source
from neural.search.capacity import WORKER_BASE_BYTES, check_parallel

NEURAL = Path(sys.executable).with_name("neural")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200"}
LONG = """network Long {
  input: (4,)
  layers:
    Dense(HPO(choice(8, 16)), "relu")
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 100000 batch_size: 4 search_method: "random" n_trials: 4 dataset: "synthetic" }
}
"""


def tiny_data() -> TrainData:
    x = np.zeros((64, 4), dtype=np.float32)
    y = np.zeros(64, dtype=np.int64)
    return TrainData(x, y, x[:16], y[:16], num_classes=3)


def test_more_workers_than_cores_is_said_before_the_search_starts() -> None:
    console = Console(record=True, width=200)
    model = compile_source(LONG).nominal_model()
    check_parallel(3, 2, model, tiny_data(), console)
    assert "--parallel 3 starts more workers than this machine's 2 core(s)" in console.export_text()
    quiet = Console(record=True)
    check_parallel(2, 2, model, tiny_data(), quiet)
    assert quiet.export_text() == ""


def test_more_workers_than_the_free_memory_holds_are_refused_with_the_figure() -> None:
    free = available_memory()
    if free is None:
        pytest.skip("this system does not report its available memory")
    too_many = free // WORKER_BASE_BYTES + 1
    model = compile_source(LONG).nominal_model()
    with pytest.raises(
        NeuralError, match=rf"--parallel {too_many} needs about .* free: use --parallel \d+ or fewer"
    ):
        check_parallel(too_many, 10**6, model, tiny_data(), Console())


def test_the_cli_refuses_a_parallel_count_the_memory_cannot_hold_before_any_worker_starts(
    tmp_path: Path,
) -> None:
    (tmp_path / "long.neural").write_text(LONG, encoding="utf-8")
    done = subprocess.run(
        [str(NEURAL), "run", "long.neural", "--hpo", "--backend", "pytorch", "--trials", "1000000",
         "--parallel", "1000000"],
        cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "--parallel 1000000 needs about" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "hpo_results.json").exists()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_workers_exit_at_once_when_the_search_process_is_killed(tmp_path: Path) -> None:
    (tmp_path / "long.neural").write_text(LONG, encoding="utf-8")
    search = subprocess.Popen(
        [str(NEURAL), "run", "long.neural", "--hpo", "--backend", "pytorch", "--parallel", "2"],
        cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            workers = [pid for pid in _children(search.pid) if _is_worker(pid)]
            results = tmp_path / "hpo_results.json"
            running = results.exists() and results.read_text().count('"running"') >= 3  # 2 trials + the study
            if len(workers) == 2 and running:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the search did not start two training workers in time")
        time.sleep(3.0)  # both are (starting or) training now, not reading their pipes
        search.send_signal(signal.SIGKILL)
        search.wait(timeout=30)
        killed_at = time.monotonic()
        while any(_alive(pid) for pid in workers) and time.monotonic() - killed_at < 10:
            time.sleep(0.05)
        outlived = time.monotonic() - killed_at
        states = {pid: Path(f"/proc/{pid}/status").read_text()[:400] for pid in workers if _alive(pid)}
        assert not states, f"workers outlived the search by 10 s: {states}"
        assert outlived < 3.0, f"workers outlived the search by {outlived:.1f} s"
        json.loads((tmp_path / "hpo_results.json").read_text(encoding="utf-8"))  # still a whole file
    finally:
        if search.poll() is None:
            search.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_trial_whose_point_cannot_fit_in_memory_fails_with_the_figure_without_training() -> None:
    from neural.plugins.manager import get_backend
    from neural.search.trial import TrialTask, execute_trial

    source = LONG.replace("Dense(HPO(choice(8, 16))", "Dense(HPO(choice(8, 4000000000000))")
    space = compile_source(source).space
    model = space.bind({"dense_1.units": 4_000_000_000_000})
    epochs: list[int] = []
    report = execute_trial(
        get_backend("pytorch"), TrialTask(0, model, seed=1), tiny_data(), lambda *args: bool(epochs.append(1))
    )
    assert report.state == "failed" and not epochs
    assert (
        report.error is not None
        and "per training step" in report.error
        and "this machine has" in report.error
    )
