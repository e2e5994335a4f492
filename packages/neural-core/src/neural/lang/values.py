"""Evaluating IR values: plain Python values, HPO placeholders, labels.

The checker turns every argument of a ``.neural`` file into a *template*: the
plain Python value it stands for (``64``, ``"same"``, ``(3, 3)``), where each
``HPO(...)`` expression is replaced by an :class:`HpoRef` naming its search-space
parameter. Binding a point of the search space is then :func:`substitute`:
each ref is replaced by the point's value. Templates hold no IR nodes, so they
pickle cheaply into worker processes and binding never walks the syntax tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neural.errors import NO_SPAN, Span, span_field
from neural.lang.ir import Call, DictValue, HpoCall, ListValue, Literal, TupleValue, Value
from neural.layers.schema import format_value


@dataclass(frozen=True)
class HpoRef:
    """The place of one HPO expression inside a template value; ``name`` is its parameter."""

    name: str
    span: Span = span_field()


@dataclass(frozen=True)
class CallTemplate:
    """One checked call — a layer statement, the optimizer or a schedule — as a template.

    ``kind`` is the catalogue name (``Conv2D``, ``Adam``, ``ExponentialDecay``);
    ``name`` the instance name (``conv2d_1``, ``optimizer``,
    ``optimizer.learning_rate``). ``arguments`` maps parameter names to template
    values in source order (an optimizer's schedule is a nested CallTemplate).
    ``spread`` is a positional ``custom`` whose dict options spread into
    keyword arguments; it stands in the slot of parameter ``spread_slot``.
    """

    kind: str
    name: str
    arguments: tuple[tuple[str, Any], ...] = ()
    spread: HpoRef | None = None
    spread_slot: str = ""
    repeat: int = 1
    span: Span = span_field()
    name_span: Span = span_field()

    def values(self, hpo_values: Mapping[str, Any]) -> dict[str, Any]:
        """The call's arguments at a point: refs substituted, a spread option merged in."""
        result = {name: substitute(value, hpo_values) for name, value in self.arguments}
        if self.spread is not None:
            chosen = hpo_values[self.spread.name]
            if isinstance(chosen, dict):
                result.update(chosen)
            else:
                result[self.spread_slot] = chosen
        return result

    def hpo_names(self) -> list[str]:
        """The parameters this call depends on, in argument order."""
        names = [ref.name for _, value in self.arguments for ref in refs_in(value)]
        return names + ([self.spread.name] if self.spread is not None else [])


@dataclass(frozen=True)
class ModelTemplate:
    """A checked network whose HPO expressions are still open (see :class:`CallTemplate`).

    ``train`` maps train keys to template values; ``loss`` and ``metrics`` are canonical names.
    """

    name: str
    input_shape: tuple[int, ...]
    layers: tuple[CallTemplate, ...]
    optimizer: CallTemplate
    loss: str
    metrics: tuple[str, ...]
    train: tuple[tuple[str, Any], ...] = ()


class NotPlainValue(Exception):
    """Raised by :func:`plain_value` when a value holds a call or an HPO expression.

    ``node`` is the offending call or HPO node, for a located error.
    """

    def __init__(self, node: Call | HpoCall) -> None:
        super().__init__(type(node).__name__)
        self.node = node


def plain_value(node: Value) -> Any:
    """The Python value of an IR value that holds no call and no HPO expression.

    Tuples stay tuples, lists become lists, dicts dicts (keys in source order).
    Raises :class:`NotPlainValue` at the first call or HPO expression inside.
    """
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, TupleValue):
        return tuple(plain_value(item) for item in node.items)
    if isinstance(node, ListValue):
        return [plain_value(item) for item in node.items]
    if isinstance(node, DictValue):
        return {entry.key: plain_value(entry.value) for entry in node.entries}
    if isinstance(node, (Call, HpoCall)):
        raise NotPlainValue(node)
    raise TypeError(f"not an IR value: {node!r}")


def iter_hpo_calls(node: Value) -> list[HpoCall]:
    """Every HPO expression directly inside ``node`` (not inside another HPO), in source order."""
    found: list[HpoCall] = []
    _collect_hpo(node, found)
    return found


def _collect_hpo(node: Value, found: list[HpoCall]) -> None:
    if isinstance(node, HpoCall):
        found.append(node)
    elif isinstance(node, (TupleValue, ListValue)):
        for item in node.items:
            _collect_hpo(item, found)
    elif isinstance(node, DictValue):
        for entry in node.entries:
            _collect_hpo(entry.value, found)
    elif isinstance(node, Call):
        for arg in node.args:
            _collect_hpo(arg, found)
        for keyword in node.kwargs:
            _collect_hpo(keyword.value, found)


def substitute(template: Any, values: Mapping[str, Any]) -> Any:
    """The template with every :class:`HpoRef` replaced by ``values[ref.name]``."""
    if isinstance(template, HpoRef):
        return values[template.name]
    if isinstance(template, tuple):
        return tuple(substitute(item, values) for item in template)
    if isinstance(template, list):
        return [substitute(item, values) for item in template]
    if isinstance(template, dict):
        return {key: substitute(item, values) for key, item in template.items()}
    return template


def refs_in(template: Any) -> list[HpoRef]:
    """Every :class:`HpoRef` in a template value, in order."""
    if isinstance(template, HpoRef):
        return [template]
    if isinstance(template, (tuple, list)):
        return [ref for item in template for ref in refs_in(item)]
    if isinstance(template, dict):
        return [ref for item in template.values() for ref in refs_in(item)]
    if isinstance(template, CallTemplate):
        return [ref for name in template.hpo_names() for ref in [HpoRef(name)]]
    return []


def value_kind(value: Any) -> str:
    """The kind of a choice option: ``number``, ``string``, ``bool``, ``tuple``, ``none`` (or another)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, tuple):
        return "tuple"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def value_label(value: Any) -> str:
    """A stable, readable text for a value: ``64``, ``same``, ``(3, 3)``, ``true``, ``none``.

    Used for choice labels and for values quoted in messages.
    """
    if isinstance(value, str):
        return value
    return format_value(value)


def is_number(value: Any) -> bool:
    """True for ints and floats, False for booleans and everything else."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def span_of(node: Any) -> Span:
    """The span of an IR node (``NO_SPAN`` for anything without one)."""
    return getattr(node, "span", NO_SPAN)


def located(*spans: Span) -> Span:
    """The first of ``spans`` that has a source location (hand-built IR has none)."""
    for span in spans:
        if span.line > 0:
            return span
    return spans[-1] if spans else NO_SPAN


__all__ = [
    "CallTemplate",
    "HpoRef",
    "ModelTemplate",
    "NotPlainValue",
    "format_value",
    "is_number",
    "iter_hpo_calls",
    "located",
    "plain_value",
    "refs_in",
    "span_of",
    "substitute",
    "value_kind",
    "value_label",
]
