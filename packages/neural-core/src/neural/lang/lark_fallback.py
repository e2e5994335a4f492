"""lark's own LALR parse, for a lark whose private parse table the fast loop cannot read.

:class:`neural.lang.lalr.LalrTable` reads lark's ``_parse_table`` and
``_callbacks`` (lark 1.x; neural-core caps lark below its next minor version).
Should a lark release move them, :func:`neural.lang.parser.parse` falls back to
this: lark's own parser with its contextual lexer and the same
:class:`~neural.lang.ir_builder.IrBuilder` inline, which builds the same IR
(the tests compare the two), only slower. lark's syntax errors are turned into
the parser's own error types so the messages stay the same.
"""

from __future__ import annotations

from typing import Any

from neural.lang.ir_builder import IrBuilder
from neural.lang.lexer import SourceToken
from neural.lang.syntax_errors import UnexpectedCharacterError, UnexpectedTokenError


class LarkParse:
    """Parses text with lark's own LALR parser; raises the same errors as the fast loop."""

    def __init__(self, grammar_text: str) -> None:
        from lark import Lark

        self._lark = Lark(
            grammar_text,
            parser="lalr",
            lexer="contextual",
            transformer=IrBuilder(),
            maybe_placeholders=False,
        )

    def parse_text(self, source: str) -> Any:
        """The IR of ``source``; :class:`UnexpectedTokenError` or :class:`UnexpectedCharacterError` on a syntax error."""
        from lark.exceptions import UnexpectedCharacters, UnexpectedToken

        try:
            return self._lark.parse(source)
        except UnexpectedToken as error:
            token = error.token
            start = getattr(token, "start_pos", None) or 0
            end = getattr(token, "end_pos", None) or start
            line = getattr(token, "line", None) or 1
            column = getattr(token, "column", None) or 1
            ours = SourceToken(
                str(token.type),
                str(token),
                start,
                end,
                line,
                column,
                getattr(token, "end_line", None) or line,
                getattr(token, "end_column", None) or column,
            )
            raise UnexpectedTokenError(ours, frozenset(error.accepts or error.expected)) from None
        except UnexpectedCharacters as error:
            raise UnexpectedCharacterError(error.pos_in_stream or 0, frozenset(error.allowed or ())) from None
