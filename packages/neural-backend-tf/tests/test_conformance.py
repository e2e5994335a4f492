"""The TensorFlow backend passes core's backend conformance suite."""

from __future__ import annotations

from typing import Any

import numpy as np

from neural.model import ConcreteModel
from neural.testing import BackendSuite
from neural_backend_tf.backend import TensorFlowBackend


class TestTensorFlowBackend(BackendSuite):
    backend_class = TensorFlowBackend
    plugin_module = "neural_backend_tf.plugin"

    def check_defines_model(self, namespace: dict[str, Any], model: ConcreteModel) -> None:
        network = namespace["build_model"]()
        assert network.count_params() == model.param_count
        output = network(np.zeros((2, *model.input_shape), dtype=np.float32))
        assert tuple(output.shape[1:]) == model.output_shape
