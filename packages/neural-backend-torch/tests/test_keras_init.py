"""The generated PyTorch model starts from Keras' default initialisation (DESIGN.md §4)."""

from __future__ import annotations

import math

import torch
from torch_support import model_of, module_of

from neural.testing.layer_cases import network_source


def built(input_shape: str, layers: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return module_of(model_of(network_source(input_shape, layers))).build_model()


def test_dense_and_conv_kernels_are_glorot_uniform_and_biases_zero() -> None:
    network = built("(12, 12, 3)", "Conv2D(16, 3)\nFlatten()\nDense(200)")
    for module, fan_in, fan_out in ((network.conv2d_1, 3 * 9, 16 * 9), (network.dense_1, 10 * 10 * 16, 200)):
        limit = math.sqrt(6 / (fan_in + fan_out))
        weight = module.weight.detach()
        assert float(weight.abs().max()) <= limit
        # uniform on [-limit, limit] has standard deviation limit / sqrt(3)
        assert abs(float(weight.std()) - limit / math.sqrt(3)) < 0.05 * limit
        assert torch.count_nonzero(module.bias) == 0


def test_recurrent_kernels_are_orthogonal_and_the_lstm_forget_bias_is_one() -> None:
    network = built("(7, 3)", "LSTM(8, return_sequences=true)\nGRU(6)")
    lstm, gru = network.lstm_1, network.gru_1
    for layer, units in ((lstm, 8), (gru, 6)):
        recurrent = layer.weight_hh_l0.detach()
        assert torch.allclose(recurrent.T @ recurrent, torch.eye(units), atol=1e-5)
    bias = lstm.bias_ih_l0.detach()
    assert torch.equal(bias[8:16], torch.ones(8))
    assert torch.count_nonzero(bias[:8]) == 0 and torch.count_nonzero(bias[16:]) == 0
    assert torch.count_nonzero(gru.bias_ih_l0) == 0 and torch.count_nonzero(gru.bias_hh_l0) == 0


def test_embeddings_are_uniform_within_five_hundredths() -> None:
    network = built("(10,)", "Embedding(50, 8)\nFlatten()")
    weight = network.embedding_1.weight.detach()
    assert float(weight.abs().max()) <= 0.05 and float(weight.std()) > 0.02
