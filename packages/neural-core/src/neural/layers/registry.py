"""The layer registry: every layer the language knows, with its schema and shape rule.

A :class:`LayerSpec` is a :class:`~neural.layers.schema.CallSpec` (parameters,
positional order, :meth:`normalize`) plus a shape rule and a parameter count.
The built-in layers live in :mod:`neural.layers.catalogue`, loaded on the
first lookup; :func:`register_layer` adds one more.

Typical use (the checker, for one layer statement)::

    spec = get_layer("Conv2D")                   # UnknownNameError if unknown
    params = spec.normalize({"filters": 16, "kernel_size": 3})
    shape = spec.output_shape((28, 28, 3), params)   # (26, 26, 16)
    count = spec.param_count((28, 28, 3), params)    # 448
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neural.errors import unknown_name_hint
from neural.layers.schema import (
    ACTIVATIONS,
    REQUIRED,
    CallSpec,
    ParamError,
    ParamSpec,
    ShapeError,
    UnknownNameError,
    format_value,
)
from neural.model import Shape
from neural.naming import snake_case

__all__ = [
    "ACTIVATIONS",
    "REQUIRED",
    "CallSpec",
    "LayerSpec",
    "ParamError",
    "ParamSpec",
    "ShapeError",
    "UnknownNameError",
    "format_value",
    "get_layer",
    "has_layer",
    "layer_names",
    "register_layer",
]

ShapeRule = Callable[[Shape, dict[str, Any]], Shape]
"""``(input_shape, normalized params) -> output_shape``; raises :class:`ShapeError`."""

CountRule = Callable[[Shape, dict[str, Any]], int]
"""``(input_shape, normalized params) -> number of weights`` as Keras counts them."""


def same_shape(input_shape: Shape, params: dict[str, Any]) -> Shape:
    """The shape rule of layers that keep their input's shape (Dropout, Activation)."""
    return tuple(input_shape)


def no_weights(input_shape: Shape, params: dict[str, Any]) -> int:
    """The parameter count of layers without weights."""
    return 0


@dataclass(frozen=True)
class LayerSpec(CallSpec):
    """One layer: its parameters, positional order, shape rule and weight count.

    ``shape_rule`` and ``count_rule`` receive normalized parameters (the
    result of :meth:`normalize`).
    """

    shape_rule: ShapeRule = field(default=same_shape, compare=False, repr=False)
    count_rule: CountRule = field(default=no_weights, compare=False, repr=False)

    @property
    def snake_name(self) -> str:
        """The registry name in snake case, the stem of instance names (``conv2d``, ``max_pooling2d``)."""
        return snake_case(self.name)

    def _normalized(self, params: dict[str, Any]) -> dict[str, Any]:
        # Normalized dicts hold every schema key; anything less came in raw.
        if len(params) == len(self.params) and all(name in params for name in self.names):
            return params
        return self.normalize(params)

    def output_shape(self, input_shape: Shape, params: dict[str, Any]) -> Shape:
        """The output shape (batch excluded) for ``input_shape``; raises :class:`ShapeError`."""
        return tuple(self.shape_rule(tuple(input_shape), self._normalized(params)))

    def param_count(self, input_shape: Shape, params: dict[str, Any]) -> int:
        """The number of weights (trainable + non-trainable), as Keras' ``count_params()``."""
        return int(self.count_rule(tuple(input_shape), self._normalized(params)))


_LAYERS: dict[str, LayerSpec] = {}
_catalogue_loaded = False


def _ensure_catalogue() -> None:
    global _catalogue_loaded
    if not _catalogue_loaded:
        import neural.layers.catalogue  # noqa: F401  (registers the built-in layers on import)

        _catalogue_loaded = True


def register_layer(spec: LayerSpec) -> LayerSpec:
    """Add a layer to the registry and return it; a name already taken is a ``ValueError``."""
    if spec.name in _LAYERS:
        raise ValueError(f"layer {spec.name!r} is already registered")
    _LAYERS[spec.name] = spec
    return spec


def get_layer(name: str) -> LayerSpec:
    """The layer called ``name`` (matched exactly).

    Raises :class:`UnknownNameError` (a ``KeyError``) with a "did you mean"
    hint when there is no such layer.
    """
    _ensure_catalogue()
    try:
        return _LAYERS[name]
    except KeyError:
        hint = unknown_name_hint(name, _LAYERS, "layers")
        raise UnknownNameError(f"unknown layer '{name}'", name, hint) from None


def has_layer(name: str) -> bool:
    """Whether a layer called ``name`` is registered."""
    _ensure_catalogue()
    return name in _LAYERS


def layer_names() -> tuple[str, ...]:
    """Every registered layer name, in registration order."""
    _ensure_catalogue()
    return tuple(_LAYERS)
