"""A hand-edited hpo_results.json is validated (schema and space) before ``--resume`` trusts it (issue 11).

One small search writes a real results file; each edit below (a parameter
outside the space, a missing or mistyped one, a seed out of range, a
100,000-deep JSON, ...) goes through ``neural compile --hpo --resume`` in
this process. Every one must end in one line naming the file, exit 1, and no
traceback; none may train.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from neural.testing.cli_fuzz import run_cli

TINY = """network Tiny {
  input: (4,)
  layers:
    Dense(HPO(choice(4, 8)), "relu")
    Dropout(HPO(range(0.1, 0.5, step=0.1)))
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-2)))
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 64 search_method: "random" n_trials: 2 dataset: "synthetic" }
}
"""
RESUME = ["compile", "tiny.neural", "--hpo", "--resume", "--backend", "pytorch"]

#: name → (path into the document, new value); a value of DELETE removes the key, RENAME renames it.
DELETE, RENAME = object(), object()
EDITS: dict[str, tuple[tuple[Any, ...], Any]] = {
    "param outside space": (("trials", 0, "params", "dense_1.units"), 7),
    "range param outside": (("trials", 0, "params", "dropout_1.rate"), 0.9),
    "off-step param": (("trials", 0, "params", "dropout_1.rate"), 0.35),
    "missing param": (("trials", 0, "params", "dense_1.units"), DELETE),
    "mistyped param name": (("trials", 0, "params", "dense_1.units"), RENAME),
    "param wrong type": (("trials", 0, "params", "dropout_1.rate"), "0.4"),
    "param list": (("trials", 0, "params", "dense_1.units"), [8]),
    "seed -1": (("seed",), -1),
    "seed 2**32": (("seed",), 2**32),
    "seed huge": (("seed",), 10**30),
    "seed float": (("seed",), 1.5),
    "trial seed -5": (("trials", 0, "seed"), -5),
    "deep json": (("trials",), "DEEP"),
    "trials not list": (("trials",), {"a": 1}),
    "trial number negative": (("trials", 0, "number"), -3),
    "trial number huge": (("trials", 0, "number"), 10**30),
    "duplicate numbers": (("trials", 1, "number"), 0),
    "unknown state": (("trials", 0, "state"), "done"),
    "value string": (("trials", 0, "value"), "1.0"),
    "value NaN": (("trials", 0, "value"), "NAN"),
    "intermediate not list": (("trials", 0, "intermediate_values"), 3),
    "params not dict": (("trials", 0, "params"), [1, 2]),
    "trial not object": (("trials", 0), 5),
    "space bounds edited": (("space", 1, "high"), 0.9),
    "best trial garbage": (("best_trial",), {"number": "x"}),
    "budget epochs string": (("budget", "epochs"), "ten"),
    "complete trial without value": (("trials", 0, "value"), None),
    "number as float": (("trials", 0, "number"), 1.0),
}


def edited(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``document`` with ``value`` at ``path``."""
    data = copy.deepcopy(document)
    holder = data
    for key in path[:-1]:
        holder = holder[key]
    if value is DELETE:
        del holder[path[-1]]
    elif value is RENAME:
        holder[path[-1] + "z"] = holder.pop(path[-1])
    else:
        holder[path[-1]] = value
    return data


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    (folder / "tiny.neural").write_text(TINY, encoding="utf-8")
    previous = Path.cwd()
    os.chdir(folder)
    try:
        done = run_cli(["compile", "tiny.neural", "--hpo", "--backend", "pytorch"])
    finally:
        os.chdir(previous)
    assert done["code"] == 0 and not done["traceback"], done
    return folder


@pytest.mark.parametrize("name", [*EDITS, "top-level list"])
def test_a_hand_edited_results_file_is_one_clear_error_on_resume(
    searched: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = json.loads((searched / "hpo_results.json").read_text(encoding="utf-8"))
    data = [base] if name == "top-level list" else edited(base, *EDITS[name])
    text = json.dumps(data)
    if name == "deep json":
        text = text.replace('"DEEP"', "[" * 100_000 + "]" * 100_000)
    if name == "value NaN":
        text = text.replace('"NAN"', "NaN")
    folder = searched / name.replace(" ", "_").replace("*", "")
    folder.mkdir()
    (folder / "tiny.neural").write_text(TINY, encoding="utf-8")
    (folder / "hpo_results.json").write_text(text, encoding="utf-8")
    monkeypatch.chdir(folder)
    done = run_cli(RESUME)
    assert not done["traceback"], done["traceback"]
    assert done["code"] == 1, done
    assert "hpo_results.json" in str(done["first_line"]) and "--force" in str(done["first_line"])
    assert not (folder / "tiny_pytorch.py").exists()  # refused before anything ran
