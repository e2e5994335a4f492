"""Shared studies through the command a user runs: several ``neural run FILE --hpo --storage URL
--study NAME`` processes on one Optuna study (a journal file, PostgreSQL), a process killed
mid-study and resumed, a process joining an existing study, and what each results file holds.

Every search here is a real ``neural run`` subprocess (real torch, real Optuna) on a tiny MLP
and synthetic data, so a trial takes a fraction of a second.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import optuna
import pytest
from optuna.trial import TrialState

from neural.search.results import RESULTS_FILENAME
from neural.search.results_schema import RESULTS_SCHEMA
from neural_backend_torch.backend import TorchBackend
from neural_search_optuna.storage import with_installed_driver

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from search_support import search

NEURAL = Path(sys.executable).with_name("neural")
POSTGRES_URL = os.environ.get("NEURAL_TEST_POSTGRES_URL")

SHARED = """\
# A tiny searchable MLP for studies shared by several processes.
network SharedTiny {
  input: (8,)
  layers:
    Dense(HPO(choice(4, 8, 16)), activation="relu")
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train {
    epochs: 1
    batch_size: 32
    validation_split: 0.25
    dataset: "synthetic:96,3"
    search_method: "random"
  }
}
"""

#: Trials of about a second and a half, so a SIGKILL lands in the middle of one.
# Long trials that all run to their end (no default pruning, no divergence guard): the test counts them.
SLOW = SHARED.replace("epochs: 1", 'epochs: 60 pruner: "none" divergence_guard: false').replace(
    "synthetic:96,3", "synthetic:2000,3"
)

#: A short heartbeat, so a killed process's trial is failed within seconds (not the default 60 s).
FAST_HEARTBEAT = {"NEURAL_OPTUNA_HEARTBEAT_INTERVAL": "1", "NEURAL_OPTUNA_GRACE_PERIOD": "2"}


def storage_url(kind: str, tmp_path: Path) -> str:
    if kind == "journal":
        return str(tmp_path / "study.log")
    if not POSTGRES_URL:
        pytest.skip(
            "NEURAL_TEST_POSTGRES_URL is not set: start a server with `bash scripts/postgres.sh` and export its URL"
        )
    return POSTGRES_URL


def start_run(
    folder: Path,
    model: str,
    out: str,
    storage: str,
    study: str,
    *extra: str,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """``neural run MODEL --hpo --storage STORAGE --study STUDY --out OUT ...`` in its own process."""
    return subprocess.Popen(
        [str(NEURAL), "run", model, "--hpo", "--storage", storage, "--study", study, "--out", out, *extra],
        cwd=folder,
        env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120.0) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    return output


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the search ended early:\n{process.communicate()[0]}")
        assert time.monotonic() < deadline, "timed out waiting for the search"
        time.sleep(0.05)


def results(folder: Path) -> dict[str, Any]:
    data = json.loads((folder / RESULTS_FILENAME).read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    return data


def read_states(path: Path) -> list[str]:
    try:
        return [t["state"] for t in json.loads(path.read_text())["trials"]]
    except (FileNotFoundError, json.JSONDecodeError):
        return []


def load_study(storage: str, study: str) -> optuna.Study:
    if storage.endswith(".log"):
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return optuna.load_study(study_name=study, storage=JournalStorage(JournalFileBackend(storage)))
    return optuna.load_study(study_name=study, storage=with_installed_driver(storage))


def own_trials(data: dict[str, Any]) -> list[int]:
    """Numbers of the trials this process ran (trials of other processes carry no duration)."""
    return [t["number"] for t in data["trials"] if t["duration"] is not None]


@pytest.mark.parametrize("kind", ["journal", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_neural_run_processes_complete_one_shared_study_and_each_results_file_lists_it_all(
    tmp_path: Path, kind: str
) -> None:
    storage = storage_url(kind, tmp_path)
    study = f"s-{uuid.uuid4().hex[:8]}"
    (tmp_path / "tiny.neural").write_text(SHARED)
    processes = [
        start_run(tmp_path, "tiny.neural", out, storage, study, "--trials", "6") for out in ("a", "b")
    ]
    outputs = [finish(process) for process in processes]

    trials = load_study(storage, study).trials
    assert [t.number for t in trials] == list(range(6))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    files = [results(tmp_path / out) for out in ("a", "b")]
    ran = [own_trials(data) for data in files]
    assert all(ran), f"both processes should have run trials: {ran}\n{outputs}"
    assert sorted(ran[0] + ran[1]) == list(range(6))  # no trial lost, none run twice
    # Each process waits for the other's last trial, so both files hold the whole study.
    values = {t.number: t.value for t in trials}
    best = min(values, key=lambda number: (values[number], number))
    for data in files:
        assert data["storage"]["study"] == study
        assert [t["number"] for t in data["trials"]] == list(range(6))
        assert all(t["state"] == "complete" for t in data["trials"])
        assert {t["number"]: t["value"] for t in data["trials"]} == pytest.approx(values)
        assert data["best_trial"]["number"] == best
    if kind == "journal":
        assert files[0]["storage"]["url"] == storage
    # The two processes drew different points although they share --seed (the default 0).
    points = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(points)) > 1


def test_a_killed_process_resumed_with_resume_ends_its_study_with_exactly_n_trials(tmp_path: Path) -> None:
    storage = str(tmp_path / "study.log")
    (tmp_path / "slow.neural").write_text(SLOW)
    command = ("slow.neural", "out", storage, "k", "--trials", "4", "--parallel", "1")  # one trial cut
    process = start_run(tmp_path, *command, env=FAST_HEARTBEAT)
    results_file = tmp_path / "out" / RESULTS_FILENAME
    wait_for(lambda: "complete" in (s := read_states(results_file)) and "running" in s, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    cut = [t.number for t in load_study(storage, "k").trials if t.state == TrialState.RUNNING]
    assert len(cut) == 1, "the process was killed in the middle of a trial"

    resumed = start_run(tmp_path, *command, "--resume", env=FAST_HEARTBEAT)
    output = finish(resumed)

    trials = load_study(storage, "k").trials
    assert [t.number for t in trials] == [0, 1, 2, 3]
    states = {t.number: t.state for t in trials}
    assert states[cut[0]] == TrialState.FAIL
    assert "heartbeat" in trials[cut[0]].user_attrs["neural:error"]
    assert sum(state == TrialState.COMPLETE for state in states.values()) == 3
    data = results(tmp_path / "out")
    assert [t["number"] for t in data["trials"]] == [0, 1, 2, 3]
    assert data["trials"][cut[0]]["state"] == "failed" and "heartbeat" in data["trials"][cut[0]]["error"]
    assert data["status"] == "finished" and data["best_trial"] is not None, output

    # Resuming that shared study's results without its storage would fork a private copy: refused.
    refused = search(
        tmp_path / "slow.neural",
        TorchBackend(),
        tmp_path / "out",
        resume=True,
        searcher=None,
        expect_error=True,
    )
    assert refused.error is not None and f"--storage {storage} --study k" in str(refused.error)


def test_a_process_started_without_resume_joins_an_existing_study_up_to_its_budget(tmp_path: Path) -> None:
    storage = str(tmp_path / "study.log")
    (tmp_path / "tiny.neural").write_text(SHARED)
    finish(start_run(tmp_path, "tiny.neural", "first", storage, "j", "--trials", "3"))
    output = finish(start_run(tmp_path, "tiny.neural", "second", storage, "j", "--trials", "5"))

    assert "--resume" not in output  # the study in the storage is no reason to ask for --resume
    assert [t.number for t in load_study(storage, "j").trials] == [0, 1, 2, 3, 4]
    second = results(tmp_path / "second")
    assert own_trials(second) == [3, 4]
    assert [t["number"] for t in second["trials"]] == [0, 1, 2, 3, 4]
    assert (tmp_path / "second" / "tiny.best.neural").exists()
    # A third process finds the study full: it runs nothing and still reports the study's best.
    finish(start_run(tmp_path, "tiny.neural", "third", storage, "j", "--trials", "5"))
    third = results(tmp_path / "third")
    assert own_trials(third) == [] and third["best_trial"] == second["best_trial"]


def test_the_results_file_names_a_database_storage_without_its_password() -> None:
    from neural.search.driver import redact_url

    assert (
        redact_url("postgresql://neural:s3cret@db:5432/studies") == "postgresql://neural:***@db:5432/studies"
    )
    assert redact_url("postgresql://neural@db/studies") == "postgresql://neural@db/studies"
    assert redact_url("runs/study.log") == "runs/study.log"
