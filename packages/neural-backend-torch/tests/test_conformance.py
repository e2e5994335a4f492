"""The PyTorch backend passes core's backend conformance suite."""

from __future__ import annotations

from typing import Any

import torch
from torch_support import keras_style_param_count

from neural.model import ConcreteModel
from neural.testing import BackendSuite
from neural_backend_torch.backend import TorchBackend


class TestTorchBackend(BackendSuite):
    plugin_module = "neural_backend_torch.plugin"
    backend_class = TorchBackend

    def check_defines_model(self, namespace: dict[str, Any], model: ConcreteModel) -> None:
        network = namespace["build_model"]()
        assert keras_style_param_count(network) == model.param_count
        output = network(torch.zeros(2, *model.input_shape))
        assert tuple(output.shape[1:]) == model.output_shape
