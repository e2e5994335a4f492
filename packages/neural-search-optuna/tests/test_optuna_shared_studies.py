"""Several processes on one study: journal file, SQLite, PostgreSQL; a killed process; heartbeats.

Each process is ``optuna_study_driver.py``: a real ``OptunaSearcher`` driven by a
small ask/report/tell loop over a test objective.
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

import optuna
import pytest
from optuna.trial import TrialState

from neural_search_optuna.storage import with_installed_driver

DRIVER = Path(__file__).with_name("optuna_study_driver.py")
POSTGRES_URL = os.environ.get("NEURAL_TEST_POSTGRES_URL")

NEEDS_POSTGRES = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="NEURAL_TEST_POSTGRES_URL is not set: start a server with `bash scripts/postgres.sh` and export its URL",
)


def start_driver(storage: str, study: str, trials: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        str(DRIVER),
        "--storage",
        storage,
        "--study",
        study,
        "--trials",
        str(trials),
        "--log",
        str(log),
        *extra,
    ]
    return subprocess.Popen(command, env=env, cwd=DRIVER.parent, stderr=subprocess.PIPE)


def events(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def numbers(log: Path, event: str) -> list[int]:
    return [e["number"] for e in events(log) if e["event"] == event]


def wait_until(
    condition: Callable[[], bool], *processes: subprocess.Popen[bytes], timeout: float = 60.0
) -> None:
    """Wait for ``condition``; fail at once with its error output when a driver process died."""
    deadline = time.monotonic() + timeout
    while not condition():
        for process in processes:
            if process.poll() is not None and process.returncode != 0:
                assert process.stderr is not None
                raise AssertionError(f"a driver process failed:\n{process.stderr.read().decode()}")
        assert time.monotonic() < deadline, "timed out waiting for the driver processes"
        time.sleep(0.05)


def finish(process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr.decode()


def load(storage: str, study: str) -> optuna.Study:
    if storage.endswith(".log"):
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return optuna.load_study(study_name=study, storage=JournalStorage(JournalFileBackend(storage)))
    return optuna.load_study(study_name=study, storage=with_installed_driver(storage))


def run_two_processes(tmp_path: Path, storage: str, n_trials: int = 12) -> None:
    """Start two drivers together on one study and check it holds exactly ``n_trials`` trials."""
    study = f"shared-{uuid.uuid4().hex[:8]}"
    go = tmp_path / "go"
    logs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    processes = [
        start_driver(storage, study, n_trials, log, "--go-file", str(go), "--seed", str(seed))
        for seed, log in enumerate(logs)
    ]
    wait_until(lambda: all(any(e["event"] == "ready" for e in events(log)) for log in logs), *processes)
    go.touch()
    for process in processes:
        finish(process)
    done = [numbers(log, "done") for log in logs]
    assert all(done), f"both processes should have run trials: {done}"
    assert sorted(done[0] + done[1]) == list(range(n_trials))  # none lost, none run twice
    trials = load(storage, study).trials
    assert [t.number for t in trials] == list(range(n_trials))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert all(len(t.intermediate_values) == 3 for t in trials)


def test_two_processes_sharing_a_journal_file_run_one_study_of_n_trials(tmp_path: Path) -> None:
    run_two_processes(tmp_path, str(tmp_path / "study.log"))


def test_two_processes_sharing_a_sqlite_database_run_one_study_of_n_trials(tmp_path: Path) -> None:
    run_two_processes(tmp_path, f"sqlite:///{tmp_path / 'study.db'}")


@pytest.mark.postgres
@NEEDS_POSTGRES
def test_two_processes_sharing_a_postgresql_database_run_one_study_of_n_trials(tmp_path: Path) -> None:
    assert POSTGRES_URL is not None
    run_two_processes(tmp_path, POSTGRES_URL)


def storage_for(kind: str, tmp_path: Path) -> str:
    if kind == "journal":
        return str(tmp_path / "study.log")
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'study.db'}"
    assert POSTGRES_URL is not None
    return POSTGRES_URL


@pytest.mark.parametrize(
    "kind", ["journal", "sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, NEEDS_POSTGRES])]
)
def test_a_study_whose_process_was_killed_mid_trial_resumes_to_exactly_n_trials(
    tmp_path: Path, kind: str
) -> None:
    storage = storage_for(kind, tmp_path)
    study = f"killed-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "first.jsonl"
    killed = start_driver(storage, study, 8, log, "--hang-at", "3", "--grace-period", "2")
    wait_until(lambda: 3 in numbers(log, "start"), killed)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    running = [t.number for t in load(storage, study).trials if t.state == TrialState.RUNNING]
    assert running == [3]
    time.sleep(2.5)  # the grace period passes without a heartbeat

    resumed_log = tmp_path / "resumed.jsonl"
    finish(start_driver(storage, study, 8, resumed_log, "--grace-period", "2"))
    assert numbers(resumed_log, "done") == [4, 5, 6, 7]
    trials = load(storage, study).trials
    assert [t.number for t in trials] == list(range(8))
    assert [t.number for t in trials if t.state == TrialState.FAIL] == [3]
    assert "no heartbeat" in trials[3].user_attrs["neural:error"]
    assert all(t.state == TrialState.COMPLETE for t in trials if t.number != 3)


def test_a_trial_longer_than_the_grace_period_stays_alive_by_its_heartbeat(tmp_path: Path) -> None:
    storage = str(tmp_path / "study.log")
    slow_log, busy_log = tmp_path / "slow.jsonl", tmp_path / "busy.jsonl"
    slow = start_driver(
        storage, "s", 4, slow_log, "--hang-at", "0", "--hang-seconds", "6", "--grace-period", "3"
    )
    wait_until(lambda: 0 in numbers(slow_log, "start"), slow)
    # Meanwhile another process checks for stale trials before each of its trials.
    busy = start_driver(storage, "s", 4, busy_log, "--epoch-seconds", "0.8", "--grace-period", "3")
    finish(busy)
    finish(slow)
    assert numbers(slow_log, "done")[0] == 0
    assert sorted(numbers(slow_log, "done") + numbers(busy_log, "done")) == [0, 1, 2, 3]
    trials = load(storage, "s").trials
    assert all(t.state == TrialState.COMPLETE for t in trials) and len(trials) == 4
