"""The ``.best.neural`` file: the source with each HPO expression replaced by its chosen value.

Called by the search driver once the best trial is known. Replacement works
on source spans (``Param.span.start``/``end`` cover exactly ``HPO(...)``),
from the last expression to the first so earlier offsets stay valid; every
other character — comments, layout, blank lines — is kept. Values are written
as DSL literals from their validated Python values (``repr`` for numbers,
quoted strings, ``(3, 3)`` tuples, ``true``/``false``/``none``). A ``custom``
whose chosen option is a dict and that stands in a positional argument slot
spreads into keyword arguments in the model, so it is written the same way:
``Conv2D(HPO(custom({...})), activation="relu")`` becomes
``Conv2D(filters=32, kernel_size=3, activation="relu")``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from neural.lang import ir
from neural.space.params import CUSTOM, Param

if TYPE_CHECKING:
    from neural.space.space import SearchSpace


def write_back(source: str, space: SearchSpace, point: dict[str, Any]) -> str:
    """Return ``source`` with every HPO expression of ``space`` replaced by its value in ``point``."""
    positional = _positional_hpo_offsets(source)
    text = source
    for param in sorted(space.params, key=lambda p: p.span.start, reverse=True):
        replacement = render_choice(param, point[param.name], spread=param.span.start in positional)
        text = text[: param.span.start] + replacement + text[param.span.end :]
    return text


def render_choice(param: Param, value: Any, *, spread: bool = False) -> str:
    """The DSL text for ``param`` taking ``value`` (for a custom: the option's name)."""
    if param.kind == CUSTOM:
        option = param.choices[param.labels.index(value)]
        if spread and isinstance(option, dict):
            return ", ".join(f"{key}={render_literal(item)}" for key, item in option.items())
        return render_literal(option)
    return render_literal(value)


def render_literal(value: Any) -> str:
    """``value`` as a DSL literal (the parser reads it back to the same value)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no DSL literal")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        items = [render_literal(item) for item in value]
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(render_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {render_literal(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"{value!r} has no DSL literal")


def _positional_hpo_offsets(source: str) -> set[int]:
    """Start offsets of the HPO expressions that stand in a positional argument slot of a call."""
    from neural.lang.parser import parse

    network = parse(source)
    return {node.span.start for node in _positional_args(network) if isinstance(node, ir.HpoCall)}


def _positional_args(network: ir.Network) -> Iterator[ir.Value]:
    """Every positional argument of every layer and call in the network, nested calls included."""
    roots: list[Any] = list(network.layers or ())
    roots += [network.optimizer, network.loss, network.metrics, network.input_shape]
    roots += [keyword.value for keyword in network.train or ()]
    stack = [node for node in roots if node is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, (ir.Layer, ir.Call)):
            yield from node.args
            stack.extend(node.args)
            stack.extend(keyword.value for keyword in node.kwargs)
        elif isinstance(node, (ir.TupleValue, ir.ListValue)):
            stack.extend(node.items)
        elif isinstance(node, ir.DictValue):
            stack.extend(entry.value for entry in node.entries)
        elif isinstance(node, ir.HpoCall):
            stack.extend(node.args)
            stack.extend(keyword.value for keyword in node.kwargs)
