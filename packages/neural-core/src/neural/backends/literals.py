"""Safe pieces of generated source, shared by every backend's code generator: literals and identifiers.

Every value that reaches the generated module goes through :func:`literal`
(``repr`` of a value whose type is checked) and every name through
:func:`identifier`. Nothing is ever pasted from DSL text, so no input can
inject code (DESIGN.md §7).
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping
from typing import Any

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CodegenError(RuntimeError):
    """An internal error: the concrete model holds something the generator does not know.

    Core validates every model before a backend sees it, so this means a bug
    (a catalogue entry without an implementation in that backend), never a user mistake.
    """


def literal(value: Any) -> str:
    """Return Python source for ``value``: ``repr`` of a number, string, bool, None or tuple of them.

    Called for every value written into generated code. Raises
    :class:`CodegenError` for any other type, and for NaN or infinite floats
    (their ``repr`` is not valid source).
    """
    if isinstance(value, str):
        return _string_literal(value)
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodegenError(f"cannot write the non-finite number {value!r} into generated code")
        return repr(value)
    if isinstance(value, (tuple, list)):
        items = [literal(item) for item in value]
        if isinstance(value, list):
            return "[" + ", ".join(items) + "]"
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    raise CodegenError(f"cannot write a value of type {type(value).__name__} into generated code")


def _string_literal(text: str) -> str:
    """``repr(text)``, in double quotes like the rest of the generated code when that needs no escape."""
    source = repr(text)
    if source.startswith("'") and '"' not in text:
        # Without a double quote in the text, repr used single quotes only to avoid nothing: swapping
        # the outer quotes keeps every escape inside valid and the meaning the same.
        return '"' + source[1:-1] + '"'
    return source


def identifier(name: str) -> str:
    """Return ``name`` unchanged when it is a plain Python identifier; raise :class:`CodegenError` otherwise.

    Used for the class name (the network name) and the attribute names (layer names).
    """
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name) or keyword.iskeyword(name):
        raise CodegenError(f"{name!r} is not a valid Python identifier")
    return name


def lookup(table: Mapping[Any, Any], name: Any, what: str, backend: str = "this") -> Any:
    """Return ``table[name]``; an unknown name is an internal error naming ``what`` and the ``backend``.

    Every layer kind, activation, optimizer, schedule and loss name is looked up
    through this, so the generated code only ever holds text from our own tables.
    """
    try:
        return table[name]
    except (KeyError, TypeError):
        raise CodegenError(f"the {backend} backend has no {what} named {name!r}") from None
