"""Build every cross-backend case in Keras with PyTorch's weights; write outputs, counts and schedules.

Run as ``python dump_tf.py OUTDIR`` after dump_torch.py, in a process of its
own. Reads ``torch.npz`` (inputs and weights in Keras' layout), sets each
layer's weights, predicts, and writes ``tf.json`` (per case: layer weight
counts and output shapes; per schedule: the optimizer's learning rate at each
step) and ``tf.npz`` (predictions).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_BACKEND"] = "tensorflow"
sys.path.insert(0, str(Path(__file__).parent))
from cases import SCHEDULE_STEPS, models, schedule_models

from neural_backend_tf.backend import TensorFlowBackend, import_keras, load_generated_module


def main(out: Path) -> None:
    keras = import_keras(threads=1)
    backend = TensorFlowBackend()
    torch_arrays = np.load(out / "torch.npz")
    report: dict[str, dict[str, object]] = {"models": {}, "schedules": {}}
    predictions: dict[str, np.ndarray] = {}
    for case, model in models().items():
        module = load_generated_module(backend.generate(model), model.name)
        keras.backend.clear_session()
        network = module.build_model()
        for layer in model.layers:
            prefix = f"{case}/weights/{layer.name}/"
            weights = [torch_arrays[key] for key in sorted(k for k in torch_arrays.files if k.startswith(prefix))]
            if weights:
                network.get_layer(layer.name).set_weights(weights)
        predictions[case] = module.predict(network, torch_arrays[f"{case}/x"])
        report["models"][case] = {
            "output_shape": list(network.output.shape[1:]),
            "total_count": int(network.count_params()),
            "layer_counts": {layer.name: int(network.get_layer(layer.name).count_params()) for layer in model.layers},
            "layer_shapes": {
                layer.name: list(network.get_layer(layer.name).output.shape[1:]) for layer in model.layers
            },
        }
    for case, model in schedule_models().items():
        module = load_generated_module(backend.generate(model), model.name)
        optimizer = module.build_optimizer()
        rates = []
        for step in range(SCHEDULE_STEPS):
            optimizer.iterations.assign(step)
            rates.append(float(keras.ops.convert_to_numpy(optimizer.learning_rate)))
        report["schedules"][case] = rates
    np.savez(out / "tf.npz", **predictions)
    (out / "tf.json").write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
