"""Properties of the generated module: deterministic, repeatable training, stable losses, no injection."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
from torch_support import model_of, module_of

from neural.errors import DiagnosticsError
from neural.testing import tiny_train_data
from neural_backend_torch.backend import TorchBackend, load_generated_module
from neural_backend_torch.literals import CodegenError

MLP = """
network Mlp {
  input: (6,)
  layers:
    Dense(8, "relu")
    Dropout(0.2)
    Output(3, "softmax")
  optimizer: Adam(learning_rate=0.01)
  loss: "sparse_categorical_crossentropy"
  train { epochs: 2  batch_size: 16  dataset: "synthetic" }
}
"""


def test_same_model_gives_the_same_bytes() -> None:
    first = TorchBackend().generate(model_of(MLP))
    second = TorchBackend().generate(model_of(MLP))
    assert first == second
    assert first.encode() == second.encode()


def test_same_seed_gives_the_same_weights_and_another_seed_does_not() -> None:
    model, data = model_of(MLP), tiny_train_data()
    runs = [TorchBackend().train(model, data, seed=seed, threads=1) for seed in (5, 5, 6)]
    states = [run.artifact.state_dict() for run in runs]
    assert all(torch.equal(states[0][key], states[1][key]) for key in states[0])
    assert runs[0].history == [
        dict(h, time=r["time"]) for h, r in zip(runs[1].history, runs[0].history, strict=True)
    ]
    assert not all(torch.equal(states[0][key], states[2][key]) for key in states[0])


def test_threads_sets_the_framework_threads() -> None:
    TorchBackend().train(model_of(MLP), tiny_train_data(), seed=0, threads=1)
    assert torch.get_num_threads() == 1


def test_softmax_with_cross_entropy_is_log_softmax_with_nll() -> None:
    model = model_of(MLP)
    source = TorchBackend().generate(model)
    assert "F.log_softmax(self.output_1(x), dim=-1)" in source
    assert "F.nll_loss(output, target)" in source
    assert "torch.log(" not in source
    module = module_of(model)
    network = module.build_model()
    with torch.no_grad():
        network.output_1.weight.mul_(1e4)  # saturated softmax: log(softmax) would give -inf
    x = torch.randn(8, 6)
    loss = module.loss_fn(network(x), torch.randint(0, 3, (8,)))
    assert torch.isfinite(loss)
    probabilities = module.predict(network, x)
    assert torch.allclose(probabilities.sum(dim=-1), torch.ones(8))


def test_binary_output_keeps_the_sigmoid_in_the_loss() -> None:
    model = model_of(
        MLP.replace('Output(3, "softmax")', 'Output(1, "sigmoid")').replace(
            "sparse_categorical_crossentropy", "binary_crossentropy"
        )
    )
    source = TorchBackend().generate(model)
    assert "binary_cross_entropy_with_logits" in source
    data = tiny_train_data(num_classes=2)
    result = TorchBackend().train(model, data, seed=0, threads=1)
    assert 0.0 <= result.history[-1]["val_accuracy"] <= 1.0
    probabilities = module_of(model).predict(result.artifact, torch.as_tensor(data.x_val))
    assert float(probabilities.min()) >= 0.0 and float(probabilities.max()) <= 1.0


def test_binary_cross_entropy_on_two_softmax_units_takes_class_ids() -> None:
    model = model_of(
        MLP.replace('Output(3, "softmax")', 'Output(2, "softmax")').replace(
            "sparse_categorical_crossentropy", "binary_crossentropy"
        )
    )
    result = TorchBackend().train(model, tiny_train_data(num_classes=2), seed=0, threads=1)
    assert 0.0 <= result.history[-1]["accuracy"] <= 1.0 and np.isfinite(result.history[-1]["loss"])


def test_regression_reports_losses_without_accuracy() -> None:
    model = model_of(
        MLP.replace('Output(3, "softmax")', "Output(1)").replace("sparse_categorical_crossentropy", "mse")
    )
    data = tiny_train_data()
    data.y_train, data.y_val = data.y_train.astype(np.float32), data.y_val.astype(np.float32)
    result = TorchBackend().train(model, data, seed=0, threads=1)
    assert {"loss", "val_loss", "lr"} <= set(result.history[0]) and "accuracy" not in result.history[0]


def test_a_diverging_run_is_a_clear_error() -> None:
    from neural.errors import NeuralError

    model = model_of(MLP.replace("Adam(learning_rate=0.01)", "SGD(learning_rate=1e30)"))
    with pytest.raises(NeuralError, match="diverged"):
        TorchBackend().train(model, tiny_train_data(), seed=0, threads=1)


INJECTION = "relu'); open(MARKER, 'w').close() #"


def test_checker_rejects_code_smuggled_in_an_activation() -> None:
    source = MLP.replace('Dense(8, "relu")', f'Dense(8, activation="{INJECTION}")')
    with pytest.raises(DiagnosticsError):
        model_of(source)


def test_a_smuggled_string_that_passes_the_checker_stays_an_inert_literal(tmp_path: Path) -> None:
    marker = tmp_path / "injected"
    payload = f"x'); open({str(marker)!r}, 'w').close() #\"\"\"); open({str(marker)!r}, 'w').close() #"
    model = model_of(MLP)
    model = dataclasses.replace(model, train=dataclasses.replace(model.train, dataset=payload))
    source = TorchBackend().generate(model)
    module = load_generated_module(source, model.name)
    module.build_model()
    assert payload == module.DATASET
    assert not marker.exists()


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_dsl_string_that_smuggles_code_is_written_as_an_inert_literal(tmp_path: Path, quote: str) -> None:
    marker = tmp_path / "injected"
    inner = '"' if quote == "'" else "'"
    payload = f"x{inner}); open({inner}{marker}{inner}, {inner}w{inner}).close() #"
    source = MLP.replace('dataset: "synthetic"', f"dataset: {quote}{payload}{quote}")
    model = model_of(source)  # the checker accepts any dataset name; the data loader would reject it later
    assert model.train.dataset == payload
    module = load_generated_module(TorchBackend().generate(model), model.name)
    module.build_model()
    assert payload == module.DATASET
    assert not marker.exists()


def test_the_generator_refuses_names_outside_its_tables_even_without_the_checker(tmp_path: Path) -> None:
    marker = tmp_path / "injected"
    payload = f"relu'); open({str(marker)!r}, 'w').close() #"
    model = model_of(MLP)
    layer = model.layers[0]
    bad_layer = dataclasses.replace(layer, params={**layer.params, "activation": payload})
    with pytest.raises(CodegenError, match="no activation named"):
        TorchBackend().generate(dataclasses.replace(model, layers=(bad_layer, *model.layers[1:])))
    with pytest.raises(CodegenError, match="not a valid Python identifier"):
        TorchBackend().generate(dataclasses.replace(model, name="Mlp(nn.Module): pass\nimport os\nclass X"))
    bad_kind = dataclasses.replace(layer, kind="Dense); import os #")
    with pytest.raises(CodegenError, match="no layer kind"):
        TorchBackend().generate(dataclasses.replace(model, layers=(bad_kind, *model.layers[1:])))
    assert not marker.exists()
