"""Build every cross-backend case in PyTorch; write weights, outputs, counts and schedules to OUTDIR.

Run as ``python dump_torch.py OUTDIR`` by tests/test_cross_backend.py, in a
process of its own (torch and tensorflow never share one). Writes
``torch.json`` (per case: layer weight counts, output shape; per schedule: the
learning rate of every optimizer step) and ``torch.npz`` (inputs, predictions
and the weights in Keras' layout, via neural.testing.weights).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from cases import SCHEDULE_STEPS, inputs, models, schedule_models

from neural.testing.weights import keras_weights_from_torch
from neural_backend_torch.backend import TorchBackend, load_generated_module

COUNTED_BUFFERS = ("running_mean", "running_var")


def keras_count(module: torch.nn.Module) -> int:
    """Parameters plus BatchNorm statistics: what Keras' count_params() counts."""
    params = sum(p.numel() for p in module.parameters())
    return params + sum(b.numel() for n, b in module.named_buffers() if n.rsplit(".", 1)[-1] in COUNTED_BUFFERS)


def perturb(network: torch.nn.Module, rng: np.random.Generator) -> None:
    """Give biases and BatchNorm statistics values a zero initialisation would hide."""
    with torch.no_grad():
        for name, tensor in network.state_dict().items():
            leaf = name.rsplit(".", 1)[-1]
            if leaf.startswith("bias") and tensor.is_floating_point():
                tensor.copy_(torch.from_numpy(rng.uniform(-0.2, 0.2, tuple(tensor.shape)).astype(np.float32)))
            elif leaf == "running_mean":
                tensor.copy_(torch.from_numpy(rng.normal(0, 0.3, tuple(tensor.shape)).astype(np.float32)))
            elif leaf == "running_var":
                tensor.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, tuple(tensor.shape)).astype(np.float32)))
            elif leaf == "weight" and tensor.dim() == 1:  # BatchNorm / LayerNorm gamma
                tensor.copy_(torch.from_numpy(rng.uniform(0.8, 1.2, tuple(tensor.shape)).astype(np.float32)))


def main(out: Path) -> None:
    torch.set_num_threads(1)
    backend = TorchBackend()
    report: dict[str, dict[str, object]] = {"models": {}, "schedules": {}}
    arrays: dict[str, np.ndarray] = {}
    rng = np.random.default_rng(0)
    for case, model in models().items():
        module = load_generated_module(backend.generate(model), model.name)
        torch.manual_seed(0)
        network = module.build_model()
        perturb(network, rng)
        network.eval()
        x = inputs(model)
        prediction = module.predict(network, torch.from_numpy(x)).numpy()
        state = {key: value.detach().numpy() for key, value in network.state_dict().items()}
        for layer_name, weights in keras_weights_from_torch(model, state).items():
            for index, array in enumerate(weights):
                arrays[f"{case}/weights/{layer_name}/{index}"] = array
        arrays[f"{case}/x"] = x
        arrays[f"{case}/prediction"] = prediction
        report["models"][case] = {
            "output_shape": list(prediction.shape[1:]),
            "total_count": keras_count(network),
            "layer_counts": {layer.name: keras_count(getattr(network, layer.name)) for layer in model.layers},
        }
    for case, model in schedule_models().items():
        module = load_generated_module(backend.generate(model), model.name)
        optimizer = module.build_optimizer(module.build_model())
        scheduler = module.build_scheduler(optimizer)
        rates = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(SCHEDULE_STEPS):
                rates.append(optimizer.param_groups[0]["lr"])
                optimizer.step()
                scheduler.step()
        report["schedules"][case] = rates
    np.savez(out / "torch.npz", **arrays)
    (out / "torch.json").write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
