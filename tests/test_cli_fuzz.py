"""The CLI fuzz pass (issue 11): a few hundred mutated files through ``neural check`` and ``compile``.

No input may print a Python traceback, and every exit status is 0 (worked),
1 (a user or run error) or 2 (bad usage). The files go through the real
``neural`` entry point in a few fresh interpreters
(:mod:`neural.testing.cli_fuzz`), a start-up per file being dearer than the
checks themselves; a handful of odd inputs (a file name that is not UTF-8,
bytes that are not UTF-8, a folder, an empty file) go through the ``neural``
executable itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from neural.testing.fuzz import mutant, weighted_corpus

ROOT = Path(__file__).resolve().parents[1]
NEURAL = Path(sys.executable).with_name("neural")
SEED = 1111
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "120"}


def write_mutants(folder: Path, start: int, count: int) -> list[Path]:
    corpus = weighted_corpus([ROOT / "examples"], [ROOT / "packages" / "neural-core" / "tests" / "fuzz_cases"])
    paths = []
    for index in range(start, start + count):
        path = folder / f"m{index}.neural"
        path.write_text(mutant(corpus, SEED, index), encoding="utf-8", errors="surrogatepass")
        paths.append(path)
    return paths


def run_batch(command: list[str], files: list[Path], cwd: Path) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "neural.testing.cli_fuzz", command[0], *map(str, files), "--", *command[1:]],
        cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize(
    ("command", "start", "count"),
    [(["check"], 0, 200), (["compile", "--backend", "pytorch", "-o", "out.py"], 200, 100)],
    ids=["check", "compile"],
)
def test_mutated_files_through_the_cli_print_no_traceback_and_exit_0_1_or_2(
    tmp_path: Path, command: list[str], start: int, count: int
) -> None:
    results = run_batch(command, write_mutants(tmp_path, start, count), tmp_path)
    assert len(results) == count
    bad = [r for r in results if r["traceback"] or r["code"] not in (0, 1, 2)]
    assert not bad, json.dumps(bad[:3], indent=1)[:4000]
    assert {r["code"] for r in results} >= {0, 1}


def test_odd_inputs_through_the_neural_executable_print_no_traceback(tmp_path: Path) -> None:
    not_utf8_name = os.fsdecode(b"model-\xff.neural")
    (tmp_path / not_utf8_name).write_text((ROOT / "examples" / "mlp_digits.neural").read_text("utf-8"), "utf-8")
    (tmp_path / "latin1.neural").write_bytes(b"network Caf\xe9 {\n  input: (4,)\n  layers:\n    Output(2)\n}\n")
    (tmp_path / "empty.neural").write_text("", "utf-8")
    (tmp_path / "folder.neural").mkdir()
    (tmp_path / "nul.neural").write_bytes(b"network N {\x00}")
    cases = {
        not_utf8_name: 0,
        "latin1.neural": 1,
        "empty.neural": 1,
        "folder.neural": 2,  # click refuses a folder as FILE: bad usage
        "nul.neural": 1,
        "missing.neural": 1,
    }
    for name, expected in cases.items():
        done = subprocess.run(
            [str(NEURAL), "check", name], cwd=tmp_path, env=ENV, capture_output=True, timeout=120
        )
        output = (done.stdout + done.stderr).decode("utf-8", "replace")
        assert "Traceback" not in output, output
        assert done.returncode == expected, (name, output[-500:])


def test_a_search_of_a_non_utf8_file_name_with_a_surrogate_label_writes_valid_results(tmp_path: Path) -> None:
    name = os.fsdecode(b"odd-\xff.neural")
    source = """network Odd {
  input: (4,)
  layers:
    Dense(HPO(custom({"\\ud800": 4, "plain": 8})), "relu")
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 64 search_method: "grid" dataset: "synthetic" }
}
"""
    (tmp_path / name).write_text(source, encoding="utf-8")
    done = subprocess.run(
        [str(NEURAL), "compile", name, "--hpo", "--backend", "pytorch"],
        cwd=tmp_path, env=ENV, capture_output=True, timeout=600,
    )  # fmt: skip
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0 and "Traceback" not in output, output[-2000:]
    raw = (tmp_path / "hpo_results.json").read_bytes()
    raw.decode("utf-8")  # strict UTF-8 on disk: the odd characters are JSON escapes
    results = json.loads(raw)
    assert results["source"]["file"] == name
    assert {trial["params"]["dense_1.units"] for trial in results["trials"]} == {"\ud800", "plain"}
