"""--parallel N: worker processes run the trials, the parent keeps the searcher; a killed
worker fails only its trial and is replaced; threads are split; memory stays flat."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil
import pytest

from neural.program import load_program
from neural.search.trial import TrialReport, TrialTask
from neural.search.workers import WorkerPool, threads_per_worker
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from hpo_backends import SelfKillingBackend
from search_support import TINY, search, trial_signature, write_model


def test_parallel_trials_equal_sequential_trials(tmp_path: Path) -> None:
    model = write_model(tmp_path)
    sequential = search(model, TorchBackend(), tmp_path / "one", seed=2, parallel=1)
    parallel = search(model, TorchBackend(), tmp_path / "two", seed=2, parallel=2)
    assert [t[:3] for t in trial_signature(parallel)] == [t[:3] for t in trial_signature(sequential)]
    assert [t[3] for t in trial_signature(parallel)] == pytest.approx(
        [t[3] for t in trial_signature(sequential)], rel=1e-5
    )
    assert parallel.results["budget"]["parallel"] == 2


def test_a_killed_worker_fails_its_trial_and_the_search_loses_nothing(tmp_path: Path) -> None:
    model = write_model(tmp_path, TINY.replace("n_trials: 4", "n_trials: 6"))
    run = search(model, SelfKillingBackend(bad_units=8), tmp_path / "out", seed=1, parallel=2)
    trials = run.trials()
    assert sorted(trials) == list(range(6))
    killed = [t for t in trials.values() if t["params"]["dense_1.units"] == 8]
    assert killed, "the seed should draw width 8 at least once"
    for trial in trials.values():
        if trial["params"]["dense_1.units"] == 8:
            assert trial["state"] == "failed" and trial["error"] == "worker died: signal 9"
        else:
            assert trial["state"] == "complete" and trial["value"] is not None
    assert run.results["status"] == "finished"


class _Collect:
    """Trial events collected from a worker pool (the runner's side of the protocol)."""

    def __init__(self) -> None:
        self.reports: list[TrialReport] = []
        self.epochs = 0

    def on_epoch(self, number: int, epoch: int, value: float, metrics: dict[str, float]) -> bool:
        self.epochs += 1
        return False

    def on_done(self, report: TrialReport) -> None:
        self.reports.append(report)


def run_in_pool(pool: WorkerPool, task: TrialTask, events: _Collect) -> TrialReport:
    pool.submit(task)
    before = len(events.reports)
    while len(events.reports) == before:
        pool.poll(events, 1.0)
    return events.reports[-1]


def test_worker_memory_stays_flat_over_many_trials(tmp_path: Path) -> None:
    from neural.training import prepare_model_data

    program = load_program(write_model(tmp_path))
    model = program.nominal_model()
    data = prepare_model_data(model, None, seed=0)
    pool = WorkerPool(TorchBackend(), data, 1, threads=1)
    events = _Collect()
    try:
        worker = psutil.Process(pool.worker_pids()[0])
        rss = []
        for number in range(20):
            report = run_in_pool(pool, TrialTask(number=number, model=model, seed=number), events)
            assert report.state == "complete", report.error
            rss.append(worker.memory_info().rss)
        assert events.epochs == 20 * model.train.epochs
        growth = rss[-1] - rss[4]  # after warm-up (imports, allocator pools)
        assert growth < 8 * 2**20, [r // 2**20 for r in rss]
    finally:
        pool.shutdown()


def worker_environment(pid: int) -> dict[str, str]:
    """The environment of a started worker (once it has exec'd its own interpreter)."""
    import time

    deadline = time.monotonic() + 20
    process = psutil.Process(pid)
    while time.monotonic() < deadline:
        if "spawn_main" in " ".join(process.cmdline()):
            return process.environ()
        time.sleep(0.05)
    raise AssertionError(f"worker {pid} did not start")


def test_threads_are_split_between_workers(tmp_path: Path) -> None:
    from neural.training import prepare_model_data

    model = load_program(write_model(tmp_path)).nominal_model()
    pool = WorkerPool(TorchBackend(), prepare_model_data(model, None, seed=0), 2)
    try:
        expected = str(threads_per_worker(2))
        for pid in pool.worker_pids():
            assert worker_environment(pid).get("OMP_NUM_THREADS") == expected
    finally:
        pool.shutdown()
    assert pool.worker_pids() == []


def test_a_trial_records_its_gpus_and_the_device_it_trained_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real torch trial in a worker whose environment gives it GPU "3": gpus ["3"], device "cpu"
    (this machine's torch sees no GPU); the record crosses the worker pipe intact."""
    from neural.training import prepare_model_data

    model = load_program(write_model(tmp_path)).nominal_model()
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
    pool = WorkerPool(TorchBackend(), prepare_model_data(model, None, seed=0), 1, threads=1)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    events = _Collect()
    try:
        report = run_in_pool(pool, TrialTask(number=0, model=model, seed=0), events)
    finally:
        pool.shutdown()
    assert report.state == "complete", report.error
    assert (report.gpus, report.device) == (["3"], "cpu")


def test_the_results_file_says_what_each_trial_ran_on(tmp_path: Path) -> None:
    from datetime import datetime

    model = write_model(tmp_path)
    run = search(model, TorchBackend(), tmp_path / "out", seed=2, parallel=2)
    trials = run.trials()
    assert {(t["device"], tuple(t["gpus"])) for t in trials.values()} == {("cpu", ())}
    for trial in trials.values():
        started, finished = datetime.fromisoformat(trial["started"]), datetime.fromisoformat(trial["finished"])
        assert "." in trial["started"] and started <= finished


def test_each_worker_trains_on_the_gpu_it_is_given(tmp_path: Path) -> None:
    """A real pool handed GPUs "0" and "1": each worker starts with its own CUDA_VISIBLE_DEVICES,
    every trial records the one its worker had, and no two trials running at once share a GPU
    (a replacement worker keeps its predecessor's). torch sees no GPU here, so they train on the CPU."""
    import time

    from neural.training import prepare_model_data

    model = load_program(write_model(tmp_path)).nominal_model()
    pool = WorkerPool(TorchBackend(), prepare_model_data(model, None, seed=0), 2, threads=1, gpus=["0", "1"])
    events = _Collect()
    spans: dict[int, list[float]] = {}
    try:
        assert sorted(worker_environment(pid).get("CUDA_VISIBLE_DEVICES", "") for pid in pool.worker_pids()) == [
            "0",
            "1",
        ]
        number = 0
        while len(events.reports) < 6:
            while number < 6 and pool.free_slots():
                pool.submit(TrialTask(number=number, model=model, seed=number))
                spans[number] = [time.monotonic()]
                number += 1
            done = len(events.reports)
            pool.poll(events, 1.0)
            for report in events.reports[done:]:
                spans[report.number].append(time.monotonic())
    finally:
        pool.shutdown()
    reports = {report.number: report for report in events.reports}
    assert all(report.state == "complete" for report in reports.values()), [r.error for r in reports.values()]
    assert {tuple(report.gpus) for report in reports.values()} == {("0",), ("1",)}
    assert {report.device for report in reports.values()} == {"cpu"}
    for a in reports:
        for b in reports:
            (a_start, a_end), (b_start, b_end) = spans[a], spans[b]
            if a < b and a_start < b_end and b_start < a_end:  # ran at the same time
                assert reports[a].gpus != reports[b].gpus, (a, b)
