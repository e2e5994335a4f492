"""The Ray executor driven directly, as the trial runner drives it: every epoch reaches the search
process, a prune verdict stops that trial after that epoch, and the others run to their end."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from neural.program import load_program
from neural.search.trial import TrialReport, TrialTask
from neural.training import prepare_model_data
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))
from ray_support import RayHead

MODEL = """\
network PruneMe {
  input: (8,)
  layers:
    Dense(8, activation="relu")
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 3 batch_size: 16 validation_split: 0.25 dataset: "synthetic:96,3" divergence_guard: false }
}
"""


class PruneOddTrials:
    """The runner's side: records every epoch and prunes odd-numbered trials after their first."""

    def __init__(self) -> None:
        self.epochs: dict[int, list[float]] = {}
        self.reports: dict[int, TrialReport] = {}

    def on_epoch(self, number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
        self.epochs.setdefault(number, []).append(value)
        assert metrics["val_loss"] == value
        return number % 2 == 1 and epoch == 0

    def on_done(self, report: TrialReport) -> None:
        self.reports[report.number] = report


@pytest.fixture
def connected(ray_head: RayHead, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process joined to the session's Ray head as a driver (with its token)."""
    from neural_executor_ray.cluster import connect, disconnect

    for key in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"):
        monkeypatch.setenv(key, ray_head.env[key])
    cluster = connect(ray_head.address, cores=2)
    assert cluster.nodes == ((2.0, 2.0),) and cluster.token_auth
    assert cluster.trials_that_fit(1, 1) == 2 and cluster.trials_that_fit(1, 0.5) == 2
    assert cluster.trials_that_fit(1, 3) == 0
    try:
        yield
    finally:
        disconnect(cluster)


def test_prune_verdicts_reach_the_trials_on_ray(connected: None, tmp_path: Path) -> None:
    from neural_executor_ray.executor import RayExecutor

    path = tmp_path / "prune.neural"
    path.write_text(MODEL)
    model = load_program(path).concrete_model()
    data = prepare_model_data(model, None, seed=0)
    executor = RayExecutor(TorchBackend(), data, slots=2, cpus=1, gpus=1, threads=1)
    events = PruneOddTrials()
    try:
        assert len(set(executor.worker_pids())) == 2
        pending = list(range(4))
        while pending or executor.free_slots() < 2:
            while pending and executor.free_slots():
                number = pending.pop(0)
                executor.submit(TrialTask(number=number, model=model, seed=number))
            executor.poll(events, 0.25)
    finally:
        executor.shutdown()
    assert sorted(events.reports) == [0, 1, 2, 3]
    for number, report in events.reports.items():
        assert report.intermediate == events.epochs[number]  # every epoch reached this process
        if number % 2:
            assert report.state == "pruned" and len(report.intermediate) == 1
        else:
            assert report.state == "complete" and len(report.intermediate) == 3
        assert report.gpus in (["0"], ["1"])


class RecycledEveryTwoTrials(TorchBackend):
    trials_per_worker = 2


def test_a_backend_with_trials_per_worker_gets_a_fresh_actor_after_that_many(
    connected: None, tmp_path: Path
) -> None:
    from neural_executor_ray.executor import RayExecutor

    path = tmp_path / "prune.neural"
    path.write_text(MODEL)
    model = load_program(path).concrete_model()
    data = prepare_model_data(model, None, seed=0)
    executor = RayExecutor(RecycledEveryTwoTrials(), data, slots=1, cpus=1, gpus=0, threads=1)
    events = PruneOddTrials()
    pids = []
    try:
        for number in range(3):
            pids.append(executor.worker_pids()[0])
            executor.submit(TrialTask(number=number * 2, model=model, seed=number))
            while executor.free_slots() == 0:
                executor.poll(events, 0.25)
    finally:
        executor.shutdown()
    assert [events.reports[n].state for n in (0, 2, 4)] == ["complete"] * 3
    assert pids[0] == pids[1] != pids[2]


class MissingOnTheNodes(TorchBackend):
    """A backend that unpickles, on a Ray worker, by importing a package no node has."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import importlib

        return importlib.import_module, ("neural_backend_not_installed_anywhere",)


def test_a_worker_that_cannot_start_stops_the_search_with_the_cause(connected: None, tmp_path: Path) -> None:
    from neural.errors import NeuralError
    from neural_executor_ray.executor import RayExecutor

    path = tmp_path / "prune.neural"
    path.write_text(MODEL)
    model = load_program(path).concrete_model()
    executor = RayExecutor(MissingOnTheNodes(), prepare_model_data(model, None, seed=0), slots=1, cpus=1, gpus=0, threads=1)
    try:
        executor.submit(TrialTask(number=0, model=model, seed=0))
        with pytest.raises(NeuralError) as raised:
            for _ in range(200):
                executor.poll(PruneOddTrials(), 0.25)
    finally:
        executor.shutdown()
    message = str(raised.value)
    assert message.startswith("a Ray worker could not start: ModuleNotFoundError: No module named "), message
    assert "neural_backend_not_installed_anywhere" in message and "every node needs the packages" in message


#: Starts a private instance the way ``--executor ray`` without ``--address`` does, then reports
#: the addresses its processes listen on and whether token authentication is on.
PRIVATE_PROBE = """
import json, os
import psutil
from neural_executor_ray.cluster import connect, disconnect
cluster = connect(None, 1)
me = psutil.Process()
ours = {me.pid, *(child.pid for child in me.children(recursive=True))}
listening = sorted({c.laddr.ip for c in psutil.net_connections("inet") if c.status == psutil.CONN_LISTEN and c.pid in ours})
print(json.dumps({"listening": listening, "token_auth": cluster.token_auth,
                  "token": len(os.environ.get("RAY_AUTH_TOKEN", "")), "nodes": cluster.nodes}))
disconnect(cluster)
"""


def test_a_private_instance_listens_on_loopback_only_with_token_authentication(tmp_path: Path) -> None:
    import json
    import os
    import subprocess

    env = {key: value for key, value in os.environ.items() if not key.startswith("RAY_")}
    env["HOME"] = str(tmp_path)  # no ~/.ray/auth_token here: the instance gets a fresh token
    done = subprocess.run(
        [sys.executable, "-c", PRIVATE_PROBE], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["listening"], "the probe saw no Ray server listening"
    assert set(found["listening"]) <= {"127.0.0.1", "::ffff:127.0.0.1", "::1"}, found["listening"]
    assert found["token_auth"] and found["token"] == 64
    assert [cpus for cpus, _ in found["nodes"]] == [1.0]  # sized by cores (GPUs as Ray finds them)
    assert not (tmp_path / ".ray").exists()  # the token lived in the environment only
