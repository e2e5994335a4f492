"""The models both backends build for the cross-backend tests (plain data, no framework).

Imported by ``dump_torch.py`` and ``dump_tf.py`` (each run in its own process)
and by ``tests/test_cross_backend.py``, which compares what they write.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neural.model import ConcreteModel
from neural.program import compile_source
from neural.testing.layer_cases import LAYER_NETWORKS, OUTPUT_HEADS, head_source, network_source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: Steps over which the schedules are compared (the issue asks for at least 2,000).
SCHEDULE_STEPS = 2500

#: schedule case → the learning_rate argument of Adam.
SCHEDULES: dict[str, str] = {
    "exponential": "ExponentialDecay(0.1, 100, 0.9)",
    "exponential_staircase": "ExponentialDecay(0.1, 100, 0.9, staircase=true)",
    "inverse_time": "InverseTimeDecay(0.1, 100, 0.5)",
    "inverse_time_staircase": "InverseTimeDecay(0.1, 100, 0.5, staircase=true)",
    "cosine": "CosineDecay(0.1, 1500)",
    "cosine_alpha": "CosineDecay(0.1, 1500, alpha=0.1)",
    "polynomial": "PolynomialDecay(0.1, 1000)",
    "polynomial_cycle": "PolynomialDecay(0.1, 700, end_learning_rate=0.01, power=2.0, cycle=true)",
}


def _bound(source: str, filename: str) -> ConcreteModel:
    space = compile_source(source, filename).space
    return space.bind(space.nominal_point())


def models() -> dict[str, ConcreteModel]:
    """Every probe network, output head and example (at its nominal point), by case name."""
    cases = {f"layer_{name}": _bound(network_source(*spec), "probe.neural") for name, spec in LAYER_NETWORKS.items()}
    cases |= {f"head_{name}": _bound(head_source(name), "head.neural") for name in OUTPUT_HEADS}
    for path in sorted(EXAMPLES.glob("*.neural")):
        cases[f"example_{path.stem}"] = _bound(path.read_text(encoding="utf-8"), str(path))
    return cases


def schedule_models() -> dict[str, ConcreteModel]:
    """A tiny network per schedule of :data:`SCHEDULES`."""
    return {
        name: _bound(
            network_source("(4,)", "Dense(3)").replace(
                "Adam(learning_rate=0.01)", f"Adam(learning_rate={schedule})"
            ),
            "schedule.neural",
        )
        for name, schedule in SCHEDULES.items()
    }


def inputs(model: ConcreteModel, count: int = 4) -> np.ndarray:
    """A fixed batch for ``model``: token ids below ``input_dim`` for an Embedding, else normal noise."""
    rng = np.random.default_rng(1234)
    first = model.layers[0]
    if first.kind == "Embedding":
        return rng.integers(0, int(first.params["input_dim"]), (count, *model.input_shape)).astype(np.float32)
    return rng.standard_normal((count, *model.input_shape)).astype(np.float32)
