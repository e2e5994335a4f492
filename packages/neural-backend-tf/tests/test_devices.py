"""--device with the TensorFlow backend: the module's DEVICE constant, resolved by its pick_device,
is where the model is built and trained (tf.device); auto is the CPU here, cuda one clear line."""

from __future__ import annotations

import numpy as np
import pytest
from tf_support import model_of

from neural.backends.base import TrainData
from neural.backends.generated import load_generated_module
from neural.errors import NeuralError
from neural_backend_tf.backend import TensorFlowBackend

TINY = """\
network TinyDevice {
  input: (6,)
  layers:
    Dense(8, activation="relu")
    Output(3, "softmax")
  optimizer: Adam(learning_rate=0.01)
  loss: "sparse_categorical_crossentropy"
  train {
    epochs: 1
    batch_size: 16
    DEVICE_LINE
  }
}
"""


def tiny(device_line: str = "") -> str:
    return TINY.replace("DEVICE_LINE", device_line)


def tiny_data() -> TrainData:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6)).astype("float32")
    y = rng.integers(0, 3, size=32).astype("int64")
    return TrainData(x[:24], y[:24], x[24:], y[24:], num_classes=3)


def test_the_module_takes_its_device_from_one_constant() -> None:
    backend = TensorFlowBackend()
    source = backend.generate(model_of(tiny('device: "cuda:1"')))
    assert source.count('DEVICE = "cuda:1"') == 1
    assert "with tf.device(pick_device(args.device)):" in source
    assert backend.generate(model_of(tiny())).replace('DEVICE = "auto"', 'DEVICE = "cuda:1"') == source


def test_pick_device_is_the_cpu_for_auto_here_and_refuses_an_absent_gpu() -> None:
    module = load_generated_module(TensorFlowBackend().generate(model_of(tiny())), "TinyDevice")
    assert module.pick_device() == "/CPU:0"
    assert module.pick_device("cpu") == "/CPU:0"
    with pytest.raises(RuntimeError, match=r"--device cuda: no GPU is visible to TensorFlow"):
        module.pick_device("cuda")


@pytest.mark.parametrize("line", ["", 'device: "cpu"'])
def test_training_runs_on_the_cpu_and_says_so(line: str) -> None:
    result = TensorFlowBackend().train(model_of(tiny(line)), tiny_data(), seed=0, threads=1)
    assert result.device == "cpu"
    assert len(result.history) == 1


def test_training_on_an_absent_gpu_is_a_one_line_neural_error() -> None:
    with pytest.raises(NeuralError) as caught:
        TensorFlowBackend().train(model_of(tiny('device: "cuda:0"')), tiny_data(), seed=0, threads=1)
    message = str(caught.value)
    assert message.startswith("--device cuda:0: no GPU is visible to TensorFlow") and "\n" not in message
    assert message.endswith("use --device cpu or auto")
