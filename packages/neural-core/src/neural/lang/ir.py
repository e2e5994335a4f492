"""The syntax-level IR: what a ``.neural`` file says, as frozen dataclasses.

The parser (``neural.lang.parser``) builds these nodes from the lark parse tree.
Every node carries the :class:`~neural.errors.Span` it came from; spans are
excluded from equality, so two parses of differently formatted but equal
programs compare equal. Nothing here is validated yet: names, types and ranges
are checked later (``neural.lang.checker``), which turns a :class:`Network` plus
a point of the search space into a :class:`neural.model.ConcreteModel`.

The IR round-trips to JSON with :func:`to_json_data` / :func:`from_json_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neural.errors import NO_SPAN, Span, span_field

Scalar = int | float | str | bool | None


@dataclass(frozen=True)
class Literal:
    """A number, string, boolean or ``none``."""

    value: Scalar
    span: Span = span_field()


@dataclass(frozen=True)
class TupleValue:
    """``(a, b, ...)``; a 1-tuple is written ``(a,)``."""

    items: tuple[Value, ...]
    span: Span = span_field()


@dataclass(frozen=True)
class ListValue:
    """``[a, b, ...]``."""

    items: tuple[Value, ...]
    span: Span = span_field()


@dataclass(frozen=True)
class DictEntry:
    """One ``"key": value`` pair of a dict; keys are strings."""

    key: str
    value: Value
    span: Span = span_field()


@dataclass(frozen=True)
class DictValue:
    """``{"k": v, ...}`` with entries in source order."""

    entries: tuple[DictEntry, ...]
    span: Span = span_field()


@dataclass(frozen=True)
class Keyword:
    """``name=value`` inside a call, or ``name: value`` in the train block."""

    name: str
    value: Value
    span: Span = span_field()
    name_span: Span = span_field()


@dataclass(frozen=True)
class Call:
    """``Name(args..., key=value...)``: an optimizer, a schedule, a loss object."""

    name: str
    args: tuple[Value, ...]
    kwargs: tuple[Keyword, ...]
    span: Span = span_field()
    name_span: Span = span_field()


@dataclass(frozen=True)
class HpoCall:
    """``HPO(function(args..., key=value...))``, not yet validated.

    ``function`` is what the user wrote (``choice``, ``range``, ``log_range``,
    ``custom`` or anything else: the checker reports unknown ones). ``span``
    covers the whole ``HPO(...)`` expression: it is what the ``.best.neural``
    write-back replaces.
    """

    function: str
    args: tuple[Value, ...]
    kwargs: tuple[Keyword, ...]
    span: Span = span_field()
    function_span: Span = span_field()


Value = Literal | TupleValue | ListValue | DictValue | Call | HpoCall


@dataclass(frozen=True)
class Layer:
    """One layer statement; ``repeat`` is N of ``Layer(...) * N`` (1 when absent)."""

    name: str
    args: tuple[Value, ...]
    kwargs: tuple[Keyword, ...]
    repeat: int = 1
    span: Span = span_field()
    name_span: Span = span_field()
    repeat_span: Span = span_field()


@dataclass(frozen=True)
class Section:
    """Where a section starts, to locate "duplicate section" and similar errors."""

    name: str
    span: Span = span_field()


@dataclass(frozen=True)
class Network:
    """One ``network NAME { ... }``.

    Absent sections are None. ``optimizer`` is a :class:`Call` (``Adam(...)``)
    or a string :class:`Literal` (``"adam"``); ``loss`` is usually a string
    literal; ``metrics`` a list. ``train`` holds the train block's entries in
    source order. ``sections`` records every section header as written,
    including duplicates, so the checker can report them.
    """

    name: str
    input_shape: Value | None = None
    layers: tuple[Layer, ...] | None = None
    optimizer: Value | None = None
    loss: Value | None = None
    metrics: Value | None = None
    train: tuple[Keyword, ...] | None = None
    sections: tuple[Section, ...] = ()
    span: Span = span_field()
    name_span: Span = span_field()


# --------------------------------------------------------------------------- JSON

_NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Literal,
        TupleValue,
        ListValue,
        DictEntry,
        DictValue,
        Keyword,
        Call,
        HpoCall,
        Layer,
        Section,
        Network,
    )
}


def to_json_data(node: Any) -> Any:
    """Convert an IR node (or a tuple of them) to JSON-compatible data, spans included."""
    if isinstance(node, Span):
        return node.to_dict()
    if isinstance(node, tuple):
        return [to_json_data(item) for item in node]
    if type(node).__name__ in _NODE_TYPES and hasattr(node, "__dataclass_fields__"):
        data: dict[str, Any] = {"node": type(node).__name__}
        for name in node.__dataclass_fields__:
            data[name] = to_json_data(getattr(node, name))
        return data
    return node


def from_json_data(data: Any) -> Any:
    """Inverse of :func:`to_json_data`: rebuild IR nodes, spans included."""
    if isinstance(data, list):
        return tuple(from_json_data(item) for item in data)
    if isinstance(data, dict):
        if "node" in data:
            cls = _NODE_TYPES[data["node"]]
            kwargs = {k: from_json_data(v) for k, v in data.items() if k != "node"}
            for key, value in list(kwargs.items()):
                if key.endswith("span") and isinstance(value, dict):
                    kwargs[key] = Span.from_dict(value)
            return cls(**kwargs)
        if set(data) == {"line", "column", "end_line", "end_column", "start", "end"}:
            return Span.from_dict(data)
    return data


__all__ = [
    "NO_SPAN",
    "Call",
    "DictEntry",
    "DictValue",
    "HpoCall",
    "Keyword",
    "Layer",
    "ListValue",
    "Literal",
    "Network",
    "Scalar",
    "Section",
    "TupleValue",
    "Value",
    "from_json_data",
    "to_json_data",
]
