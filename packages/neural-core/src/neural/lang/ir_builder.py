"""Building IR nodes from grammar rules, while the parser runs (DESIGN.md §1).

:class:`IrBuilder` has one method per rule of ``grammar.lark``: lark wraps each
in its child filter, and :mod:`neural.lang.lalr` calls it when the rule is
reduced, bottom-up, so no parse tree is built. Each method maps its children
(tokens, and what its sub-rules returned) onto one frozen dataclass of
:mod:`neural.lang.ir`, with the span from its first to its last token. Mistakes
lark cannot see (a positional argument after a keyword one, a duplicate
section, a bad repeat count) raise :class:`SyntaxProblem` with a located
diagnostic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from neural.errors import Diagnostic, Span
from neural.lang import ir
from neural.lang.syntax_errors import SyntaxProblem
from neural.limits import MAX_INTEGER, MAX_REPEAT

if TYPE_CHECKING:
    from neural.lang.lexer import SourceToken

#: The children lark hands to an IrBuilder method.
Children = list[Any]
#: What a section rule hands to ``network``: the header, the Network field, its value.
SectionPart = tuple[ir.Section, str, Any]

_set_attribute = object.__setattr__
_new_object = object.__new__


def _make_span(line: int, column: int, end_line: int, end_column: int, start: int, end: int) -> Span:
    """``Span(...)`` without the frozen-dataclass ``__init__``, which costs ~4x more.

    The builder makes two spans per token or so; on a 10,000-layer file this
    alone is a fifth of the parse time.
    """
    span: Span = _new_object(Span)
    _set_attribute(
        span,
        "__dict__",
        {
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "start": start,
            "end": end,
        },
    )
    return span


if "__slots__" in vars(Span):  # pragma: no cover - a slotted Span has no __dict__ to fill
    _make_span = Span


def _token_span(token: SourceToken) -> Span:
    return _make_span(
        token.line, token.column, token.end_line, token.end_column, token.start_pos, token.end_pos
    )


def _span(first: Any, last: Any) -> Span:
    """The span from the start of ``first`` to the end of ``last``, each a token or an IR node."""
    start = getattr(first, "span", None)
    end = getattr(last, "span", None)
    if start is None:
        line, column, offset = first.line, first.column, first.start_pos
    else:
        line, column, offset = start.line, start.column, start.start
    if end is None:
        return _make_span(line, column, last.end_line, last.end_column, offset, last.end_pos)
    return _make_span(line, column, end.end_line, end.end_column, offset, end.end)


def _problem(message: str, span: Span, hint: str) -> SyntaxProblem:
    return SyntaxProblem(Diagnostic(message, span, hint=hint))


def _first_seen(span: Span) -> str:
    return f"line {span.line}, column {span.column}"


def _reject_duplicates(named: Iterable[tuple[str, Span]], what: str) -> None:
    """Raise at the second of two equal names (keyword arguments, train keys, dict keys)."""
    seen: dict[str, Span] = {}
    for name, span in named:
        if name in seen:
            raise _problem(
                f"{what} '{name}' is given twice",
                span,
                hint=f"it is first given at {_first_seen(seen[name])}; keep one of them",
            )
        seen[name] = span


def _split_arguments(children: Children) -> tuple[tuple[ir.Value, ...], tuple[ir.Keyword, ...]]:
    """Positional values and keyword arguments of ``NAME ( arguments? )``, positional ones first."""
    if len(children) < 4:  # no arguments
        return (), ()
    items: list[Any] = children[-2]
    kwargs = [item for item in items if type(item) is ir.Keyword]
    if not kwargs:
        return tuple(items), ()
    first_keyword = items.index(kwargs[0])
    for item in items[first_keyword:]:
        if type(item) is not ir.Keyword:
            raise _problem(
                "positional argument after a keyword argument",
                item.span,
                hint=f"move it before '{kwargs[0].name}=', or name it: name=value",
            )
    if len(kwargs) > 1:
        _reject_duplicates(((keyword.name, keyword.name_span) for keyword in kwargs), "keyword argument")
    return tuple(items[:first_keyword]), tuple(kwargs)


_SECTION_FIELDS = {
    "input": "input_shape",
    "layers": "layers",
    "optimizer": "optimizer",
    "loss": "loss",
    "metrics": "metrics",
    "train": "train",
}


class IrBuilder:
    """Builds IR nodes while lark parses: one method per grammar rule, one per literal terminal.

    lark calls a rule's method with the rule's children (tokens and what the
    methods of its sub-rules returned; ``_``-prefixed terminals are dropped)
    when it reduces that rule, and a terminal's method when it shifts that
    token. Each returns the IR node for it (a list for the list rules, a
    :data:`SectionPart` for a section).
    """

    # ---- literals: called as each token is shifted

    def NUMBER(self, token: SourceToken) -> ir.Literal:  # lark names callbacks after terminals
        return ir.Literal(number_value(token.value, _token_span(token)), _token_span(token))

    def STRING(self, token: SourceToken) -> ir.Literal:
        return ir.Literal(decode_string(token.value), _token_span(token))

    def TRUE(self, token: SourceToken) -> ir.Literal:
        return ir.Literal(True, _token_span(token))

    def FALSE(self, token: SourceToken) -> ir.Literal:
        return ir.Literal(False, _token_span(token))

    def NONE(self, token: SourceToken) -> ir.Literal:
        return ir.Literal(None, _token_span(token))

    TRUE_TITLE = TRUE
    FALSE_TITLE = FALSE
    NONE_TITLE = NONE

    # ---- lists (left-recursive rules): the first item starts a list, each later one is appended

    def _append(self, children: Children) -> list[Any]:
        if len(children) == 1:
            return [children[0]]
        items: list[Any] = children[0]
        items.append(children[-1])
        return items

    arguments = items = dict_entries = layers = train_entries = _append

    # ---- values

    def tuple(self, children: Children) -> ir.TupleValue:
        values = tuple(children[1]) if len(children) == 3 else ()
        return ir.TupleValue(values, _span(children[0], children[-1]))

    def list(self, children: Children) -> ir.ListValue:
        values = tuple(children[1]) if len(children) == 3 else ()
        return ir.ListValue(values, _span(children[0], children[-1]))

    def dict(self, children: Children) -> ir.DictValue:
        entries: tuple[ir.DictEntry, ...] = tuple(children[1]) if len(children) == 3 else ()
        if len(entries) > 1:
            _reject_duplicates(((entry.key, entry.span) for entry in entries), "dict key")
        return ir.DictValue(entries, _span(children[0], children[-1]))

    def dict_entry(self, children: Children) -> ir.DictEntry:
        key, value = children
        return ir.DictEntry(key.value, value, _span(key, value))

    def keyword(self, children: Children) -> ir.Keyword:
        name, value = children
        return ir.Keyword(name.value, value, _span(name, value), _token_span(name))

    def call(self, children: Children) -> ir.Call:
        name = children[0]
        args, kwargs = _split_arguments(children)
        return ir.Call(name.value, args, kwargs, _span(name, children[-1]), _token_span(name))

    def hpo(self, children: Children) -> ir.HpoCall:
        function = children[2]
        args, kwargs = _split_arguments(children[2:-1])
        return ir.HpoCall(
            function.value, args, kwargs, _span(children[0], children[-1]), _token_span(function)
        )

    # ---- layers

    def layer(self, children: Children) -> ir.Layer:
        name = children[0]
        if type(children[-1]) is not ir.Literal:
            args, kwargs = _split_arguments(children)
            return ir.Layer(name.value, args, kwargs, 1, _span(name, children[-1]), _token_span(name))
        count: ir.Literal = children[-1]
        args, kwargs = _split_arguments(children[:-1])
        if type(count.value) is not int or count.value < 1:
            raise _problem(
                f"the repeat count after '*' must be a positive whole number, not {count.value}",
                count.span,
                hint=f"write {name.value}(...) * 2 for two copies",
            )
        if count.value > MAX_REPEAT:
            raise _problem(
                f"the repeat count {count.value:,} is too large: a layer is repeated at most {MAX_REPEAT:,} times",
                count.span,
                hint=f"write {name.value}(...) * {MAX_REPEAT:,} or fewer",
            )
        return ir.Layer(
            name.value, args, kwargs, count.value, _span(name, count), _token_span(name), count.span
        )

    # ---- sections: each returns (Section, Network field, value) for `network`

    def _value_section(self, children: Children) -> SectionPart:
        keyword, value = children
        return ir.Section(keyword.value, _token_span(keyword)), _SECTION_FIELDS[keyword.value], value

    input_section = optimizer_section = loss_section = metrics_section = _value_section

    def layers_section(self, children: Children) -> SectionPart:
        keyword = children[0]
        layers = tuple(children[1]) if len(children) == 2 else ()
        return ir.Section(keyword.value, _token_span(keyword)), "layers", layers

    def train_section(self, children: Children) -> SectionPart:
        keyword = children[0]
        entries: tuple[ir.Keyword, ...] = tuple(children[2]) if len(children) == 4 else ()
        _reject_duplicates(((entry.name, entry.name_span) for entry in entries), "train setting")
        return ir.Section(keyword.value, _token_span(keyword)), "train", entries

    train_entry = keyword

    def network(self, children: Children) -> ir.Network:
        keyword, name, close = children[0], children[1], children[-1]
        parts: list[SectionPart] = children[3:-1]
        fields: dict[str, Any] = {}
        first: dict[str, ir.Section] = {}
        for section, field_name, value in parts:
            if section.name in first:
                raise _problem(
                    f"duplicate section '{section.name}'",
                    section.span,
                    hint=f"'{section.name}' is first given at {_first_seen(first[section.name].span)}; "
                    "merge them into one",
                )
            first[section.name] = section
            fields[field_name] = value
        sections = tuple(section for section, _, _ in parts)
        return ir.Network(
            name.value, **fields, sections=sections, span=_span(keyword, close), name_span=_token_span(name)
        )

    def start(self, children: Children) -> ir.Network:
        network: ir.Network = children[0]
        return network

    def __default__(self, rule: str, children: Children, meta: Any) -> Any:
        """lark calls this for a rule with no method.

        lark's own helper rules (``__network_star_0``, from ``x*``) become a
        Tree that the parent rule inlines; any other rule is one this class forgot.
        """
        if rule.startswith("_"):
            from lark import Tree

            return Tree(rule, children)
        raise NotImplementedError(f"IrBuilder has no method for grammar rule '{rule}'")


def number_value(text: str, span: Span) -> int | float:
    """The value of a NUMBER token; a located error for one too large to mean anything.

    An integer above :data:`MAX_INTEGER` (Python would refuse to even read one
    of 4,301 digits) and a float that overflows to infinity (``1e400``) are
    refused here, so no later check meets a number it cannot convert.
    """
    if "." in text or "e" in text or "E" in text:
        value = float(text)
        if math.isinf(value):
            raise _problem(
                f"the number {_abbreviated(text)} is too large",
                span,
                hint="numbers are at most about 1.8e308; write a smaller one",
            )
        return value
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > len(str(MAX_INTEGER)) or abs(int(text)) > MAX_INTEGER:
        raise _problem(
            f"the integer {_abbreviated(text)} ({len(digits):,} digits) is too large",
            span,
            hint=f"integers are at most 2**63 - 1 ({MAX_INTEGER:,}) in size; write a smaller one",
        )
    return int(text)


def _abbreviated(text: str) -> str:
    """A long number shortened for a message: its first and last digits."""
    return text if len(text) <= 24 else f"{text[:10]}…{text[-6:]}"


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def decode_string(quoted: str) -> str:
    """The value of a quoted string token: quotes removed, backslash escapes decoded.

    ``\\n \\t \\r \\0 \\\\ \\" \\'`` and ``\\xHH \\uHHHH \\UHHHHHHHH``; any other
    backslash is kept as written (so ``"C:\\data"`` means what it shows).
    """
    body = quoted[1:-1]
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) > 1:
            point = int(code[1:], 16)
            return chr(point) if point <= 0x10FFFF else match.group()
        return _SIMPLE_ESCAPES.get(code, match.group())

    return _ESCAPE.sub(replace, body)


__all__ = ["IrBuilder", "decode_string"]
