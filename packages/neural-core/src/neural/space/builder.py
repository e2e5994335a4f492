"""Turning the HPO expressions of a network into named search-space parameters.

The checker walks every argument of a file and hands each value to
:meth:`SpaceBuilder.template`, which returns the value as a template (plain
Python values with an :class:`~neural.lang.values.HpoRef` wherever an HPO
expression stands) and records one :class:`~neural.space.params.Param` per
valid HPO expression, named after where it stands (docs/internals.md,
"Parameter names"):

- ``<layer>_<k>.<param>``: ``conv2d_1.filters``, ``dense_2.units``
  (``k`` counts the statements of that layer type, so the copies of a ``* N``
  layer share one parameter);
- ``optimizer.<param>``, ``optimizer.learning_rate.<schedule param>``,
  ``train.<key>``;
- ``.<index>`` / ``.<key>`` for an HPO inside a tuple, list or dict;
- a ``_2``, ``_3`` suffix when a name is taken already.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from neural.errors import Diagnostic
from neural.lang.hpo import HpoDefinition, define_hpo, named
from neural.lang.ir import Call, DictValue, HpoCall, Layer, ListValue, Literal, TupleValue, Value
from neural.lang.values import HpoRef, NotPlainValue
from neural.naming import snake_case
from neural.space.params import Param


class InvalidValue:
    """Stands in a template where an HPO expression was invalid (an error is already recorded)."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID = InvalidValue()


def layer_instance_names(layers: tuple[Layer, ...]) -> list[str]:
    """``<snake>_<k>`` for each layer statement: ``conv2d_1``, ``dense_1``, ``dense_2``, ..."""
    counts: Counter[str] = Counter()
    names = []
    for layer in layers:
        base = snake_case(layer.name)
        counts[base] += 1
        names.append(f"{base}_{counts[base]}")
    return names


def copy_name(instance: str, copy: int) -> str:
    """The name of copy ``copy`` (0-based) of a repeated layer: ``dense_1``, ``dense_1_2``, ..."""
    return instance if copy == 0 else f"{instance}_{copy + 1}"


class SpaceBuilder:
    """Collects the parameters of one file while the checker builds its templates."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._definitions: dict[str, HpoDefinition] = {}

    @property
    def params(self) -> tuple[Param, ...]:
        """The parameters found so far, in source order."""
        ordered = sorted(self._definitions.values(), key=lambda d: d.param.span.start)
        return tuple(definition.param for definition in ordered)

    def definition(self, name: str) -> HpoDefinition:
        """The definition of parameter ``name`` (its options, for schema checks)."""
        return self._definitions[name]

    def template(self, node: Value, name: str) -> Any:
        """The template of ``node`` standing at ``name``; raises NotPlainValue for a call inside.

        Every HPO expression inside becomes an :class:`HpoRef` to a new parameter
        (or :data:`INVALID` when the expression is wrong; its errors go to
        :attr:`diagnostics`).
        """
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, TupleValue):
            return tuple(self.template(item, f"{name}.{i}") for i, item in enumerate(node.items))
        if isinstance(node, ListValue):
            return [self.template(item, f"{name}.{i}") for i, item in enumerate(node.items)]
        if isinstance(node, DictValue):
            return {entry.key: self.template(entry.value, f"{name}.{entry.key}") for entry in node.entries}
        if isinstance(node, HpoCall):
            return self.add(node, name)
        if isinstance(node, Call):
            raise NotPlainValue(node)
        raise TypeError(f"not an IR value: {node!r}")

    def add(self, call: HpoCall, name: str) -> HpoRef | InvalidValue:
        """Validate one HPO expression and record it under a unique version of ``name``."""
        definition, diagnostics = define_hpo(call)
        self.diagnostics.extend(diagnostics)
        if definition is None:
            return INVALID
        unique = self._unique(name)
        self._definitions[unique] = named(definition, unique)
        return HpoRef(unique, call.span)

    def _unique(self, name: str) -> str:
        if name not in self._definitions:
            return name
        suffix = 2
        while f"{name}_{suffix}" in self._definitions:
            suffix += 1
        return f"{name}_{suffix}"


def contains_invalid(template: Any) -> bool:
    """Whether a template holds an invalid HPO expression (skip schema checks on it)."""
    if template is INVALID:
        return True
    if isinstance(template, (tuple, list)):
        return any(contains_invalid(item) for item in template)
    if isinstance(template, dict):
        return any(contains_invalid(item) for item in template.values())
    return False


__all__ = ["INVALID", "SpaceBuilder", "contains_invalid", "copy_name", "layer_instance_names"]
