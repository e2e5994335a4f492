"""The generated Keras module: every catalogue layer, deterministic, ruff- and mypy-clean, no Lambda,
runnable on its own with ``python MODULE.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tf_support import model_of

from neural.layers.registry import ACTIVATIONS, layer_names
from neural.testing.layer_cases import LAYER_NETWORKS, OUTPUT_HEADS, head_source, network_source
from neural_backend_tf.backend import TensorFlowBackend
from neural_backend_tf.layers_code import ACTIVATIONS as KERAS_ACTIVATIONS
from neural_backend_tf.layers_code import supported_layer_kinds

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.neural"))
BIN = Path(sys.executable).parent


def test_every_catalogue_layer_and_activation_has_a_keras_implementation() -> None:
    assert set(supported_layer_kinds()) == set(layer_names())
    assert {name for name in ACTIVATIONS if name and name.lower() != "none"} <= set(KERAS_ACTIVATIONS)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_an_example_generates_the_same_bytes_twice_and_no_lambda(example: Path) -> None:
    model = model_of(example.read_text(encoding="utf-8"))
    source = TensorFlowBackend().generate(model)
    assert source == TensorFlowBackend().generate(model_of(example.read_text(encoding="utf-8")))
    assert "Lambda" not in source
    compile(source, str(example), "exec")


def test_generated_modules_are_ruff_and_mypy_clean(tmp_path: Path) -> None:
    sources = {path.stem: path.read_text(encoding="utf-8") for path in EXAMPLES}
    sources |= {f"probe_{name}": network_source(*spec) for name, spec in LAYER_NETWORKS.items()}
    sources |= {f"head_{name}": head_source(name) for name in OUTPUT_HEADS}
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(TensorFlowBackend().generate(model_of(source)), encoding="utf-8")
    ruff = subprocess.run(
        [str(BIN / "ruff"), "check", "--isolated", "--line-length", "110", "--select", "E,F,W,I,B,UP", "."],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run(
        [str(BIN / "mypy"), "--ignore-missing-imports", "--check-untyped-defs", "--disallow-incomplete-defs",
         "--no-incremental", "."],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert mypy.returncode == 0, mypy.stdout


def test_the_compiled_module_trains_and_saves_with_python_module_py(tmp_path: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    compiled = subprocess.run(
        [str(BIN / "neural"), "compile", str(ROOT / "examples" / "mlp_digits.neural"), "--backend", "tf"],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    )
    assert compiled.returncode == 0, compiled.stderr
    module = tmp_path / "digits_mlp_tensorflow.py"
    assert module.is_file()
    ran = subprocess.run(
        [sys.executable, module.name, "--epochs", "2"], cwd=tmp_path, capture_output=True, text=True, env=env,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "epoch 2/2" in ran.stdout and "val_accuracy" in ran.stdout
    saved = tmp_path / "digits_mlp.keras"
    assert saved.is_file()
    import keras

    loaded = keras.saving.load_model(saved, safe_mode=True)  # this suite has TF already
    assert loaded.count_params() == model_of((ROOT / "examples" / "mlp_digits.neural").read_text()).param_count
