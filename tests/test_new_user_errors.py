"""Mistakes a new user makes, through the real ``neural`` command in a subprocess.

Each test pins what the user sees for one mistake: the exit status (1 a user
or run error, 2 bad command-line usage), no Python traceback, and the phrase
that says what is wrong and how to fix it. Every mistake here is caught
before any training starts, so the whole file runs in a few seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

NEURAL = Path(sys.executable).with_name("neural")

TINY = """network Tiny {
  input: (4,)
  layers:
    Dense(8, "relu")
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 8 search_method: "random" }
}
"""


def neural(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``neural ARGS`` in ``cwd`` and return the finished process (output captured as text)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200"}
    env.pop("NEURAL_DEBUG", None)
    return subprocess.run(
        [str(NEURAL), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def assert_user_error(result: subprocess.CompletedProcess[str], status: int, phrase: str) -> None:
    """The command failed with ``status``, said ``phrase`` on stderr and showed no traceback."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert phrase in result.stderr, result.stderr


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A tiny valid model file in a fresh folder."""
    path = tmp_path / "tiny.neural"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_a_numpy_array_file_given_as_npz_data_is_named_as_not_an_npz_archive(model: Path) -> None:
    np.save(model.parent / "arrays.npy", np.zeros((10, 4)))
    result = neural("run", model, "--data", "npz:arrays.npy", cwd=model.parent)
    assert_user_error(result, 1, "arrays.npy is not a .npz archive")
    assert "numpy.savez(path, x=inputs, y=labels)" in result.stderr


def test_a_text_file_given_as_npz_data_does_not_blame_pickling(model: Path) -> None:
    (model.parent / "notes.npz").write_text("hello", encoding="utf-8")
    result = neural("run", model, "--data", "npz:notes.npz", cwd=model.parent)
    assert_user_error(result, 1, "notes.npz is not a .npz archive")
    assert "pickle" not in result.stderr


def test_inputs_with_one_number_per_sample_say_how_to_reshape_them(model: Path) -> None:
    np.savez(model.parent / "flat.npz", x=np.zeros(10, dtype=np.float32), y=np.zeros(10, dtype=np.int64))
    result = neural("run", model, "--data", "npz:flat.npz", cwd=model.parent)
    assert_user_error(result, 1, "a single number per sample")
    assert "x.reshape(len(x), -1)" in result.stderr


def test_an_empty_csv_file_is_reported_without_a_numpy_warning(model: Path) -> None:
    (model.parent / "empty.csv").write_text("", encoding="utf-8")
    result = neural("run", model, "--data", "csv:empty.csv", cwd=model.parent)
    assert_user_error(result, 1, "empty.csv has no data rows")
    assert "Warning" not in result.stderr


@pytest.mark.parametrize(
    ("spec", "phrase"),
    [
        (
            "npz",
            "the npz dataset needs an argument after a colon (your arrays x and y from a .npz file: npz:PATH)",
        ),
        ("npz:", "has nothing after the colon: write npz:ARGUMENT (e.g. npz:data.npz)"),
    ],
)
def test_a_dataset_spec_without_its_file_says_how_to_write_it(model: Path, spec: str, phrase: str) -> None:
    assert_user_error(neural("run", model, "--data", spec, cwd=model.parent), 1, phrase)


def test_an_out_folder_that_cannot_be_created_is_refused_before_training(model: Path) -> None:
    blocker = model.parent / "a_file"
    blocker.write_text("", encoding="utf-8")
    result = neural("run", model, "--out", blocker / "results", cwd=model.parent)
    assert_user_error(result, 1, "choose a folder you can write to with --out")
    assert "epoch" not in result.stdout
    assert sorted(p.name for p in model.parent.iterdir()) == ["a_file", "tiny.neural"]


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX permissions")
def test_a_read_only_out_folder_is_refused_before_training(model: Path) -> None:
    if os.geteuid() == 0:
        # root writes into any 0o555 folder; sysfs refuses new files even to root.
        locked = Path("/sys/kernel")
        if not locked.is_dir():
            pytest.skip("running as root without /sys/kernel: no folder root cannot write into")
        before = sorted(p.name for p in locked.iterdir())
    else:
        locked = model.parent / "locked"
        locked.mkdir(mode=0o555)
        before = []
    result = neural("run", model, "--hpo", "--trials", "1", "--out", locked, cwd=model.parent)
    assert_user_error(result, 1, f"cannot write into {locked} (permission denied)")
    assert "epoch" not in result.stdout
    assert sorted(p.name for p in locked.iterdir()) == before


def test_compile_to_a_path_that_cannot_be_created_names_the_o_option(model: Path) -> None:
    blocker = model.parent / "a_file"
    blocker.write_text("", encoding="utf-8")
    result = neural("compile", model, "-o", blocker / "tiny.py", cwd=model.parent)
    assert_user_error(result, 1, "choose a folder you can write to with -o")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_os_error_while_writing_is_one_line_naming_the_path(model: Path) -> None:
    result = neural("compile", model, "-o", "/dev/full", cwd=model.parent)
    writable = os.access("/dev", os.W_OK)
    expected = "cannot write /dev/full (no space left on device)" if writable else "cannot write into /dev"
    assert_user_error(result, 1, expected)


def test_resume_together_with_force_is_a_usage_error(model: Path) -> None:
    result = neural("run", model, "--hpo", "--resume", "--force", cwd=model.parent)
    assert_user_error(result, 2, "--resume continues the search and --force starts it over: pass only one")


def test_debug_after_the_command_name_shows_the_traceback(model: Path) -> None:
    plain = neural("check", "missing.neural", cwd=model.parent)
    assert_user_error(plain, 1, "cannot read missing.neural: no such file")
    debug = neural("check", "missing.neural", "--debug", cwd=model.parent)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr
    assert "cannot read missing.neural: no such file" in debug.stderr


def test_a_misspelled_backend_gets_did_you_mean_and_the_installed_list(model: Path) -> None:
    result = neural("run", model, "--backend", "pytroch", cwd=model.parent)
    assert_user_error(result, 1, "unknown backend \"pytroch\": did you mean 'pytorch'? (installed backends: ")


def test_a_misspelled_search_method_gets_did_you_mean_and_the_installed_methods(model: Path) -> None:
    searchable = TINY.replace('"random"', '"randm"').replace("Dense(8,", "Dense(HPO(choice(8, 16)),")
    model.write_text(searchable, encoding="utf-8")
    result = neural("run", model, "--hpo", cwd=model.parent)
    assert_user_error(result, 1, 'error: unknown search_method "randm"')
    assert f"{model.name}:" in result.stderr
    assert "hint: did you mean 'random'?" in result.stdout + result.stderr


def test_an_unknown_visualizer_with_none_installed_names_the_package(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = model.parent / "hpo_results.json"
    results.write_text("{}", encoding="utf-8")
    monkeypatch.setenv("NEURAL_DISABLE_PLUGINS", "neural-viz")  # the only visualizer plugin here
    result = neural("visualize", results, "--format", "png", cwd=model.parent)
    assert_user_error(
        result, 1, 'unknown visualizer "png": no visualizers are installed; pip install neural-viz'
    )


def test_curly_quotes_get_a_located_error_asking_for_straight_quotes(model: Path) -> None:
    model.write_text(TINY.replace('"relu"', "\u201crelu\u201d"), encoding="utf-8")
    result = neural("check", model, cwd=model.parent)
    assert_user_error(result, 1, f"{model}:4:14: error: unexpected character '\u201c'")
    assert "straight quotes" in result.stderr


@pytest.mark.parametrize(
    ("good", "bad", "location", "glued"),
    [("epochs: 1 ", "epochs: 1e ", "7:19", "1e"), ("Dense(8,", "Dense(8x,", "4:11", "8x")],
)
def test_letters_glued_to_a_number_are_reported_at_the_number(
    model: Path, good: str, bad: str, location: str, glued: str
) -> None:
    model.write_text(TINY.replace(good, bad), encoding="utf-8")
    result = neural("check", model, cwd=model.parent)
    assert_user_error(result, 1, f"{model}:{location}: error: '{glued}' is not a number")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_instead_of_a_file_is_not_called_missing(model: Path) -> None:
    os.mkfifo(model.parent / "pipe.neural")
    result = neural("check", "pipe.neural", cwd=model.parent)
    assert_user_error(result, 1, "cannot read pipe.neural: it is not a regular file")


def test_a_classifier_ending_in_a_sequence_is_refused_before_training(model: Path) -> None:
    model.write_text(TINY.replace("input: (4,)", "input: (6, 4)"), encoding="utf-8")
    result = neural("run", model, "--data", "synthetic", cwd=model.parent)
    assert_user_error(result, 1, "Tiny ends with output shape (6, 3) per sample")
    assert "add Flatten() or GlobalAveragePooling1D() before the last layer" in result.stderr
    assert "epoch" not in result.stdout


def test_a_regression_output_wider_than_its_targets_is_refused_before_training(model: Path) -> None:
    model.write_text(TINY.replace('"sparse_categorical_crossentropy"', '"mse"'), encoding="utf-8")
    result = neural("run", model, "--data", "synthetic", cwd=model.parent)
    assert_user_error(
        result, 1, "the synthetic targets have shape (1,) per sample, but Tiny outputs (3,) with loss mse"
    )
    assert "end the network with Output(1)" in result.stderr
    assert "epoch" not in result.stdout


def test_ctrl_c_while_training_the_best_point_keeps_and_lists_the_search_results(model: Path) -> None:
    command = [str(NEURAL), "run", model, "--hpo", "--trials", "1", "--epochs", "100", "--data", "synthetic"]
    model.write_text(TINY.replace("Dense(8,", "Dense(HPO(choice(8, 16)),"), encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200"}
    process = subprocess.Popen(
        [str(part) for part in command],
        cwd=model.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:  # wait until the search is over and the final training has started
        seen.append(line)
        if line.startswith("training Tiny"):
            process.send_signal(signal.SIGINT)
            break
    rest, stderr = process.communicate(timeout=120)
    stdout = "".join(seen) + rest
    assert process.returncode == 1, stderr
    assert "Traceback" not in stdout + stderr
    assert "wrote hpo_results.json" in stdout, stderr
    assert "wrote tiny.best.neural" in stdout
    assert "training the best point was interrupted (Ctrl-C) before the model was saved" in stderr
    assert "run the same command with --resume to train the best point without searching again" in stderr
    assert "neural run tiny.best.neural" in stderr
    assert sorted(p.name for p in model.parent.iterdir()) == [
        "hpo_results.json",
        "tiny.best.neural",
        "tiny.neural",
    ]
    trials_before = json.loads((model.parent / "hpo_results.json").read_text())["trials"]
    again = subprocess.run(  # the command the message gives works
        [str(part) for part in command] + ["--resume"],
        cwd=model.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "wrote tiny.pt" in again.stdout
    assert json.loads((model.parent / "hpo_results.json").read_text())["trials"] == trials_before
