"""Weight transfer between frameworks, for forward-parity tests.

The exchange layout is Keras' (the language's defaults are Keras'): for each
layer, the list of arrays ``keras_layer.get_weights()`` returns and
``set_weights`` takes. :func:`keras_weights_from_torch` turns a PyTorch
``state_dict`` (as numpy arrays) of a generated model into that layout, layer
by layer; a backend for a third framework needs only its own converter to or
from this layout to be compared with both.

Layout differences handled here:

- Dense: PyTorch ``weight`` is (out, in), Keras' kernel (in, out).
- Conv1D/Conv2D: PyTorch (out, in, *window), Keras (*window, in, out).
- BatchNormalization: gamma, beta, moving mean, moving variance (PyTorch's
  ``weight``, ``bias``, ``running_mean``, ``running_var``).
- LSTM: the same gate order (input, forget, cell, output) in both; kernels are
  transposed; Keras has one bias (PyTorch's ``bias_ih`` + ``bias_hh``).
- GRU (Keras' ``reset_after=True``): PyTorch's gates are (reset, update, new),
  Keras' (update, reset, new); Keras' bias is a (2, 3 * units) array of the
  input and the recurrent bias.

Numpy only: importing this imports no framework.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from neural.model import ConcreteModel, LayerConfig

_NO_WEIGHTS = frozenset(
    {
        "MaxPooling1D",
        "MaxPooling2D",
        "AveragePooling2D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "Flatten",
        "Dropout",
        "Activation",
    }
)


def _gates(matrix: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """Reorder the gate blocks along axis 0 of a stacked (gates * units, ...) array."""
    blocks = np.split(matrix, len(order), axis=0)
    return np.concatenate([blocks[index] for index in order], axis=0)


#: PyTorch GRU gate blocks (reset, update, new) → Keras' (update, reset, new).
_GRU_ORDER = (1, 0, 2)


def keras_layer_weights_from_torch(layer: LayerConfig, state: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """Keras' ``get_weights()`` arrays of ``layer`` from its PyTorch parameters and buffers.

    ``state`` holds the layer's own entries, named as in its module's
    ``state_dict`` (``weight``, ``bias``, ``running_mean``, ``weight_ih_l0``...).
    Raises KeyError when an expected entry is missing, ValueError for a layer
    kind this module does not know.
    """
    kind = layer.kind
    if kind in _NO_WEIGHTS:
        return []
    if kind in ("Dense", "Output"):
        arrays = [state["weight"].T]
        return arrays + ([state["bias"]] if "bias" in state else [])
    if kind in ("Conv1D", "Conv2D"):
        rank = state["weight"].ndim
        kernel = np.transpose(state["weight"], (*range(2, rank), 1, 0))
        return [kernel] + ([state["bias"]] if "bias" in state else [])
    if kind == "BatchNormalization":
        return [state["weight"], state["bias"], state["running_mean"], state["running_var"]]
    if kind == "LayerNormalization":
        return [state["weight"], state["bias"]]
    if kind == "Embedding":
        return [state["weight"]]
    if kind == "LSTM":
        bias = state["bias_ih_l0"] + state.get("bias_hh_l0", np.zeros_like(state["bias_ih_l0"]))
        return [state["weight_ih_l0"].T, state["weight_hh_l0"].T, bias]
    if kind == "GRU":
        kernel = _gates(state["weight_ih_l0"], _GRU_ORDER).T
        recurrent = _gates(state["weight_hh_l0"], _GRU_ORDER).T
        bias = np.stack([_gates(state["bias_ih_l0"], _GRU_ORDER), _gates(state["bias_hh_l0"], _GRU_ORDER)])
        return [kernel, recurrent, bias]
    raise ValueError(f"no PyTorch → Keras weight layout for layer kind {kind!r}")


def keras_weights_from_torch(
    model: ConcreteModel, state_dict: Mapping[str, np.ndarray]
) -> dict[str, list[np.ndarray]]:
    """Every layer's Keras weights from the ``state_dict`` of the PyTorch model generated for ``model``.

    The PyTorch module holds each layer as the attribute named like the layer
    (``conv2d_1.weight``), so entries are grouped by that prefix. Returns
    {layer name: arrays}, for layers that have weights.
    """
    converted: dict[str, list[np.ndarray]] = {}
    for layer in model.layers:
        prefix = f"{layer.name}."
        own = {key[len(prefix) :]: np.asarray(value) for key, value in state_dict.items() if key.startswith(prefix)}
        arrays = keras_layer_weights_from_torch(layer, own)
        if arrays:
            converted[layer.name] = [np.ascontiguousarray(array, dtype=np.float32) for array in arrays]
    return converted
