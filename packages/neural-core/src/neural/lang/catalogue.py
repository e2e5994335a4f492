"""Optimizers, learning-rate schedules, losses, metrics and train-block keys.

The same schema machinery as the layers (:mod:`neural.layers.schema`): each
optimizer and schedule is a :class:`CallSpec` (parameters, positional order,
``normalize``); each train key a :class:`ParamSpec`. Names, defaults and
positional orders are the contract of docs/internals.md: both backends build
their optimizers and schedules from exactly these normalized parameters.

The checker looks names up here (``get_optimizer``, ``get_schedule``,
``canonical_loss``) and validates every value with ``ParamSpec.validate``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from neural.errors import closest_names, unknown_name_hint
from neural.layers.schema import (
    ACTIVATIONS,
    REQUIRED,
    CallSpec,
    ParamSpec,
    UnknownNameError,
)
from neural.limits import MAX_GRID_POINTS, MAX_SEED
from neural.model import TrainConfig

__all__ = [
    "ACTIVATIONS",
    "CROSS_ENTROPY_LOSSES",
    "LOSSES",
    "LOSS_ALIASES",
    "METRICS",
    "OBJECTIVES",
    "OPTIMIZERS",
    "SCHEDULES",
    "TRAIN_BLOCK",
    "TRAIN_KEYS",
    "CallSpec",
    "canonical_loss",
    "default_metrics",
    "get_optimizer",
    "get_schedule",
]


def _float(
    name: str, default: float, doc: str, minimum: float = 0, maximum: float | None = None
) -> ParamSpec:
    """A number in [minimum, maximum]."""
    return ParamSpec(name, "float", default, minimum=minimum, maximum=maximum, doc=doc)


def _positive(name: str, default: object, doc: str) -> ParamSpec:
    return ParamSpec(name, "float", default, minimum=0, exclusive_minimum=True, doc=doc)


def _fraction(name: str, default: float, doc: str) -> ParamSpec:
    """A number in [0, 1)."""
    return ParamSpec(name, "float", default, minimum=0, maximum=1, exclusive_maximum=True, doc=doc)


# ------------------------------------------------------------------ optimizers


def _learning_rate(default: float) -> ParamSpec:
    return ParamSpec(
        "learning_rate",
        "float",
        default,
        minimum=0,
        exclusive_minimum=True,
        accepts_schedule=True,
        doc="a positive number or a schedule such as ExponentialDecay(...)",
    )


BETA_1 = _fraction("beta_1", 0.9, "decay of the first-moment estimate")
BETA_2 = _fraction("beta_2", 0.999, "decay of the second-moment estimate")
EPSILON = _positive("epsilon", 1e-7, "added to the denominator for numerical stability")
MOMENTUM = _float("momentum", 0.0, "momentum factor", maximum=1)


def _optimizer(name: str, doc: str, *params: ParamSpec, learning_rate: float = 0.001) -> CallSpec:
    return CallSpec(
        name=name, params=(_learning_rate(learning_rate), *params), positional=("learning_rate",), doc=doc
    )


OPTIMIZERS: dict[str, CallSpec] = {
    spec.name: spec
    for spec in (
        _optimizer(
            "Adam",
            "Adam (Kingma & Ba).",
            BETA_1,
            BETA_2,
            EPSILON,
            ParamSpec("amsgrad", "bool", False, doc="use the AMSGrad variant"),
        ),
        _optimizer(
            "AdamW",
            "Adam with decoupled weight decay.",
            _float("weight_decay", 0.004, "decoupled weight decay"),
            BETA_1,
            BETA_2,
            EPSILON,
        ),
        _optimizer(
            "SGD",
            "Stochastic gradient descent with optional (Nesterov) momentum.",
            MOMENTUM,
            ParamSpec("nesterov", "bool", False, doc="use Nesterov momentum"),
            learning_rate=0.01,
        ),
        _optimizer(
            "RMSprop",
            "RMSprop (Keras semantics: epsilon outside the square root).",
            _fraction("rho", 0.9, "decay of the squared-gradient average"),
            MOMENTUM,
            EPSILON,
        ),
        _optimizer(
            "Adagrad",
            "Adagrad.",
            _float("initial_accumulator_value", 0.1, "starting value of the accumulators"),
            EPSILON,
        ),
        _optimizer("Adamax", "Adamax (Adam with the infinity norm).", BETA_1, BETA_2, EPSILON),
        _optimizer("Nadam", "Adam with Nesterov momentum.", BETA_1, BETA_2, EPSILON),
    )
}


def _lookup(name: str, table: dict[str, CallSpec], what: str) -> CallSpec:
    """Exact name first, then case-insensitive (``"adam"`` is ``Adam``)."""
    spec = table.get(name)
    if spec is not None:
        return spec
    by_lower = {key.lower(): value for key, value in table.items()}
    spec = by_lower.get(name.lower())
    if spec is not None:
        return spec
    # Ranked case-insensitively by edits, then shared start: "Adma" suggests Adam, not Adamax.
    close = closest_names(name, list(table))
    hint = f"did you mean '{table[close[0]].name}'?" if close else unknown_name_hint(name, table, what + "s")
    raise UnknownNameError(f"unknown {what} '{name}'", name, hint)


def get_optimizer(name: str) -> CallSpec:
    """The optimizer called ``name``: ``"Adam"`` or, as in ``optimizer: "adam"``, any case.

    Raises :class:`UnknownNameError` (a ``KeyError``) with "did you mean".
    """
    return _lookup(name, OPTIMIZERS, "optimizer")


# ------------------------------------------------------------------ schedules

INITIAL_LEARNING_RATE = _positive("initial_learning_rate", REQUIRED, "the learning rate at step 0")
DECAY_STEPS = ParamSpec("decay_steps", "int", minimum=1, doc="optimizer steps (batches) per decay period")
DECAY_RATE = _positive("decay_rate", REQUIRED, "the decay factor")
STAIRCASE = ParamSpec("staircase", "bool", False, doc="decay in whole periods (integer division of the step)")


def _schedule(name: str, doc: str, *params: ParamSpec) -> CallSpec:
    all_params = (INITIAL_LEARNING_RATE, DECAY_STEPS, *params)
    return CallSpec(name=name, params=all_params, positional=tuple(p.name for p in all_params), doc=doc)


SCHEDULES: dict[str, CallSpec] = {
    spec.name: spec
    for spec in (
        _schedule(
            "ExponentialDecay",
            "lr = initial * decay_rate ** (step / decay_steps).",
            DECAY_RATE,
            STAIRCASE,
        ),
        _schedule(
            "CosineDecay",
            "Cosine from initial down to initial * alpha over decay_steps, then constant.",
            _float("alpha", 0.0, "the final learning rate as a fraction of the initial one", maximum=1),
        ),
        _schedule(
            "InverseTimeDecay",
            "lr = initial / (1 + decay_rate * step / decay_steps).",
            DECAY_RATE,
            STAIRCASE,
        ),
        _schedule(
            "PolynomialDecay",
            "Polynomial from initial to end_learning_rate over decay_steps.",
            _float("end_learning_rate", 0.0001, "the learning rate reached at decay_steps"),
            _positive("power", 1.0, "the polynomial's power"),
            ParamSpec("cycle", "bool", False, doc="restart the decay after decay_steps"),
        ),
    )
}


def get_schedule(name: str) -> CallSpec:
    """The learning-rate schedule called ``name`` (matched exactly); :class:`UnknownNameError` if unknown."""
    spec = SCHEDULES.get(name)
    if spec is None:
        hint = unknown_name_hint(name, SCHEDULES, "schedules")
        raise UnknownNameError(f"unknown learning-rate schedule '{name}'", name, hint)
    return spec


# ------------------------------------------------------------ losses, metrics

LOSSES: tuple[str, ...] = (
    "sparse_categorical_crossentropy",
    "categorical_crossentropy",
    "binary_crossentropy",
    "mse",
    "mae",
)

#: Keras' long names, accepted and normalized to the canonical ones.
LOSS_ALIASES: dict[str, str] = {"mean_squared_error": "mse", "mean_absolute_error": "mae"}

CROSS_ENTROPY_LOSSES: frozenset[str] = frozenset(loss for loss in LOSSES if loss.endswith("crossentropy"))

METRICS: tuple[str, ...] = ("accuracy",)


def canonical_loss(name: str) -> str | None:
    """The canonical loss for ``name`` (``"mean_squared_error"`` → ``"mse"``), or None if unknown."""
    if name in LOSSES:
        return name
    return LOSS_ALIASES.get(name)


def default_metrics(loss: str) -> tuple[str, ...]:
    """The metrics used when the file has no ``metrics:``: accuracy for cross-entropy losses."""
    return ("accuracy",) if loss in CROSS_ENTROPY_LOSSES else ()


# ---------------------------------------------------------------- train block

#: What ``monitor`` and ``objective`` may name (the metrics reported per epoch).
OBJECTIVES: tuple[str, ...] = ("val_loss", "val_accuracy", "loss", "accuracy")

_TRAIN_DEFAULTS = {f.name: f.default for f in dataclasses.fields(TrainConfig)}


def _train(name: str, kind: str, doc: str, **options: Any) -> ParamSpec:
    """A train key whose default is the :class:`TrainConfig` field's default."""
    return ParamSpec(name, kind, _TRAIN_DEFAULTS[name], doc=doc, **options)


