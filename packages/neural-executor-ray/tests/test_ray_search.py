"""The guide's basic example searched through a real Ray head: GPUs handed out one per trial, the
same results as local workers, and a killed Ray worker costs only its own trial."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ray_support import EXAMPLES, NEURAL, RayHead, local_env, neural

BASIC = EXAMPLES / "basic_hpo.neural"
#: A few one-epoch trials of the README's first example on the embedded MNIST digits.
SEARCH = ("compile", str(BASIC), "--backend", "pytorch", "--hpo", "--data", "mnist5k", "--seed", "7")


def results(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "hpo_results.json").read_text(encoding="utf-8"))


def trials(folder: Path) -> dict[int, dict[str, Any]]:
    return {trial["number"]: trial for trial in results(folder)["trials"]}


def ray_args(head: RayHead, *more: str) -> tuple[str, ...]:
    return ("--executor", "ray", "--address", head.address, *more)


@pytest.mark.slow
def test_gpu_trials_through_ray_equal_local_workers(ray_head: RayHead, tmp_path: Path) -> None:
    budget = ("--trials", "4", "--epochs", "1")
    on_ray = neural(
        *SEARCH, *budget, *ray_args(ray_head, "--gpus-per-trial", "1"), "--out", "ray",
        env=ray_head.env, cwd=tmp_path,
    )  # fmt: skip
    assert "2 trial(s) at once, each 1 CPU(s) and 1 GPU(s)" in on_ray.stdout
    assert "token authentication on" in on_ray.stdout
    neural(*SEARCH, *budget, "--parallel", "2", "--out", "local", env=local_env(), cwd=tmp_path)

    remote, local = trials(tmp_path / "ray"), trials(tmp_path / "local")
    assert sorted(remote) == sorted(local) == [0, 1, 2, 3]
    for number, trial in remote.items():
        assert trial["state"] == local[number]["state"] == "complete", trial["error"]
        assert trial["params"] == local[number]["params"]
        assert trial["seed"] == local[number]["seed"]
        assert trial["intermediate_values"] == pytest.approx(local[number]["intermediate_values"], rel=1e-5)
        assert trial["value"] == pytest.approx(local[number]["value"], rel=1e-5)
    header = results(tmp_path / "ray")["budget"]
    assert header["executor"] == "ray" and header["parallel"] == 2

    # Every trial ran on one of the two declared GPUs, and two trials that overlapped in time
    # never shared one.
    for trial in remote.values():
        assert trial["gpus"] in (["0"], ["1"]), trial["gpus"]
    for a, b in combinations(remote.values(), 2):
        if a["started"] < b["finished"] and b["started"] < a["finished"]:
            assert a["gpus"] != b["gpus"], (a["number"], b["number"])


def _wait_for_a_trial_mid_way(results_path: Path, process: subprocess.Popen[str]) -> dict[int, dict[str, Any]]:
    """Wait until a trial has finished its first epoch but not its last; return the file's trials then."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, "the search ended before any trial was mid-way"
        try:
            document = json.loads(results_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            document = {"trials": []}
        found = {trial["number"]: trial for trial in document["trials"]}
        if any(t["state"] == "running" and t["intermediate_values"] for t in found.values()):
            return found
        time.sleep(0.2)
    raise AssertionError("no trial reached its second epoch in time")


def _kill_a_training_actor(head: RayHead) -> int:
    actors = head.trial_actors(running=True)
    assert actors, "no Ray worker is running a trial"
    actors[0].send_signal(signal.SIGKILL)
    return actors[0].pid


@pytest.mark.slow
@pytest.mark.parametrize("retries", [0, 1], ids=["failed", "retried"])
def test_a_killed_ray_worker_costs_only_its_trial(ray_head: RayHead, tmp_path: Path, retries: int) -> None:
    out = tmp_path / "out"
    trial_count = 3 if retries == 0 else 2
    command = [
        NEURAL, *SEARCH, "--trials", str(trial_count), "--epochs", "2", *ray_args(ray_head), "--out", str(out),
    ]
    if retries:
        command += ["--retries", str(retries), "--parallel", "1"]
    process = subprocess.Popen(
        command, env=ray_head.env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        before = _wait_for_a_trial_mid_way(out / "hpo_results.json", process)
        killed = _kill_a_training_actor(ray_head)
        output, _ = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    final = trials(out)
    assert sorted(final) == list(range(trial_count))
    for number, trial in before.items():  # no finished trial is lost or changed
        if trial["state"] != "running":
            assert final[number] == trial
    failed = [t for t in final.values() if t["state"] == "failed"]
    if retries == 0:
        assert len(failed) == 1, [t["error"] for t in failed]
        assert failed[0]["error"].startswith(f"ray worker died (pid {killed} on 127.0.0.1): "), failed[0]["error"]
        assert all(t["state"] == "complete" for t in final.values() if t is not failed[0])
    else:
        assert failed == []
        assert "runs again, up to 1 time(s)" in output
        assert all(len(t["intermediate_values"]) == 2 for t in final.values())
    assert results(out)["status"] == "finished"
