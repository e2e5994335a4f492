"""What ``neural run``/``compile`` write: file modes under the umask, which point a metrics file
describes, and ``--epochs`` with ``--hpo`` saying which epochs the ``.best.neural`` keeps."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

NEURAL = Path(sys.executable).with_name("neural")

SEARCHABLE = """network Tiny {
  input: (4,)
  layers:
    Dense(HPO(choice(8, 16)), "relu")
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 20 batch_size: 8 search_method: "random" dataset: "synthetic:40,3" }
}
"""


def neural(*args: str | Path, cwd: Path, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    """Run ``neural ARGS`` in ``cwd`` under ``umask``; return the finished process."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200"}
    return subprocess.run(
        [str(NEURAL), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(umask),
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_output_of_a_search_gets_the_umask_mode(tmp_path: Path) -> None:
    (tmp_path / "tiny.neural").write_text(SEARCHABLE)
    done = neural(
        "run", "tiny.neural", "--hpo", "--trials", "1", "--epochs", "1", "--out", "out", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    assert {path.name: mode(path) for path in out.iterdir()} == {
        "hpo_results.json": 0o644,
        "tiny.best.neural": 0o644,
        "tiny.pt": 0o644,
        "tiny.metrics.json": 0o644,
    }
    again = neural(
        "run",
        "tiny.neural",
        "--hpo",
        "--trials",
        "1",
        "--epochs",
        "1",
        "--out",
        "o2",
        "--force",
        cwd=tmp_path,
        umask=0o027,
    )
    assert again.returncode == 0, again.stderr
    assert mode(tmp_path / "o2" / "hpo_results.json") == 0o640


def test_a_metrics_file_at_the_nominal_point_records_that_point(tmp_path: Path) -> None:
    (tmp_path / "tiny.neural").write_text(SEARCHABLE)
    done = neural("run", "tiny.neural", "--epochs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    metrics = json.loads((tmp_path / "tiny.metrics.json").read_text())
    assert metrics["point"] == "nominal"
    assert metrics["hyperparameters"] == {"dense_1.units": 8}


def test_compile_hpo_with_epochs_says_which_epochs_the_best_source_keeps(tmp_path: Path) -> None:
    (tmp_path / "tiny.neural").write_text(SEARCHABLE)
    done = neural("compile", "tiny.neural", "--hpo", "--trials", "1", "--epochs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "EPOCHS = 1\n" in (tmp_path / "tiny_pytorch.py").read_text()
    assert "epochs: 20" in (tmp_path / "tiny.best.neural").read_text()
    said = " ".join(done.stdout.split())
    assert (
        "note: the trials and the best model use 1 epoch(s) (--epochs 1); tiny.best.neural keeps the file's epochs: 20"
        in said
    )
    searched = json.loads((tmp_path / "hpo_results.json").read_text())
    assert searched["budget"]["epochs"] == 1


def test_the_search_header_and_the_data_and_worker_lines_come_before_the_slow_parts(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from search_support import TINY, search, write_model

    from neural_backend_torch.backend import TorchBackend

    model = write_model(tmp_path, TINY)
    run = search(model, TorchBackend(), tmp_path / "out", trials=2, parallel=2)
    lines = run.output.splitlines()

    def first(prefix: str) -> int:
        return next(index for index, line in enumerate(lines) if line.startswith(prefix))

    header = first("search: random with the random searcher; 2 trial(s)")
    assert header < first("data: loading synthetic:96,3 …") < first("data: synthetic:96,3, 72 training")
    assert first("data: synthetic:96,3, 72 training") < first("workers: starting 2 worker process(es)")
    assert first("workers: starting") < first("trial ")


def test_ctrl_c_in_a_forced_search_says_resume_in_place_of_force(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from search_support import TINY, search, write_model

    from neural_backend_torch.backend import TorchBackend

    class CtrlCBackend(TorchBackend):
        def train(self, *args: object, **kwargs: object) -> object:
            raise KeyboardInterrupt

    model = write_model(tmp_path, TINY)
    run = search(model, CtrlCBackend(), tmp_path / "out", force=True, expect_error=True)
    assert "Continue it with the same command plus --resume in place of --force" in str(run.error)
