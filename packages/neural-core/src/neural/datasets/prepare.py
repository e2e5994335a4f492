"""From a data spec to the arrays a backend trains on.

Called by ``neural run`` and by every HPO trial (through the trial runner)
before :meth:`neural.backends.base.Backend.train`::

    data = prepare_data("mnist5k", (28, 28, 1), validation_split=0.2, seed=0)

Steps: look the dataset up by name (plugins included), load it, check it
(label range, one label per sample, no NaN), fit it to the model's declared
input (:mod:`neural.datasets.adapt`), shuffle it with the seed and split off
the validation part.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from neural.backends.base import TrainData
from neural.datasets.adapt import fit_to_input_shape
from neural.datasets.base import DataBundle, Dataset
from neural.datasets.cache import default_cache_dir
from neural.datasets.synthetic import SyntheticDataset
from neural.errors import NeuralError

CLASSIFICATION_LOSSES = frozenset(
    {"sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy"}
)


class DataSpec(NamedTuple):
    """A parsed ``--data`` value: ``name`` and the text after the first colon (or None)."""

    name: str
    argument: str | None


def parse_data_spec(spec: str) -> DataSpec:
    """Split ``NAME`` or ``NAME:ARGUMENT`` (``npz:data/train.npz``) at the first colon.

    Raises NeuralError for an empty name or an empty argument after a colon.
    """
    text = spec.strip()
    name, colon, argument = text.partition(":")
    name = name.strip()
    if not name:
        raise NeuralError(
            f"the data spec {spec!r} has no dataset name: use NAME or NAME:ARGUMENT, e.g. mnist5k or npz:data.npz"
        )
    if colon and not argument.strip():
        raise NeuralError(
            f"the data spec {spec!r} has nothing after the colon: "
            f"write {name}:ARGUMENT (e.g. npz:data.npz), or {name} alone for a dataset that takes no argument"
        )
    return DataSpec(name, argument.strip() if colon else None)


def reject_argument(dataset_name: str, argument: str | None) -> None:
    """Raise NeuralError when a dataset that takes no argument was given one (``mnist5k:x``).

    Called at the top of ``load`` by datasets without arguments.
    """
    if argument is not None:
        raise NeuralError(
            f"the {dataset_name} dataset takes no argument, got {dataset_name}:{argument}: write just {dataset_name}"
        )


def prepare_data(
    spec: str,
    input_shape: tuple[int, ...],
    *,
    validation_split: float,
    seed: int,
    loss: str = "sparse_categorical_crossentropy",
    num_classes: int | None = None,
    cache_dir: Path | None = None,
    int_inputs_below: int | None = None,
) -> TrainData:
    """Load the dataset named by ``spec`` and return it fitted, shuffled and split.

    ``input_shape`` is the model's declared input (no batch axis, channels-last).
    ``validation_split`` (0 ≤ s < 1) is the fraction put last, after a
    ``numpy.random.default_rng(seed)`` permutation, as validation data.
    ``num_classes`` is the model's output width: with a cross-entropy ``loss``
    every label must be below it (a single-output ``binary_crossentropy`` needs
    labels 0 and 1), and ``synthetic`` without a class count makes that many
    classes. ``int_inputs_below=n`` is for models whose first layer is
    an ``Embedding(input_dim=n)``: integer-valued data is checked to lie in
    ``[0, n)``, data in ``[0, 1]`` (``synthetic``, images) is mapped to ids
    ``floor(x * n)``; the ids are returned as float32 and the backend casts them.

    Returns :class:`~neural.backends.base.TrainData` with float32 ``x_*``
    shaped ``(N, *input_shape)``, int64 labels (float32 targets for ``mse``/``mae``)
    and notes saying what was done to fit the data. Raises NeuralError for
    any problem with the spec, the data, or its fit to the model.
    """
    if not 0.0 <= validation_split < 1.0:
        raise NeuralError(
            f"validation_split must be at least 0 and below 1, got {validation_split}: use e.g. 0.2"
        )
    parsed = parse_data_spec(spec)
    dataset = _find_dataset(parsed.name)
    if dataset.needs_argument and parsed.argument is None:
        summary = f" ({dataset.summary})" if dataset.summary else ""
        raise NeuralError(
            f"the {parsed.name} dataset needs an argument after a colon{summary}: write {parsed.name}:ARGUMENT"
        )
    if isinstance(dataset, SyntheticDataset) and num_classes is not None and loss in CLASSIFICATION_LOSSES:
        dataset = SyntheticDataset(default_classes=max(num_classes, 2))
    label = f"the {_display(parsed)} data"
    bundle = dataset.load(
        parsed.argument, cache_dir=cache_dir or default_cache_dir(), input_shape=tuple(input_shape)
    )
    notes = list(bundle.notes)
    x = _checked_inputs(bundle, label)
    y = _checked_targets(bundle, label, loss, num_classes, parsed, notes)
    x, fit_notes = fit_to_input_shape(x, tuple(input_shape), source=label)
    notes.extend(fit_notes)
    if int_inputs_below is not None:
        x = _as_integer_ids(x, int_inputs_below, label, notes)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    train_count = _train_count(len(x), validation_split, label)
    classes = num_classes if num_classes is not None else bundle.num_classes
    return TrainData(
        x_train=np.ascontiguousarray(x[:train_count], dtype=np.float32),
        y_train=y[:train_count],
        x_val=np.ascontiguousarray(x[train_count:], dtype=np.float32),
        y_val=y[train_count:],
        num_classes=int(classes),
        name=_display(parsed),
        notes=notes,
    )


def _find_dataset(name: str) -> Dataset:
    """The installed dataset called ``name`` (built-in or from a plugin); NeuralError with
    "did you mean" and the installed names when there is none."""
    from neural.plugins.manager import get_dataset

    return get_dataset(name)


def _display(spec: DataSpec) -> str:
    return spec.name if spec.argument is None else f"{spec.name}:{spec.argument}"


def _checked_inputs(bundle: DataBundle, label: str) -> np.ndarray:
    """``bundle.x`` as float32 after checking it has samples, a sample shape, and finite values."""
    x = np.asarray(bundle.x)
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise NeuralError(
            f"{label} has inputs of type {x.dtype}, not numbers: store the inputs as a numeric array"
        )
    if x.ndim == 0 or len(x) == 0:
        raise NeuralError(f"{label} has no samples (inputs of shape {x.shape}): give at least one sample")
    if x.ndim < 2:
        raise NeuralError(
            f"{label} has inputs of shape {x.shape}, a single number per sample: "
            "store one row per sample, shaped (samples, features...), e.g. x.reshape(len(x), -1)"
        )
    x = x.astype(np.float32, copy=False)
    bad = np.count_nonzero(~np.isfinite(x))
    if bad:
        raise NeuralError(
            f"{label} has {bad} NaN or infinite input value(s): remove or fill them before training"
        )
    return x


def _checked_targets(
    bundle: DataBundle, label: str, loss: str, num_classes: int | None, spec: DataSpec, notes: list[str]
) -> np.ndarray:
    """The labels as int64 class ids (float32 targets for regression losses), checked against the model."""
    y = np.asarray(bundle.y)
    count = len(bundle.x)
    if y.ndim == 0 or len(y) != count:
        raise NeuralError(
            f"{label} has {count} inputs but {y.size if y.ndim == 0 else len(y)} labels: give one label per sample"
        )
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
        raise NeuralError(
            f"{label} has labels of type {y.dtype}, not numbers: store class ids 0, 1, 2, ... as integers"
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if loss not in CLASSIFICATION_LOSSES:
        targets = y.astype(np.float32)
        if not np.all(np.isfinite(targets)):
            raise NeuralError(f"{label} has NaN or infinite targets: remove or fill them before training")
        return targets
    if y.ndim == 2 and _is_one_hot(y):
        notes.append("converted one-hot labels to class ids")
        y = np.argmax(y, axis=1)
    if y.ndim != 1:
        raise NeuralError(
            f"{label} has labels of shape {y.shape[1:]} per sample; {loss} needs one class id per sample"
        )
    as_float = y.astype(np.float64)
    if not np.all(np.isfinite(as_float)):
        raise NeuralError(f"{label} has NaN or infinite labels: remove or fill them before training")
    if np.any(as_float != np.round(as_float)):
        raise NeuralError(
            f"{label} has non-integer labels (e.g. {as_float[as_float != np.round(as_float)][0]}); {loss} needs class ids 0, 1, 2, ...: use loss mse or mae for real-valued targets"
        )
    labels = as_float.astype(np.int64)
    low, high = int(labels.min()), int(labels.max())
    if low < 0:
        raise NeuralError(f"{label} has a negative label ({low}): class ids must be 0, 1, 2, ...")
    if num_classes is not None:
        _check_label_range(high, num_classes, loss, label, spec)
    return labels


def _check_label_range(high: int, num_classes: int, loss: str, label: str, spec: DataSpec) -> None:
    """Raise NeuralError when the labels do not fit the model's ``num_classes`` outputs."""
    synthetic_hint = f" (or write synthetic:N,{max(num_classes, 2)})" if spec.name == "synthetic" else ""
    if loss == "binary_crossentropy" and num_classes == 1:
        if high > 1:
            raise NeuralError(
                f"{label} has labels up to {high}, but binary_crossentropy with one output needs labels 0 and 1: "
                f'use Output({high + 1}, "softmax") with sparse_categorical_crossentropy{synthetic_hint}'
            )
        return
    if high >= num_classes:
        raise NeuralError(
            f"{label} has labels up to {high}, but the model's output has {num_classes} unit(s): "
            f"make the last layer Output({high + 1}, ...) or use data with labels below {num_classes}{synthetic_hint}"
        )


