"""PyTorch source for the optimizer, the learning-rate schedule, the loss and accuracy.

Each piece is looked up by its canonical name in a table here; values are
written with :func:`~neural_backend_torch.literals.literal`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from neural.model import ConcreteModel, OptimizerConfig, ScheduleConfig
from neural_backend_torch.literals import CodegenError, literal, lookup

CROSS_ENTROPY_LOSSES = frozenset({"sparse_categorical_crossentropy", "categorical_crossentropy"})
BINARY_LOSSES = frozenset({"binary_crossentropy"})
REGRESSION_LOSSES = frozenset({"mse", "mae"})

# --- optimizers ---------------------------------------------------------------

#: optimizer name → (torch class, [(DSL parameter, torch keyword)]); betas are handled apart.
_OPTIMIZERS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "Adam": ("Adam", (("epsilon", "eps"), ("amsgrad", "amsgrad"))),
    "AdamW": ("AdamW", (("weight_decay", "weight_decay"), ("epsilon", "eps"))),
    "SGD": ("SGD", (("momentum", "momentum"), ("nesterov", "nesterov"))),
    "RMSprop": ("RMSprop", (("rho", "alpha"), ("momentum", "momentum"), ("epsilon", "eps"))),
    "Adagrad": ("Adagrad", (("initial_accumulator_value", "initial_accumulator_value"), ("epsilon", "eps"))),
    "Adamax": ("Adamax", (("epsilon", "eps"),)),
    "Nadam": ("NAdam", (("epsilon", "eps"),)),
}
_WITH_BETAS = frozenset({"Adam", "AdamW", "Adamax", "Nadam"})

#: Keras' defaults, for any parameter a model leaves out (core normally fills them in).
_KERAS_DEFAULTS: dict[str, dict[str, object]] = {
    "Adam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False},
    "AdamW": {"weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07},
    "SGD": {"momentum": 0.0, "nesterov": False},
    "RMSprop": {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-07},
    "Adagrad": {"initial_accumulator_value": 0.1, "epsilon": 1e-07},
    "Adamax": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07},
    "Nadam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07},
}


def initial_learning_rate(optimizer: OptimizerConfig) -> float:
    """The learning rate at step 0: the number, or the schedule's ``initial_learning_rate``."""
    rate = optimizer.params.get("learning_rate", 0.001)
    if isinstance(rate, ScheduleConfig):
        return float(rate.params["initial_learning_rate"])
    return float(rate)


def optimizer_expression(optimizer: OptimizerConfig) -> str:
    """``torch.optim.Adam(model.parameters(), lr=..., ...)`` for ``optimizer``."""
    torch_name, keywords = lookup(_OPTIMIZERS, optimizer.name, "optimizer")
    params = {**_KERAS_DEFAULTS[optimizer.name], **optimizer.params}
    args = ["model.parameters()", f"lr={literal(initial_learning_rate(optimizer))}"]
    if optimizer.name in _WITH_BETAS:
        betas = (float(params.get("beta_1", 0.9)), float(params.get("beta_2", 0.999)))
        args.append(f"betas={literal(betas)}")
    for dsl_name, torch_keyword in keywords:
        value = params[dsl_name]
        if dsl_name == "nesterov" and not params.get("momentum"):
            continue  # PyTorch rejects Nesterov without momentum; Keras then runs plain SGD.
        args.append(f"{torch_keyword}={literal(value)}")
    return f"torch.optim.{torch_name}({', '.join(args)})"


# --- schedules ----------------------------------------------------------------


def _progress(values: dict[str, str], staircase: bool) -> str:
    if staircase:
        return f"    progress = math.floor(step / {values['decay_steps']})"
    return f"    progress = step / {values['decay_steps']}"


def _exponential_decay(values: dict[str, str], flags: dict[str, bool]) -> str:
    return (
        _progress(values, flags["staircase"]) + "\n"
        f"    return {values['initial_learning_rate']} * {values['decay_rate']} ** progress"
    )


def _inverse_time_decay(values: dict[str, str], flags: dict[str, bool]) -> str:
    return (
        _progress(values, flags["staircase"]) + "\n"
        f"    return {values['initial_learning_rate']} / (1 + {values['decay_rate']} * progress)"
    )


def _cosine_decay(values: dict[str, str], flags: dict[str, bool]) -> str:
    alpha = values["alpha"]
    decayed = "cosine" if not flags.get("alpha_is_set") else f"((1 - {alpha}) * cosine + {alpha})"
    return (
        f"    progress = min(step, {values['decay_steps']}) / {values['decay_steps']}\n"
        "    cosine = 0.5 * (1 + math.cos(math.pi * progress))\n"
        f"    return {values['initial_learning_rate']} * {decayed}"
    )


