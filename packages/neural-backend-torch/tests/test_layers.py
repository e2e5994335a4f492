"""Every layer of the registry compiles to PyTorch with core's shapes and Keras' weight counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_support import keras_style_param_count, model_of, module_of

from neural.backends.base import TrainData
from neural.layers.registry import ACTIVATIONS, layer_names
from neural.testing.layer_cases import LAYER_NETWORKS, network_source
from neural_backend_torch.backend import TorchBackend
from neural_backend_torch.layers_code import ACTIVATION_CALLS, same_padding, supported_layer_kinds


def probe_data(input_shape: tuple[int, ...], token_ids: int | None = None) -> TrainData:
    rng = np.random.default_rng(0)
    x = rng.random((24, *input_shape), dtype=np.float32)
    if token_ids is not None:
        x = np.floor(x * token_ids).astype(np.float32)
    y = rng.integers(0, 3, 24)
    return TrainData(x[:16], y[:16], x[16:], y[16:], num_classes=3)


def test_every_registry_layer_has_a_pytorch_implementation() -> None:
    assert set(supported_layer_kinds()) == set(layer_names())


def test_every_registry_activation_has_a_pytorch_implementation() -> None:
    named = {name for name in ACTIVATIONS if name is not None and name.lower() != "none"}
    assert named <= set(ACTIVATION_CALLS)


def test_the_probe_networks_cover_every_registry_layer() -> None:
    covered = set()
    for input_shape, layers in LAYER_NETWORKS.values():
        covered |= {layer.kind for layer in model_of(network_source(input_shape, layers)).layers}
    assert covered == set(layer_names())


@pytest.mark.parametrize("probe", sorted(LAYER_NETWORKS))
def test_layer_compiles_with_cores_shapes_and_weight_counts_and_trains(probe: str) -> None:
    model = model_of(network_source(*LAYER_NETWORKS[probe]))
    module = module_of(model)
    torch.manual_seed(0)
    network = module.build_model().eval()
    shape = (2, *model.input_shape)
    output = network(torch.zeros(shape))
    assert tuple(output.shape[1:]) == model.output_shape
    assert keras_style_param_count(network) == model.param_count
    for layer in model.layers:  # each layer on its own, where its attribute has weights
        attribute = getattr(network, layer.name)
        assert keras_style_param_count(attribute) == layer.param_count, layer.name
    first = model.layers[0]
    token_ids = first.params["input_dim"] if first.kind == "Embedding" else None
    result = TorchBackend().train(model, probe_data(model.input_shape, token_ids), seed=0, threads=1)
    assert np.isfinite(result.history[0]["loss"])


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "dilation", "expected"),
    [
        (9, 3, 2, 1, (1, 1)),
        (9, 2, 1, 1, (0, 1)),
        (8, 2, 2, 1, (0, 0)),
        (15, 3, 2, 1, (1, 1)),
        (10, 3, 1, 2, (2, 2)),
        (7, 4, 3, 1, (1, 2)),
    ],
)
def test_same_padding_matches_tensorflow(
    size: int, kernel: int, stride: int, dilation: int, expected: tuple[int, int]
) -> None:
    assert same_padding(size, kernel, stride, dilation) == expected


def test_same_average_pooling_leaves_padded_cells_out_of_the_average() -> None:
    model = model_of(network_source("(3, 3, 1)", 'AveragePooling2D((2, 2), padding="same")\nFlatten()'))
    network = module_of(model).build_model().eval()
    x = torch.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    pooled = layer_output(network, "average_pooling2d_1", x)
    # TensorFlow: windows [[1,2],[4,5]], [[3],[6]], [[7,8]], [[9]] → means 3, 4.5, 7.5, 9
    assert pooled.flatten().tolist() == [3.0, 4.5, 7.5, 9.0]


def layer_output(network: torch.nn.Module, layer_name: str, x: torch.Tensor) -> torch.Tensor:
    """What ``layer_name`` returns while ``network`` runs on ``x``."""
    seen: list[torch.Tensor] = []
    handle = getattr(network, layer_name).register_forward_hook(lambda module, args, out: seen.append(out))
    network(x)
    handle.remove()
    return seen[0]


def test_same_max_pooling_never_picks_a_padded_cell() -> None:
    model = model_of(network_source("(3, 3, 1)", 'MaxPooling2D((2, 2), padding="same")\nFlatten()'))
    network = module_of(model).build_model().eval()
    x = -torch.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # all negative: a zero pad would win every edge window
    pooled = layer_output(network, "max_pooling2d_1", x)
    assert pooled.flatten().tolist() == [-1.0, -3.0, -7.0, -9.0]


def test_flatten_keeps_keras_channels_last_order() -> None:
    model = model_of(network_source("(2, 2, 3)", "Flatten()"))
    network = module_of(model).build_model().eval()
    x = torch.arange(12.0).reshape(1, 2, 2, 3)
    assert network.flatten_1(x).flatten().tolist() == list(range(12))
    source = TorchBackend().generate(model)
    assert "permute" not in source  # no convolution: the input stays channels-last throughout


def test_a_conv_stack_is_converted_to_channels_first_once() -> None:
    model = model_of(network_source("(12, 12, 1)", "Conv2D(4, 3)\nMaxPooling2D()\nConv2D(4, 3)\nFlatten()"))
    forward = TorchBackend().generate(model).split("def forward", 1)[1].split("return x", 1)[0]
    assert forward.count("x.permute(0, 3, 1, 2)") == 1
    assert forward.count("x.permute(0, 2, 3, 1)") == 1  # back to channels-last before Flatten


def test_batch_normalization_translates_keras_momentum() -> None:
    model = model_of(network_source("(6,)", "Dense(5)\nBatchNormalization(momentum=0.9, epsilon=0.01)"))
    network = module_of(model).build_model()
    assert network.batch_normalization_1.momentum == pytest.approx(0.1)
    assert network.batch_normalization_1.eps == pytest.approx(0.01)


def test_lstm_has_one_bias_per_gate_and_no_saved_recurrent_bias() -> None:
    model = model_of(network_source("(7, 3)", "LSTM(5)"))
    network = module_of(model).build_model()
    lstm = network.lstm_1
    assert [name for name, _ in lstm.named_parameters()] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0"]
    assert "lstm_1.bias_hh_l0" not in network.state_dict()
    assert torch.count_nonzero(lstm.bias_hh_l0) == 0
