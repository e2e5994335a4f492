"""Parse ``.neural`` text into the IR (DESIGN.md §1, §4).

``parse(source, filename)`` returns a :class:`neural.lang.ir.Network`;
``parse_file(path)`` reads a UTF-8 file first. Any syntax error raises
:class:`neural.errors.DiagnosticsError` with one located diagnostic; no other
exception escapes.

lark compiles the grammar (``grammar.lark``) into an LALR(1) table once per
process; :mod:`neural.lang.lexer` scans the text with the grammar's terminals,
:mod:`neural.lang.lalr` runs the tokens through the table, and
:class:`~neural.lang.ir_builder.IrBuilder` is applied inline: one of its
methods runs per reduced rule, bottom-up, so no parse tree is ever built. Spans come from the tokens at the edges of each rule.
Should a lark release move the private table that loop reads, lark's own parse
runs instead with the same builder (:mod:`neural.lang.lark_fallback`).
The lark parser is built on first use and kept for the life of the process;
importing this module imports no lark and builds nothing.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from neural.errors import Diagnostic, DiagnosticsError
from neural.lang import ir
from neural.lang.ir_builder import IrBuilder, decode_string
from neural.lang.syntax_classifier import diagnostic_for_error
from neural.lang.syntax_errors import (
    SyntaxProblem,
    UnexpectedCharacterError,
    UnexpectedTokenError,
    position_span,
)

if TYPE_CHECKING:
    from neural.lang.lalr import LalrTable
    from neural.lang.lark_fallback import LarkParse
    from neural.lang.lexer import SourceToken, TerminalTable

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")


def parse(source: str | bytes, filename: str = "<string>") -> ir.Network:
    """Parse one ``.neural`` text; called by ``load_program`` and the tests.

    Returns the :class:`~neural.lang.ir.Network` with a span on every node.
    Raises :class:`~neural.errors.DiagnosticsError` on any syntax error (and
    on bytes that are not UTF-8, when given bytes).
    """
    if isinstance(source, bytes):
        source = decode_source(source, filename)
    grammar = _grammar()
    # The parse makes a few objects per character and frees none until the end, so the
    # cyclic garbage collector would run over and over to no effect (~15% of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        if grammar.lalr is None:  # lark moved the private table the fast loop reads
            fallback: ir.Network = _lark_fallback().parse_text(source)
            return fallback
        network: ir.Network = grammar.lalr.parse(grammar.terminals.tokens(source))
        return network
    except SyntaxProblem as problem:
        diagnostic = problem.diagnostic
    except (UnexpectedTokenError, UnexpectedCharacterError) as error:
        diagnostic = diagnostic_for_error(error, source, _lex)
    except RecursionError:  # pragma: no cover - the nesting limit is meant to prevent it
        diagnostic = Diagnostic("the file nests too deeply to read", hint="nest brackets less deeply")
    finally:
        if collecting:
            gc.enable()
    raise DiagnosticsError([diagnostic], source, filename)


def parse_file(path: str | os.PathLike[str]) -> ir.Network:
    """Read a UTF-8 ``.neural`` file and parse it (see :func:`parse`)."""
    return parse(read_source(path), str(path))


def read_source(path: str | os.PathLike[str]) -> str:
    """The text of a ``.neural`` file, as ``Path.read_text`` gives it (universal newlines).

    Called by :func:`parse_file` (and by anything that needs the same text, so
    spans agree). A missing file or bytes that are not UTF-8 raise a
    :class:`~neural.errors.DiagnosticsError` naming the file (and the position).
    """
    filename = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        diagnostic = Diagnostic(
            f"cannot read {filename}: {reason}", hint="check the path and the permissions"
        )
        raise DiagnosticsError([diagnostic], "", filename) from None
    return decode_source(data, filename)


def decode_source(data: bytes, filename: str = "<string>") -> str:
    """UTF-8 bytes as text with universal newlines; bytes that are not UTF-8 are a located error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        readable = _universal_newlines(data.decode("utf-8", errors="replace"))
        offset = len(_universal_newlines(data[: error.start].decode("utf-8", errors="replace")))
        diagnostic = Diagnostic(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})",
            position_span(readable, offset),
            hint="save the file with UTF-8 encoding",
        )
        raise DiagnosticsError([diagnostic], readable, filename) from None
    return _universal_newlines(text)


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- lark


class _Grammar(NamedTuple):
    terminals: TerminalTable
    lalr: LalrTable | None  # None: this lark's private parse table is not readable (see lark_fallback)


@functools.lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    """The lexer and the LALR table with :class:`IrBuilder` inline; built once, on the first parse."""
    from lark import Lark

    from neural.lang.lalr import LalrTable
    from neural.lang.lexer import TerminalTable

    lark = Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="basic",
        transformer=IrBuilder(),
        maybe_placeholders=False,
    )
    terminals = TerminalTable(lark.terminals, lark.ignore_tokens)
    try:
        table: LalrTable | None = LalrTable(lark, terminals.keywords)
    except (AttributeError, KeyError, TypeError, ImportError):  # lark's private layout changed
        table = None
    return _Grammar(terminals, table)


@functools.lru_cache(maxsize=1)
def _lark_fallback() -> LarkParse:
    """lark's own parser with :class:`IrBuilder` inline: used when :func:`_grammar` has no table."""
    from neural.lang.lark_fallback import LarkParse

    return LarkParse(GRAMMAR_PATH.read_text(encoding="utf-8"))


def _lex(text: str) -> Iterator[SourceToken]:
    """Every token of ``text``, keywords read as keywords; used to describe a syntax error."""
    return _grammar().terminals.tokens(text, keywords_everywhere=True)


__all__ = [
    "GRAMMAR_PATH",
    "IrBuilder",
    "decode_source",
    "decode_string",
    "parse",
    "parse_file",
    "read_source",
]
