"""The user guide (``docs/hpo-guide.md``, a copy of the seed guide kept in the repository) works
as written: every shell command in it runs, on a small ``my_model.neural``, exactly as the guide
spells it; the snippets the parser tests use are checked against it there (test_parser.py)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "hpo-guide.md"
SEED = ROOT.parent / "shared" / "seed" / "hpo-guide.md"
BIN = Path(sys.executable).parent

# The guide's commands name a my_model.neural of the reader's own; this one searches in seconds.
MY_MODEL = """network MyModel {
  input: (4,)
  layers:
    Dense(HPO(choice(4, 8)), activation="relu")
    Dropout(HPO(range(0.1, 0.3, step=0.1)))
    Output(3, activation="softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 16 validation_split: 0.25 dataset: "synthetic:48,3" n_trials: 1 }
}
"""


def guide_commands() -> list[str]:
    """Every command line of the guide's ``bash`` blocks, without its trailing comment."""
    blocks = re.findall(r"```bash\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_guide_in_the_repository_is_the_seed_guide() -> None:
    if not SEED.exists():
        return  # a clone without the project's shared folder: the copy is what the tests use
    assert GUIDE.read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


def test_the_guide_has_the_commands_this_file_runs() -> None:
    assert guide_commands() == [
        "neural compile my_model.neural --backend tensorflow --hpo",
        "neural run my_model.neural --backend pytorch --hpo",
        "neural visualize hpo_results.json --format html",
        "neural run my_model.neural --hpo --parallel 4",
    ]


def run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [str(BIN / words[0]), *words[1:]], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )


def test_every_guide_command_runs_as_written(tmp_path: Path) -> None:
    """The guide's commands in its order, each search in a fresh folder (an existing
    hpo_results.json needs --resume or --force); visualize reads the search before it.
    With one trial, ``--parallel 4`` runs in one process (no idle workers): the worker
    pool itself is tested in test_parallel_workers.py."""
    folder = tmp_path
    for index, command in enumerate(guide_commands()):
        if "--hpo" in command:
            folder = tmp_path / f"step{index}"
            folder.mkdir()
            (folder / "my_model.neural").write_text(MY_MODEL)
        done = run(command, folder)
        assert done.returncode == 0, command + "\n" + done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        written = {path.name for path in folder.iterdir()}
        if "--hpo" in command:
            assert {"hpo_results.json", "my_model.best.neural"} <= written, command
        if command.startswith("neural compile"):
            assert "my_model_tensorflow.py" in written
        if command.startswith("neural visualize"):
            assert any(name.endswith(".html") for name in written), written
