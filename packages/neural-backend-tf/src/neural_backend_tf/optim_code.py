"""Keras 3 source for the optimizer, the learning-rate schedule, the loss and accuracy.

The DSL's optimizer and schedule names and parameters are Keras' own, so each
maps onto ``keras.optimizers.X`` / ``keras.optimizers.schedules.X`` with the
same keywords. The output head says how the last layer's activation and the
loss combine; it is the same decision the PyTorch backend makes, so one file
means one model on both (a linear ``Output`` with a cross-entropy loss gives
logits on both, a softmax output probabilities).
"""

from __future__ import annotations

from dataclasses import dataclass

from neural.backends.literals import literal
from neural.model import ConcreteModel, OptimizerConfig, ScheduleConfig
from neural_backend_tf.layers_code import lookup

CROSS_ENTROPY_LOSSES = frozenset({"sparse_categorical_crossentropy", "categorical_crossentropy"})
BINARY_LOSSES = frozenset({"binary_crossentropy"})
REGRESSION_LOSSES = frozenset({"mse", "mae"})

#: optimizer → its keyword parameters besides ``learning_rate`` (Keras' names, as the DSL's).
_OPTIMIZERS: dict[str, tuple[str, ...]] = {
    "Adam": ("beta_1", "beta_2", "epsilon", "amsgrad"),
    "AdamW": ("weight_decay", "beta_1", "beta_2", "epsilon"),
    "SGD": ("momentum", "nesterov"),
    "RMSprop": ("rho", "momentum", "epsilon"),
    "Adagrad": ("initial_accumulator_value", "epsilon"),
    "Adamax": ("beta_1", "beta_2", "epsilon"),
    "Nadam": ("beta_1", "beta_2", "epsilon"),
}

#: schedule → its parameters, in Keras' positional order.
_SCHEDULES: dict[str, tuple[str, ...]] = {
    "ExponentialDecay": ("initial_learning_rate", "decay_steps", "decay_rate", "staircase"),
    "CosineDecay": ("initial_learning_rate", "decay_steps", "alpha"),
    "InverseTimeDecay": ("initial_learning_rate", "decay_steps", "decay_rate", "staircase"),
    "PolynomialDecay": ("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle"),
}

_LOSS_CLASSES: dict[str, str] = {
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
    "mse": "MeanSquaredError",
    "mae": "MeanAbsoluteError",
}


def _keyword(name: str, value: object) -> str:
    if isinstance(value, bool) or value is None:
        return f"{name}={literal(value)}"
    if isinstance(value, int) and name in ("decay_steps",):
        return f"{name}={literal(value)}"
    if isinstance(value, (int, float)):
        return f"{name}={literal(float(value))}"
    return f"{name}={literal(value)}"


def wrapped_call(callee: str, args: list[str], indent: int, start: int, width: int = 100) -> str:
    """``callee(arg, ...)`` on one line when it fits in ``width`` columns from column ``start``, else one
    argument per line under a statement indented by ``indent``."""
    flat = f"{callee}({', '.join(args)})"
    if start + len(flat) <= width:
        return flat
    inner = " " * (indent + 4)
    return f"{callee}(\n" + "".join(f"{inner}{arg},\n" for arg in args) + " " * indent + ")"


def schedule_expression(schedule: ScheduleConfig) -> str:
    """``keras.optimizers.schedules.X(...)`` with every parameter the model holds."""
    names = lookup(_SCHEDULES, schedule.name, "learning-rate schedule")
    args = [_keyword(name, schedule.params[name]) for name in names if name in schedule.params]
    return wrapped_call(f"keras.optimizers.schedules.{schedule.name}", args, 4, len("    schedule = "))


def optimizer_source(optimizer: OptimizerConfig) -> str:
    """The body of ``build_optimizer``: the schedule (when there is one), then ``keras.optimizers.X(...)``."""
    names = lookup(_OPTIMIZERS, optimizer.name, "optimizer")
    rate = optimizer.params.get("learning_rate", 0.001)
    lines = []
    if isinstance(rate, ScheduleConfig):
        lines.append(f"    schedule = {schedule_expression(rate)}")
        args = ["learning_rate=schedule"]
    else:
        args = [f"learning_rate={literal(float(rate))}"]
    args.extend(_keyword(name, optimizer.params[name]) for name in names if name in optimizer.params)
    lines.append(f"    return {wrapped_call(f'keras.optimizers.{optimizer.name}', args, 4, len('    return '))}")
    return "\n".join(lines) + "\n"


# --- the output head ------------------------------------------------------------


@dataclass(frozen=True)
class OutputHead:
    """How the model's output feeds the loss.

    ``from_logits`` tells the loss that the output is raw scores (a linear
    ``Output``); ``accuracy`` names the Keras accuracy metric class, or None
    when the model reports no accuracy; ``threshold`` is BinaryAccuracy's.
    ``one_hot_targets`` says the targets must be one-hot rows.
    """

    from_logits: bool
    accuracy: str | None
    threshold: float | None = None
    one_hot_targets: bool = False


def output_head(model: ConcreteModel) -> OutputHead:
    """Decide how the last layer's activation, the loss and accuracy combine (as the PyTorch backend does).

    A cross-entropy loss takes a softmax output as probabilities and anything
    else as logits; binary cross-entropy takes a sigmoid output as
    probabilities, a linear one as logits.
    """
    last = model.layers[-1] if model.layers else None
    activation = last.params.get("activation") if last is not None else None
    loss = model.loss
    if loss == "sparse_categorical_crossentropy":
        return OutputHead(activation != "softmax", "SparseCategoricalAccuracy")
    if loss == "categorical_crossentropy":
        return OutputHead(activation != "softmax", "CategoricalAccuracy", one_hot_targets=True)
    if loss in BINARY_LOSSES:
        logits = activation in (None, "linear")
        return OutputHead(logits, "BinaryAccuracy", threshold=0.0 if logits else 0.5)
    lookup({name: name for name in REGRESSION_LOSSES}, loss, "loss")
    per_class = "accuracy" in model.metrics and model.output_shape[-1:] != (1,)
    return OutputHead(False, "CategoricalAccuracy" if per_class else None)


def loss_expression(model: ConcreteModel, head: OutputHead) -> str:
    """``keras.losses.X(...)`` for the model's loss and head."""
    cls = lookup(_LOSS_CLASSES, model.loss, "loss")
    if model.loss in CROSS_ENTROPY_LOSSES or model.loss in BINARY_LOSSES:
        return f"keras.losses.{cls}(from_logits={literal(head.from_logits)})"
    return f"keras.losses.{cls}()"


def metrics_expression(head: OutputHead) -> str:
    """The list of metrics ``compile`` gets: accuracy under the name ``accuracy``, or none."""
    if head.accuracy is None:
        return "[]"
    args = [f"name={literal('accuracy')}"]
    if head.threshold is not None:
        args.append(f"threshold={literal(head.threshold)}")
    return f"[keras.metrics.{head.accuracy}({', '.join(args)})]"


def prediction_expression(model: ConcreteModel, head: OutputHead) -> str:
    """What ``predict`` returns from ``output``: probabilities for a classifier, the output otherwise."""
    if not head.from_logits:
        return "output"
    if model.loss in BINARY_LOSSES:
        return "keras.ops.sigmoid(output)"
    return "keras.ops.softmax(output, axis=-1)"
