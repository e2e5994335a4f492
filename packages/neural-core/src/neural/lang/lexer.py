"""The tokenizer of the Neural DSL: one regular expression built from ``grammar.lark``.

lark's lexers spend several microseconds per token; a 10,000-layer file has
~100,000 tokens, and ``neural check`` must stay under a second. This lexer scans
with a single compiled alternation of the grammar's own terminals (so the
grammar stays the one definition of the syntax) and makes light tokens that
:mod:`neural.lang.lalr` feeds through lark's parse table.

Keywords (``loss``, ``HPO``, ``true``...) come out as ``NAME``; the parser loop
decides from its state whether each one is a keyword there. The grammar's other
terminals must not overlap (the tests compare this lexer with lark's).

It also enforces the nesting limit, since it sees every bracket anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from neural.errors import Diagnostic
from neural.lang.syntax_errors import SyntaxProblem, UnexpectedCharacterError, position_span

#: Brackets may nest this deep. Far beyond any real model; it keeps every later
#: recursive walk of the IR (checks, JSON, write-back) well inside Python's stack.
MAX_NESTING = 100

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPENING = frozenset({"LPAR", "LSQB", "LBRACE"})
_CLOSING = frozenset({"RPAR", "RSQB", "RBRACE"})


class SourceToken(NamedTuple):
    """One token, with the attribute names of a lark Token (so IrBuilder also runs under lark's parser).

    Lines and columns are 1-based, ends exclusive; positions are 0-based offsets.
    """

    type: str
    value: str
    start_pos: int
    end_pos: int
    line: int
    column: int
    end_line: int
    end_column: int


class TerminalTable:
    """The grammar's terminals as one scanner: built once, with the parser.

    ``terminals`` are lark ``TerminalDef`` objects (``name``, ``pattern``);
    ``keywords`` maps a keyword's text to its terminal (``"loss"`` → ``LOSS``);
    ``ignored`` names the terminals that are skipped (whitespace, comments).
    """

    def __init__(self, terminals: Iterable[Any], ignored: Iterable[str]) -> None:
        self.ignored = frozenset(ignored)
        self.keywords: dict[str, str] = {}
        alternatives: list[tuple[int, str]] = []
        for terminal in terminals:
            pattern = terminal.pattern
            if pattern.type == "str" and _WORD.fullmatch(pattern.value):
                self.keywords[pattern.value] = terminal.name
                continue
            # Whitespace first (the commonest match), then patterns, then punctuation.
            rank = 0 if terminal.name in self.ignored else (1 if pattern.type == "re" else 2)
            alternatives.append((rank, f"(?P<{terminal.name}>{pattern.to_regexp()})"))
        alternatives.sort(key=lambda item: item[0])
        self.scanner = re.compile("|".join(regexp for _, regexp in alternatives))

    def tokens(self, text: str, keywords_everywhere: bool = False) -> Iterator[SourceToken]:
        """Yield the tokens of ``text``, skipping whitespace and comments.

        Keywords come out as ``NAME`` unless ``keywords_everywhere`` (used to
        describe errors: the text before an error is re-read that way). Raises
        :class:`UnexpectedCharacterError` at a character no terminal matches,
        and a :class:`SyntaxProblem` where brackets nest too deeply.
        """
        keywords = self.keywords if keywords_everywhere else {}
        ignored = self.ignored
        make = tuple.__new__  # SourceToken(...) without the Python-level __new__: this runs per token
        line, line_start, position, depth = 1, 0, 0, 0
        for match in self.scanner.finditer(text):
            start, end = match.span()
            if start != position:
                break
            position = end
            kind: str = match.lastgroup  # type: ignore[assignment]
            if kind in ignored:
                newlines = text.count("\n", start, end)
                if newlines:
                    line += newlines
                    line_start = text.rfind("\n", start, end) + 1
                continue
            value = text[start:end]
            if kind in _OPENING:
                depth += 1
                if depth > MAX_NESTING:
                    raise _too_deep(text, start)
            elif kind in _CLOSING:
                depth -= 1
            elif keywords and kind == "NAME":
                kind = keywords.get(value, kind)
            column = start - line_start + 1
            yield make(SourceToken, (kind, value, start, end, line, column, line, column + end - start))
        if position != len(text):
            raise UnexpectedCharacterError(position, frozenset())


def _too_deep(text: str, offset: int) -> SyntaxProblem:
    return SyntaxProblem(
        Diagnostic(
            f"brackets nest more than {MAX_NESTING} levels deep",
            position_span(text, offset),
            hint="flatten the value; no model needs this much nesting",
        )
    )


__all__ = ["MAX_NESTING", "SourceToken", "TerminalTable"]