def _polynomial_decay(values: dict[str, str], flags: dict[str, bool]) -> str:
    if flags["cycle"]:
        steps = (
            f"    decay_steps = {values['decay_steps']} * max(math.ceil(step / {values['decay_steps']}), 1)\n"
        )
    else:
        steps = f"    decay_steps = {values['decay_steps']}\n    step = min(step, decay_steps)\n"
    end = values["end_learning_rate"]
    return (
        steps + f"    fraction_left = 1 - step / decay_steps\n"
        f"    return ({values['initial_learning_rate']} - {end}) * fraction_left ** {values['power']} + {end}"
    )


#: Keras' formulas, evaluated at the optimizer step (one per batch): schedule → (body writer, defaults).
_SCHEDULES: dict[str, tuple[Callable[[dict[str, str], dict[str, bool]], str], dict[str, object]]] = {
    "ExponentialDecay": (_exponential_decay, {"staircase": False}),
    "InverseTimeDecay": (_inverse_time_decay, {"staircase": False}),
    "CosineDecay": (_cosine_decay, {"alpha": 0.0}),
    "PolynomialDecay": (_polynomial_decay, {"end_learning_rate": 0.0001, "power": 1.0, "cycle": False}),
}


def schedule_source(optimizer: OptimizerConfig) -> str:
    """``learning_rate_at`` (when scheduled) and ``build_scheduler`` for ``optimizer``."""
    rate = optimizer.params.get("learning_rate")
    if not isinstance(rate, ScheduleConfig):
        return '''\
def build_scheduler(optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler | None:
    """The learning-rate schedule: none, the rate is constant."""
    return None
'''
    write_body, defaults = lookup(_SCHEDULES, rate.name, "learning-rate schedule")
    values = {**defaults, **rate.params}
    flags = {key: bool(value) for key, value in values.items() if isinstance(value, bool)}
    flags["alpha_is_set"] = bool(values.get("alpha"))
    try:
        rendered = write_body({key: literal(value) for key, value in values.items()}, flags)
    except KeyError as missing:
        raise CodegenError(f"{rate.name} lacks the parameter {missing}") from None
    initial = literal(float(rate.params["initial_learning_rate"]))
    return f'''\
def learning_rate_at(step: int) -> float:
    """{rate.name} as Keras computes it at optimizer step `step` (one step per batch)."""
{rendered}


def build_scheduler(optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler | None:
    """A scheduler to step after every batch: the optimizer's rate follows `learning_rate_at`."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: learning_rate_at(step) / {initial})
'''


# --- the output head: loss, accuracy, prediction --------------------------------


@dataclass(frozen=True)
class OutputHead:
    """How the model's output feeds the loss.

    ``kind`` is ``log_probs`` (softmax replaced by log_softmax, loss NLL),
    ``logits`` (cross-entropy on raw scores), ``binary_logits`` (sigmoid left
    to the loss), ``binary_probs`` or ``values`` (regression).
    ``final_activation`` is the activation the last layer applies instead of
    its own.
    """

    kind: str
    final_activation: str | None


def output_head(model: ConcreteModel) -> OutputHead:
    """Decide how the last layer's activation and the loss combine.

    Softmax + cross-entropy becomes log_softmax + NLL, sigmoid + binary
    cross-entropy becomes logits + ``binary_cross_entropy_with_logits``: both
    stable where log(softmax) and log(sigmoid) are not.
    """
    last = model.layers[-1] if model.layers else None
    activation = last.params.get("activation") if last is not None else None
    loss = model.loss
    if loss in CROSS_ENTROPY_LOSSES:
        if activation == "softmax":
            return OutputHead("log_probs", "log_softmax")
        return OutputHead("logits", activation)
    if loss in BINARY_LOSSES:
        if activation == "sigmoid":
            return OutputHead("binary_logits", None)
        if activation in (None, "linear"):
            return OutputHead("binary_logits", activation)
        return OutputHead("binary_probs", activation)
    lookup({name: name for name in REGRESSION_LOSSES}, loss, "loss")
    return OutputHead("values", activation)


