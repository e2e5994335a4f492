"""The parser's syntax-error types and the spans that locate a syntax error.

The lexer (:mod:`neural.lang.lexer`) raises :class:`UnexpectedCharacterError`,
the parse loop (:mod:`neural.lang.lalr`) raises :class:`UnexpectedTokenError`
and the IR builder raises :class:`SyntaxProblem`; :func:`neural.lang.parser.parse`
catches them and, for the first two, asks
:func:`neural.lang.syntax_classifier.diagnostic_for_error` for the message in the
user's words. The span helpers place a diagnostic at a token, just after one, or
at an offset of the text; the lexer, the parser and the classifier use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neural.errors import Diagnostic, Span

if TYPE_CHECKING:
    from neural.lang.lexer import SourceToken as Token


class UnexpectedTokenError(Exception):
    """Raised by the parser loop at a token no rule allows there.

    ``expected`` names the terminals the parser state accepts (``$END`` for the
    end of the input); the end of the input is a token of type ``$END``.
    """

    def __init__(self, token: Token, expected: frozenset[str]) -> None:
        super().__init__(f"unexpected {token.type} {token.value!r}")
        self.token = token
        self.expected = expected


class UnexpectedCharacterError(Exception):
    """Raised by the lexer at ``offset``, where no terminal matches (an ``@``, an open quote)."""

    def __init__(self, offset: int, expected: frozenset[str]) -> None:
        super().__init__(f"unexpected character at offset {offset}")
        self.offset = offset
        self.expected = expected


class SyntaxProblem(Exception):
    """Raised by the IR builder during a parse for a located syntax error lark cannot see.

    (A positional argument after a keyword argument, a duplicate section, a bad
    repeat count.) :func:`neural.lang.parser.parse` turns it into a DiagnosticsError.
    """

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# --------------------------------------------------------------------------- spans


def token_span(token: Token) -> Span:
    """The span of one token (lines and columns 1-based, ends exclusive, as lark counts them)."""
    return Span(token.line, token.column, token.end_line, token.end_column, token.start_pos, token.end_pos)


def span_after(token: Token) -> Span:
    """A one-character span just after ``token``: where something missing should go."""
    return Span(
        token.end_line, token.end_column, token.end_line, token.end_column + 1, token.end_pos, token.end_pos
    )


def position_span(source: str, offset: int, length: int = 1) -> Span:
    """A span of ``length`` characters at ``offset``, on one line, computed from the text."""
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return Span(line, column, line, column + length, offset, offset + length)