TRAIN_BLOCK = CallSpec(
    name="train",
    params=(
        _train("epochs", "int", "passes over the training data", minimum=1),
        _train("batch_size", "int", "samples per optimizer step", minimum=1),
        _train(
            "validation_split",
            "float",
            "fraction of the data held out for validation",
            minimum=0,
            maximum=1,
            exclusive_maximum=True,
        ),
        _train(
            "search_method",
            "str",
            '"random", "bayesian", "grid" or a search plugin\'s method',
            identifier=True,
        ),
        _train("n_trials", "int", "trials of the search", minimum=1),
        _train("early_stopping", "bool", "stop a run when the monitored metric stops improving"),
        _train("patience", "int", "epochs without improvement before early stopping", minimum=0),
        _train("min_delta", "number", "smallest change that counts as an improvement", minimum=0),
        _train("monitor", "str", "the metric early stopping watches", choices=OBJECTIVES),
        _train(
            "objective",
            "str",
            "the metric the search optimizes (accuracy-like ones maximized)",
            choices=OBJECTIVES,
        ),
        _train(
            "pruner",
            "str",
            "stops unpromising trials early (default: fitted to the budget)",
            choices=("asha", "median", "hyperband", "none"),
        ),
        _train("seed", "int", "the study seed; none for a random one", minimum=0, maximum=MAX_SEED),
        _train("dataset", "str", "mnist5k, digits, npz:PATH, csv:PATH, mnist, fashion_mnist, synthetic, ..."),
        _train(
            "grid_points",
            "int",
            "points per continuous range in grid search",
            minimum=1,
            maximum=MAX_GRID_POINTS,
        ),
        _train(
            "sampler", "str", "the Bayesian sampler", choices=("tpe", "gp", "cmaes", "atpe", "random", "auto")
        ),
        _train(
            "startup_trials",
            "int",
            "random trials before a Bayesian sampler models the results (default: fitted to the budget)",
            minimum=1,
        ),
        _train("divergence_guard", "bool", "stop a trial whose loss is NaN or whose accuracy stays at chance"),
        _train(
            "first_trial",
            "str",
            "nominal: trial 0 is the model neural check shows; random: drawn like the rest "
            "(default: nominal for a Bayesian search)",
            choices=("nominal", "random"),
        ),
        _train(
            "device",
            "device",
            '"auto" (a GPU when the framework sees one, else the CPU), "cpu", "cuda" or "cuda:N"; --device overrides it',
        ),
    ),
    doc="The train { ... } block; keyword entries only.",
)

#: Train-block key → its schema (defaults as in :class:`neural.model.TrainConfig`).
TRAIN_KEYS: dict[str, ParamSpec] = {spec.name: spec for spec in TRAIN_BLOCK.params}
