"""``neural run <the guide's advanced example> --hpo --searcher hyperopt``, as a user runs it.

Each search runs in its own ``neural`` process (so the PyTorch and TensorFlow
backends never share one), with two worker processes, on small synthetic data.
A search killed with SIGKILL and resumed proposes what an uninterrupted one did.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hyperopt_support import ADVANCED_EXAMPLE

NEURAL = Path(sys.executable).with_name("neural")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200", "TF_CPP_MIN_LOG_LEVEL": "3"}


def installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(module) is not None for module in modules)


#: (backend, method): every method on PyTorch; TensorFlow (slow to start) runs the example's own method.
RUNS = [
    pytest.param(
        "pytorch",
        method,
        marks=pytest.mark.skipif(not installed("torch", "neural_backend_torch"), reason="no torch"),
    )
    for method in ("random", "bayesian", "anneal")
] + [
    pytest.param(
        "tensorflow",
        "bayesian",
        marks=pytest.mark.skipif(
            not installed("tensorflow", "neural_backend_tf"), reason="no TensorFlow backend"
        ),
    )
]


def neural(folder: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEURAL), *args], cwd=folder, env=ENV, capture_output=True, text=True, timeout=timeout
    )


def example_with_method(folder: Path, method: str) -> Path:
    """The advanced example as written, with ``search_method`` set to ``method``."""
    source = ADVANCED_EXAMPLE.read_text()
    assert 'search_method: "bayesian"' in source
    path = folder / "advanced_hpo.neural"
    path.write_text(source.replace('search_method: "bayesian"', f'search_method: "{method}"'))
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "method"), RUNS)
def test_neural_run_searches_the_advanced_example_with_two_workers(
    tmp_path: Path, backend: str, method: str
) -> None:
    from neural.program import load_program

    model = example_with_method(tmp_path, method)
    args = ["run", model.name, "--hpo", "--searcher", "hyperopt", "--backend", backend, "--parallel", "2"]
    args += ["--trials", "3", "--epochs", "1", "--data", "synthetic:64", "--seed", "3", "--out", "out"]
    run = neural(tmp_path, *args)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"search: {method} with the hyperopt searcher" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr

    results = json.loads((tmp_path / "out" / "hpo_results.json").read_text())
    assert results["searcher"]["name"] == "hyperopt" and results["searcher"]["method"] == method
    settings = results["searcher"]["settings"]
    assert settings["algorithm"]["seed"] == 3
    if method == "bayesian":
        assert settings["algorithm"]["n_startup_jobs"] == 10 and settings["algorithm"]["gamma"] == 0.25
    assert sorted(trial["number"] for trial in results["trials"]) == [0, 1, 2]
    assert all(trial["state"] == "complete" for trial in results["trials"])

    space = load_program(str(model)).space
    for trial in results["trials"]:
        for param in space.params:
            assert param.contains(param.from_json_value(trial["params"][param.name])), trial["params"]

    best = results["best_trial"]
    best_point = {p.name: p.from_json_value(best["params"][p.name]) for p in space.params}
    written = load_program(str(tmp_path / "out" / "advanced_hpo.best.neural"))
    assert not written.space.params  # every HPO(...) replaced by its value
    trained = written.concrete_model()
    assert trained.layers[0].params["kernel_size"] == best_point["conv2d_1.kernel_size"]  # a tuple
    assert trained.layers[0].params["padding"] == best_point["conv2d_1.padding"]
    assert trained.train.batch_size == best_point["train.batch_size"]
    suffix = ".pt" if backend == "pytorch" else ".keras"
    assert (tmp_path / "out" / f"advanced_hpo_example{suffix}").is_file()


# ----------------------------------------------------------------------------- kill and resume

TINY = """\
network TinySearch {
  input: (8,)
  layers:
    Dense(HPO(choice(4, 8, 16)), activation="relu")
    Dropout(HPO(range(0.0, 0.5, step=0.1)))
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train {
    epochs: 3
    batch_size: 32
    validation_split: 0.25
    dataset: "synthetic:400,3"
    n_trials: 14
    search_method: "bayesian"
  }
}
"""


def complete_trials(path: Path) -> int:
    try:
        return sum(1 for t in json.loads(path.read_text())["trials"] if t["state"] == "complete")
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return 0


def signature(results: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(t["number"], t["state"], t["params"], t["value"]) for t in results["trials"]]


@pytest.mark.slow
@pytest.mark.skipif(not installed("torch", "neural_backend_torch"), reason="no torch")
def test_a_killed_tpe_search_resumes_to_the_proposals_of_an_uninterrupted_one(tmp_path: Path) -> None:
    (tmp_path / "tiny.neural").write_text(TINY)
    # One worker: with several, which trials have finished when TPE proposes depends on timing.
    common = ["run", "tiny.neural", "--hpo", "--searcher", "hyperopt", "--parallel", "1", "--seed", "4"]
    reference = neural(tmp_path, *common, "--out", "reference")
    assert reference.returncode == 0, reference.stdout + reference.stderr

    results = tmp_path / "cut" / "hpo_results.json"
    process = subprocess.Popen(
        [str(NEURAL), *common, "--out", "cut"],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    # Past TPE's 10 random start-up trials, so the resumed trials come from its model.
    while complete_trials(results) < 11 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.kill()
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the search ended before it could be killed"
    killed_after = complete_trials(results)
    assert 11 <= killed_after < 14

    resumed = neural(tmp_path, *common[:-2], "--out", "cut", "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"resuming: {killed_after} trial(s) already finished" in resumed.stdout
    uninterrupted = json.loads((tmp_path / "reference" / "hpo_results.json").read_text())
    assert signature(json.loads(results.read_text())) == signature(uninterrupted)