def _is_one_hot(y: np.ndarray) -> bool:
    return bool(np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1))


def _as_integer_ids(x: np.ndarray, below: int, label: str, notes: list[str]) -> np.ndarray:
    """Integer token ids in ``[0, below)`` for an Embedding first layer (see :func:`prepare_data`)."""
    if below < 1:
        raise NeuralError(f"int_inputs_below must be at least 1, got {below}")
    if np.all(x == np.floor(x)):
        low, high = int(x.min()), int(x.max())
        if low < 0 or high >= below:
            raise NeuralError(
                f"{label} has integer inputs from {low} to {high}, but the first layer takes ids 0 to {below - 1}: "
                f"raise the Embedding's input_dim to {high + 1} or remap the ids"
            )
        return x
    if x.min() >= 0.0 and x.max() <= 1.0:
        notes.append(f"mapped values in [0, 1] to integer ids below {below}")
        return np.minimum(np.floor(x * below), below - 1).astype(np.float32)
    raise NeuralError(
        f"{label} has real-valued inputs (from {x.min():g} to {x.max():g}), but the first layer (an Embedding) "
        f"takes integer ids below {below}: store the inputs as integer ids"
    )


def _train_count(total: int, validation_split: float, label: str) -> int:
    """How many of ``total`` shuffled samples train; the rest validate (at least one when split > 0)."""
    validation = round(total * validation_split)
    if validation_split > 0:
        validation = max(validation, 1)
    if total - validation < 1:
        raise NeuralError(
            f"{label} has {total} sample(s), too few to keep {validation_split:g} for validation: "
            f"use more data or a smaller validation_split"
        )
    return total - validation
