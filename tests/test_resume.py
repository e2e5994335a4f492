"""--resume and interruptions: a resumed study equals an uninterrupted one, Ctrl-C stops
cleanly, and the results file is always complete, valid JSON whenever the process dies."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from neural.errors import NeuralError
from neural.search.results import INTERRUPTED
from neural.search.results_schema import RESULTS_SCHEMA
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from search_support import TINY, search, trial_signature, write_model

NEURAL = Path(sys.executable).with_name("neural")
SIX_TRIALS = TINY.replace("n_trials: 4", "n_trials: 6")


def test_resume_after_a_cut_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    model = write_model(tmp_path, SIX_TRIALS)
    full = search(model, TorchBackend(), tmp_path / "full", seed=2)
    # the same study cut short: trial 3 was running, trial 2 was cut by Ctrl-C, 4 and 5 never started
    cut = json.loads(json.dumps(full.results))
    trials = {t["number"]: t for t in cut["trials"]}
    trials[3].update(state="running", value=None, intermediate_values=[], metrics=[])
    trials[2].update(state="failed", value=None, error=INTERRUPTED)
    cut["trials"] = [trials[n] for n in (0, 1, 2, 3)]
    cut["status"] = "interrupted"
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut" / "hpo_results.json").write_text(json.dumps(cut))
    resumed = search(model, TorchBackend(), tmp_path / "cut", resume=True)
    assert trial_signature(resumed) == trial_signature(full)
    assert resumed.results["started"] == full.results["started"]
    assert resumed.results["status"] == "finished"
    assert "resuming: 2 trial(s) already finished" in resumed.output
    assert resumed.outcome.best_point == full.outcome.best_point  # type: ignore[union-attr]


def test_resume_can_extend_the_budget(tmp_path: Path) -> None:
    model = write_model(tmp_path, SIX_TRIALS)
    full = search(model, TorchBackend(), tmp_path / "full", seed=2)
    search(model, TorchBackend(), tmp_path / "grow", seed=2, trials=3)
    grown = search(model, TorchBackend(), tmp_path / "grow", resume=True, trials=6)
    assert trial_signature(grown) == trial_signature(full)


def test_resume_refuses_a_changed_source(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 1"))
    search(model, TorchBackend(), tmp_path / "out")
    model.write_text(model.read_text().replace("epochs: 2", "epochs: 3"))
    run = search(model, TorchBackend(), tmp_path / "out", resume=True, expect_error=True)
    assert isinstance(run.error, NeuralError)
    assert "changed since the search" in str(run.error) and "--force" in str(run.error)


def test_resume_refuses_another_seed_and_a_missing_file(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 1"))
    missing = search(model, TorchBackend(), tmp_path / "none", resume=True, expect_error=True)
    assert isinstance(missing.error, NeuralError) and "to resume" in str(missing.error)
    search(model, TorchBackend(), tmp_path / "out", seed=1)
    other = search(model, TorchBackend(), tmp_path / "out", resume=True, seed=2, expect_error=True)
    assert isinstance(other.error, NeuralError) and "--seed 1" in str(other.error)


# ----------------------------------------------------------------------------- real processes


def start_search(folder: Path, *extra: str) -> subprocess.Popen[str]:
    """``neural run tiny.neural --hpo ...`` in its own process (as a user would start it)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [
            str(NEURAL),
            "run",
            "tiny.neural",
            "--hpo",
            "--searcher",
            "random",
            "--seed",
            "2",
            "--out",
            "out",
            *extra,
        ],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the search")
        time.sleep(0.02)


def finished_trials(path: Path) -> int:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return 0
    return sum(1 for t in data["trials"] if t["state"] == "complete")


@pytest.mark.parametrize("parallel", [1, 2])
def test_ctrl_c_stops_cleanly_saves_everything_and_resume_finishes(tmp_path: Path, parallel: int) -> None:
    # 40 epochs on random labels would be pruned by the defaults (median/ASHA, the divergence
    # guard); this test pins resume, so every trial runs to its end.
    slow = (
        SIX_TRIALS.replace("epochs: 2", "epochs: 40")
        .replace("synthetic:96,3", "synthetic:2000,3")
        .replace("n_trials: 6", 'n_trials: 6\n    pruner: "none"\n    divergence_guard: false')
    )
    write_model(tmp_path, slow)
    process = start_search(tmp_path, "--parallel", str(parallel))
    results = tmp_path / "out" / "hpo_results.json"
    wait_for(lambda: finished_trials(results) >= 1 or process.poll() is not None, timeout=120)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert "interrupted" in output and "--resume" in output
    assert "Traceback" not in output
    data = json.loads(results.read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    assert data["status"] == "interrupted"
    assert all(t["state"] != "running" for t in data["trials"])
    cut = [t for t in data["trials"] if t["error"] == INTERRUPTED]
    assert cut, "some trial was running when Ctrl-C came"
    finished = [t["number"] for t in data["trials"] if t["state"] == "complete"]
    assert finished
    assert not child_pids(process.pid)  # no worker is left behind

    resumed = search(tmp_path / "tiny.neural", TorchBackend(), tmp_path / "out", resume=True)
    numbers = sorted(t["number"] for t in resumed.results["trials"])
    assert numbers == list(range(6))
    assert all(t["state"] == "complete" for t in resumed.results["trials"])
    before = {t["number"]: t for t in data["trials"] if t["state"] == "complete"}
    for number, trial in before.items():
        assert resumed.trials()[number] == trial  # finished trials are kept, not re-run


def child_pids(pid: int) -> list[int]:
    import psutil

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def test_results_file_is_valid_whenever_the_search_is_killed(tmp_path: Path) -> None:
    write_model(
        tmp_path, SIX_TRIALS.replace("synthetic:96,3", "synthetic:600,3").replace("epochs: 2", "epochs: 4")
    )
    uninterrupted = search(tmp_path / "tiny.neural", TorchBackend(), tmp_path / "reference", seed=2)
    results = tmp_path / "out" / "hpo_results.json"
    rng = random.Random()
    caught = []
    for _attempt in range(3):
        results.unlink(missing_ok=True)
        process = start_search(tmp_path)
        # a random moment: after a random number of finished trials (the first one imports
        # torch and is slow; later ones take ~0.1 s), plus a random fraction of a trial
        target = rng.randint(1, 5)
        wait_for(
            lambda p=process, n=target: finished_trials(results) >= n or p.poll() is not None, timeout=120
        )
        time.sleep(rng.uniform(0.0, 0.1))
        process.kill()
        output, _ = process.communicate(timeout=30)
        assert process.returncode in (-signal.SIGKILL, 0), output
        data = json.loads(results.read_text())  # complete JSON, never a torn write
        jsonschema.validate(data, RESULTS_SCHEMA)
        caught.append([t["state"] for t in data["trials"]])
        print("killed with trials", caught[-1])
    resumed = search(tmp_path / "tiny.neural", TorchBackend(), tmp_path / "out", resume=True)
    assert trial_signature(resumed) == trial_signature(uninterrupted), caught
