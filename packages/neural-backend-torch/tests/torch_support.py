"""Helpers for the PyTorch backend's tests: compile DSL text, build its network, count weights."""

from __future__ import annotations

import types

import torch

from neural.model import ConcreteModel
from neural.program import compile_source
from neural_backend_torch.backend import TorchBackend, load_generated_module

#: Buffers Keras counts as (non-trainable) weights: BatchNormalization's moving statistics.
KERAS_COUNTED_BUFFERS = ("running_mean", "running_var")


def model_of(source: str, point: dict[str, object] | None = None) -> ConcreteModel:
    """The concrete model of DSL ``source`` (at ``point``, else its nominal point)."""
    program = compile_source(source, "test.neural")
    space = program.space
    return space.bind(point if point is not None else space.nominal_point())


def module_of(model: ConcreteModel) -> types.ModuleType:
    """The generated module of ``model``, executed."""
    return load_generated_module(TorchBackend().generate(model), model.name)


def keras_style_param_count(network: torch.nn.Module) -> int:
    """Parameters plus BatchNorm moving statistics: what Keras' ``count_params()`` counts."""
    parameters = sum(p.numel() for p in network.parameters())
    statistics = sum(
        buffer.numel()
        for name, buffer in network.named_buffers()
        if name.rsplit(".", 1)[-1] in KERAS_COUNTED_BUFFERS
    )
    return parameters + statistics
