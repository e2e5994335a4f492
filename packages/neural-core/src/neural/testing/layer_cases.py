"""Small networks that together use every layer of the catalogue, for backend tests.

Each backend's tests build every probe and compare shapes and weight counts
with core's inference; the cross-backend tests build each probe in two
frameworks and compare their outputs. A third-party backend can use the same
probes::

    from neural.testing.layer_cases import LAYER_NETWORKS, network_source

    for name, (input_shape, layers) in LAYER_NETWORKS.items():
        source = network_source(input_shape, layers)

Plain data and string formatting only: importing this imports no framework.
"""

from __future__ import annotations

from neural.layers.registry import ACTIVATIONS

_NAMED_ACTIVATIONS = sorted(
    name for name in ACTIVATIONS if name is not None and name.lower() not in ("none", "log_softmax")
)

#: probe name → (input shape, layer lines). Each network gets a small Output appended.
LAYER_NETWORKS: dict[str, tuple[str, str]] = {
    "dense": ("(6,)", 'Dense(4, "relu", use_bias=false)'),
    "conv1d_same_strided": (
        "(15, 2)",
        'Conv1D(4, 3, strides=2, padding="same", activation="relu")\nFlatten()',
    ),
    "conv1d_dilated": ("(16, 2)", "Conv1D(3, 3, dilation_rate=2)\nGlobalAveragePooling1D()"),
    "conv2d_same_strided": ("(9, 9, 2)", 'Conv2D(4, (3, 3), strides=(2, 2), padding="same")\nFlatten()'),
    "conv2d_same_even_kernel": ("(7, 8, 1)", 'Conv2D(3, 2, padding="same", use_bias=false)\nFlatten()'),
    "conv2d_valid_dilated": ("(9, 9, 1)", "Conv2D(2, (3, 3), dilation_rate=(2, 2))\nFlatten()"),
    "max_pooling1d_same": ("(15, 2)", 'MaxPooling1D(2, padding="same")\nFlatten()'),
    "max_pooling2d_same_symmetric": ("(9, 9, 2)", 'MaxPooling2D((3, 3), (2, 2), "same")\nFlatten()'),
    "max_pooling2d_same_asymmetric": ("(9, 9, 2)", 'MaxPooling2D((2, 2), padding="same")\nFlatten()'),
    "average_pooling2d_valid": ("(8, 8, 2)", "AveragePooling2D((2, 2))\nFlatten()"),
    "average_pooling2d_same_symmetric": (
        "(9, 9, 2)",
        'AveragePooling2D((3, 3), strides=(2, 2), padding="same")\nFlatten()',
    ),
    "average_pooling2d_same_asymmetric": ("(9, 9, 2)", 'AveragePooling2D((2, 2), padding="same")\nFlatten()'),
    "global_average_pooling2d": ("(6, 6, 3)", "Conv2D(4, 3)\nGlobalAveragePooling2D()"),
    "global_average_pooling1d_after_embedding": ("(10,)", "Embedding(20, 4)\nGlobalAveragePooling1D()"),
    "batch_normalization_image": ("(6, 6, 3)", "BatchNormalization(momentum=0.9, epsilon=0.01)\nFlatten()"),
    "batch_normalization_sequence": ("(8, 3)", "Conv1D(4, 3)\nBatchNormalization()\nFlatten()"),
    "batch_normalization_flat": ("(6,)", "Dense(5)\nBatchNormalization()"),
    "layer_normalization_after_conv": ("(6, 6, 2)", "Conv2D(3, 3)\nLayerNormalization()\nFlatten()"),
    "dropout": ("(6,)", "Dense(8)\nDropout(0.5)"),
    "lstm_sequences_then_last": ("(7, 3)", "LSTM(5, return_sequences=true)\nLSTM(4)"),
    "gru_sequences": ("(7, 3)", "GRU(5, return_sequences=true)\nFlatten()"),
    "embedding_lstm": ("(12,)", "Embedding(30, 6)\nLSTM(8)"),
    "dense_on_sequence": ("(7, 3)", 'GRU(4, return_sequences=true)\nDense(6, "tanh")\nFlatten()'),
    "softmax_activation_on_image": ("(5, 5, 2)", 'Conv2D(3, 3)\nActivation("softmax")\nFlatten()'),
} | {f"activation_{name}": ("(6,)", f'Dense(5)\nActivation("{name}")') for name in _NAMED_ACTIVATIONS}

#: head name → (Output line, loss): every way the last layer and the loss combine.
OUTPUT_HEADS: dict[str, tuple[str, str]] = {
    "softmax_sparse": ('Output(3, "softmax")', "sparse_categorical_crossentropy"),
    "linear_sparse": ("Output(3)", "sparse_categorical_crossentropy"),
    "softmax_categorical": ('Output(3, "softmax")', "categorical_crossentropy"),
    "linear_categorical": ("Output(3)", "categorical_crossentropy"),
    "sigmoid_binary": ('Output(1, "sigmoid")', "binary_crossentropy"),
    "linear_binary": ("Output(1)", "binary_crossentropy"),
    "linear_mse": ("Output(3)", "mse"),
    "tanh_mae": ('Output(2, "tanh")', "mae"),
}


def network_source(
    input_shape: str,
    layers: str,
    loss: str = "sparse_categorical_crossentropy",
    output: str = 'Output(3, "softmax")',
) -> str:
    """A complete network: ``layers`` (one per line) on ``input_shape``, then ``output``, trained with ``loss``."""
    indented = "\n".join(f"    {line}" for line in [*layers.splitlines(), output])
    return f"""network LayerProbe {{
  input: {input_shape}
  layers:
{indented}
  optimizer: Adam(learning_rate=0.01)
  loss: "{loss}"
  train {{ epochs: 1  batch_size: 8  dataset: "synthetic" }}
}}
"""


def head_source(head: str) -> str:
    """A small MLP ending in the output head ``head`` of :data:`OUTPUT_HEADS`."""
    output, loss = OUTPUT_HEADS[head]
    return network_source("(6,)", 'Dense(8, "relu")', loss=loss, output=output)
