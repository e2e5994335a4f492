"""One spec, one model: PyTorch and TensorFlow build the same layers, counts, outputs and schedules.

Each framework runs in a process of its own (``cross_backend/dump_torch.py``,
then ``cross_backend/dump_tf.py``, which loads PyTorch's weights through
``neural.testing.weights``); this process imports neither and compares the
files they write. Cases: a probe network per catalogue layer, every output
head, every example at its nominal point, and every schedule over 2,500
optimizer steps (staircase included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "cross_backend"))  # importlib mode
from cases import SCHEDULE_STEPS, SCHEDULES, models

from neural.layers.registry import layer_names

HERE = Path(__file__).parent / "cross_backend"
MODELS = models()


def _dump(script: str, out: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, str(HERE / script), str(out)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stderr[-4000:]}"


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run both frameworks once for every case; return what each wrote."""
    out = tmp_path_factory.mktemp("cross_backend")
    _dump("dump_torch.py", out)
    _dump("dump_tf.py", out)
    return {
        "torch": json.loads((out / "torch.json").read_text()),
        "tf": json.loads((out / "tf.json").read_text()),
        "torch_arrays": np.load(out / "torch.npz"),
        "tf_arrays": np.load(out / "tf.npz"),
    }


def test_the_cases_cover_every_catalogue_layer_and_every_example() -> None:
    kinds = {layer.kind for name, model in MODELS.items() if name.startswith("layer_") for layer in model.layers}
    assert kinds == set(layer_names())
    examples = sorted(path.stem for path in (Path(__file__).parents[1] / "examples").glob("*.neural"))
    assert examples and all(f"example_{name}" in MODELS for name in examples)


@pytest.mark.parametrize("case", sorted(MODELS))
def test_every_layer_has_cores_shape_and_weight_count_on_both_backends(case: str, dumps: dict[str, Any]) -> None:
    model = MODELS[case]
    torch_report, tf_report = dumps["torch"]["models"][case], dumps["tf"]["models"][case]
    expected_counts = {layer.name: layer.param_count for layer in model.layers}
    assert torch_report["layer_counts"] == expected_counts
    assert tf_report["layer_counts"] == expected_counts
    assert tf_report["layer_shapes"] == {layer.name: list(layer.output_shape) for layer in model.layers}
    assert torch_report["total_count"] == tf_report["total_count"] == model.param_count
    assert torch_report["output_shape"] == tf_report["output_shape"] == list(model.output_shape)


@pytest.mark.parametrize("case", sorted(MODELS))
def test_same_weights_give_the_same_outputs_on_both_backends(case: str, dumps: dict[str, Any]) -> None:
    torch_prediction = dumps["torch_arrays"][f"{case}/prediction"]
    tf_prediction = dumps["tf_arrays"][case]
    assert np.isfinite(torch_prediction).all()
    assert np.ptp(torch_prediction) > 0, "a constant output would prove nothing"
    np.testing.assert_allclose(tf_prediction, torch_prediction, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", sorted(SCHEDULES))
def test_schedules_give_the_same_learning_rate_at_every_step(case: str, dumps: dict[str, Any]) -> None:
    torch_rates = np.array(dumps["torch"]["schedules"][case])
    tf_rates = np.array(dumps["tf"]["schedules"][case])
    assert len(torch_rates) == len(tf_rates) == SCHEDULE_STEPS
    assert torch_rates[0] == pytest.approx(0.1)
    assert torch_rates[-1] < torch_rates[0]  # the schedule really decays over the steps compared
    np.testing.assert_allclose(tf_rates, torch_rates, rtol=1e-5, atol=1e-8)
