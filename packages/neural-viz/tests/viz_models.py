"""Tiny searchable models (synthetic data, a second or two per search) for the report tests."""

from __future__ import annotations

TRAIN = """
  loss: "sparse_categorical_crossentropy"
  train {{
    epochs: {epochs}
    batch_size: 32
    validation_split: 0.25
    dataset: "synthetic:64,3"
    n_trials: {trials}
    divergence_guard: false{extra}
  }}
"""


def model(
    name: str,
    input_shape: str,
    layers: str,
    optimizer: str,
    *,
    epochs: int = 2,
    trials: int = 6,
    extra: str = "",
) -> str:
    """A network source: ``layers`` and ``optimizer`` as written, the train block on synthetic data.

    Synthetic labels are random, so accuracy stays at chance: the divergence guard is off, or it
    would prune the trials these reports are meant to show as complete.
    """
    return (
        f"network {name} {{\n  input: {input_shape}\n  layers:\n{layers}\n  optimizer: {optimizer}\n"
        + TRAIN.format(epochs=epochs, trials=trials, extra=extra)
        + "}\n"
    )


THREE_PARAMS = model(
    "ThreeParams",
    "(8,)",
    '    Dense(HPO(choice(4, 8, 16)), activation="relu")\n'
    "    Dropout(HPO(range(0.1, 0.5, step=0.1)))\n"
    '    Output(3, "softmax")',
    "Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))",
    epochs=3,
    trials=8,
)

ONE_PARAM = model(
    "OneParam",
    "(8,)",
    '    Dense(HPO(choice(4, 8)), activation="relu")\n    Output(3, "softmax")',
    "Adam()",
    trials=3,
)

#: Some points cannot be built (a 7×7 kernel on a 6×6 input): those trials fail.
SOME_FAIL = model(
    "SomeFail",
    "(6, 6, 1)",
    '    Conv2D(2, HPO(choice(3, 7)), "relu")\n    Flatten()\n'
    '    Dense(HPO(choice(4, 8)), activation="relu")\n    Output(3, "softmax")',
    "Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))",
    trials=8,
)

#: Every trial diverges (a learning rate of 1e20 turns the loss into NaN): every trial fails.
ALL_FAIL = model(
    "AllFail",
    "(8,)",
    '    Dense(HPO(choice(4, 8)))\n    Output(3, "softmax")',
    "SGD(learning_rate=HPO(log_range(1e30, 1e31)))",
    trials=3,
)

#: Median pruning after 3 completed trials: later, worse trials are pruned.
PRUNED = model(
    "Pruned",
    "(8,)",
    '    Dense(HPO(choice(4, 8, 16)), activation="relu")\n    Output(3, "softmax")',
    "Adam(learning_rate=HPO(log_range(1e-4, 1e-1)))",
    epochs=4,
    trials=12,
    extra='\n    pruner: "median"',
)

_FIFTEEN_LAYERS = "".join(
    '    Dense(HPO(choice(4, 8)), activation=HPO(choice("relu", "tanh")))\n    Dropout(HPO(range(0.0, 0.4, step=0.1)))\n'
    for _ in range(4)
)
FIFTEEN_PARAMS = model(
    "FifteenParams",
    "(8,)",
    _FIFTEEN_LAYERS + '    Output(3, "softmax")',
    "Adam(learning_rate=HPO(log_range(1e-3, 1e-1)), beta_1=HPO(range(0.8, 0.95)))",
    trials=6,
    extra="\n    batch_size: HPO(choice(16, 32))",
).replace("    batch_size: 32\n", "")

#: Every HPO form: choice of numbers, strings and tuples, stepped, continuous and integer ranges,
#: log_range, custom — and an option name that is HTML, which must show as text.
EVERY_FORM = model(
    "EveryForm",
    "(8, 8, 1)",
    "    Conv2D(filters=HPO(choice(2, 4)), kernel_size=HPO(choice((3, 3), (5, 5))),"
    ' padding=HPO(choice("same", "valid")), activation="relu")\n'
    "    Flatten()\n"
    '    Dense(HPO(custom({"<script>alert(1)</script>": {"units": 4}, "wide": {"units": 16}})), activation="relu")\n'
    '    Dense(HPO(range(4, 12)), activation="relu")\n'
    "    Dropout(HPO(range(0.1, 0.5)))\n"
    "    Dropout(HPO(range(0.1, 0.3, step=0.1)))\n"
    '    Output(3, "softmax")',
    "Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))",
    trials=6,
)

#: Grid search: 2 × 3 points.
GRID = model(
    "Grid",
    "(8,)",
    '    Dense(HPO(choice(4, 8)), activation="relu")\n    Dropout(HPO(range(0.1, 0.3, step=0.1)))\n'
    '    Output(3, "softmax")',
    "Adam()",
    trials=6,
    extra='\n    search_method: "grid"',
)
