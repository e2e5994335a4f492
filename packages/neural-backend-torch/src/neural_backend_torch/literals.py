"""Safe pieces of generated source: core's literals and identifiers, with this backend's name.

Every value that reaches the generated module goes through :func:`literal`
and every name through :func:`identifier` (see :mod:`neural.backends.literals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neural.backends.literals import CodegenError, identifier, literal
from neural.backends.literals import lookup as _lookup

__all__ = ["CodegenError", "identifier", "literal", "lookup"]


def lookup(table: Mapping[Any, Any], name: Any, what: str) -> Any:
    """Return ``table[name]``; an unknown name is an internal error naming the PyTorch backend."""
    return _lookup(table, name, what, "PyTorch")