_LOSS_BODIES: dict[tuple[str, str], str] = {
    ("sparse_categorical_crossentropy", "log_probs"): """\
    \"\"\"Sparse categorical cross-entropy on log-probabilities (log_softmax + NLL, never log(softmax)).\"\"\"
    return F.nll_loss(output, target)""",
    ("sparse_categorical_crossentropy", "logits"): """\
    \"\"\"Sparse categorical cross-entropy on raw scores.\"\"\"
    return F.cross_entropy(output, target)""",
    ("categorical_crossentropy", "log_probs"): """\
    \"\"\"Categorical cross-entropy on log-probabilities; targets are class ids or one-hot rows.\"\"\"
    if target.dim() == output.dim():
        return -(target * output).sum(dim=-1).mean()
    return F.nll_loss(output, target)""",
    ("categorical_crossentropy", "logits"): """\
    \"\"\"Categorical cross-entropy on raw scores; targets are class ids or one-hot rows.\"\"\"
    return F.cross_entropy(output, target)""",
    ("binary_crossentropy", "binary_logits"): """\
    \"\"\"Binary cross-entropy on logits (the sigmoid is folded into the loss, for stability).\"\"\"
    return F.binary_cross_entropy_with_logits(output, target_like(target, output))""",
    ("binary_crossentropy", "binary_probs"): """\
    \"\"\"Binary cross-entropy on probabilities.\"\"\"
    probabilities = output.clamp(1e-7, 1 - 1e-7)
    return F.binary_cross_entropy(probabilities, target_like(target, output))""",
    ("mse", "values"): """\
    \"\"\"Mean squared error; class ids become one-hot rows when the output has one unit per class.\"\"\"
    return F.mse_loss(output, target_like(target, output))""",
    ("mae", "values"): """\
    \"\"\"Mean absolute error; class ids become one-hot rows when the output has one unit per class.\"\"\"
    return F.l1_loss(output, target_like(target, output))""",
}

_TARGET_LIKE = '''\
def target_like(target: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """`target` shaped and typed like `output` (class ids → one-hot rows when there is one output per class)."""
    if target.dim() < output.dim() and output.shape[-1] > 1 and not target.is_floating_point():
        return F.one_hot(target, output.shape[-1]).to(output.dtype)
    return target.to(output.dtype).view_as(output)
'''

_COUNT_CORRECT: dict[str, str] = {
    "multiclass": '''\
def count_correct(output: torch.Tensor, target: torch.Tensor) -> int:
    """How many rows of `output` pick the target class (accuracy's numerator)."""
    if target.dim() == output.dim():
        target = target.argmax(dim=-1)
    return int((output.argmax(dim=-1) == target).sum())
''',
    "binary_logits": '''\
def count_correct(output: torch.Tensor, target: torch.Tensor) -> float:
    """Accuracy's numerator: per row, the share of logits on the target's side of 0."""
    hits = (output > 0).to(output.dtype) == target_like(target, output)
    return float(hits.to(output.dtype).mean(dim=-1).sum())
''',
    "binary_probs": '''\
def count_correct(output: torch.Tensor, target: torch.Tensor) -> float:
    """Accuracy's numerator: per row, the share of probabilities on the target's side of 0.5."""
    hits = (output > 0.5).to(output.dtype) == target_like(target, output)
    return float(hits.to(output.dtype).mean(dim=-1).sum())
''',
    "none": '''\
def count_correct(output: torch.Tensor, target: torch.Tensor) -> float:
    """Accuracy does not apply to this regression model: HAS_ACCURACY is False, so this is never called."""
    return 0.0
''',
}

_PREDICT: dict[str, str] = {
    "log_probs": "torch.softmax(output, dim=-1)",
    "logits": "torch.softmax(output, dim=-1)",
    "binary_logits": "torch.sigmoid(output)",
    "binary_probs": "output",
    "values": "output",
}


def loss_source(model: ConcreteModel, head: OutputHead) -> str:
    """``loss_fn``, ``count_correct`` and ``predict`` for the model's loss and head."""
    body = lookup(_LOSS_BODIES, (model.loss, head.kind), "loss and output combination")
    parts = []
    if head.kind in ("values", "binary_logits", "binary_probs"):
        parts.append(_TARGET_LIKE)
    parts.append(f"def loss_fn(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:\n{body}\n")
    parts.append(_COUNT_CORRECT[_accuracy_kind(model, head)])
    prediction = _PREDICT[head.kind]
    parts.append(f'''\
@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's predictions for a channels-last batch `x` (probabilities for classifiers)."""
    model.eval()
    weight = next(model.parameters(), None)  # the batch goes where the model is (a GPU after training there)
    device = weight.device if weight is not None else torch.device("cpu")
    output = model(torch.as_tensor(x, dtype=torch.float32, device=device))
    return {prediction}
''')
    return "\n\n".join(parts)


def _accuracy_kind(model: ConcreteModel, head: OutputHead) -> str:
    if head.kind in ("log_probs", "logits"):
        return "multiclass"
    if head.kind in ("binary_logits", "binary_probs"):
        return head.kind
    if "accuracy" in model.metrics and model.output_shape[-1:] != (1,):
        return "multiclass"
    return "none"
