"""What precedes a syntax error: its tokens, the brackets still open, the section.

Called by the classifier (:mod:`neural.lang.syntax_classifier`) once per failed
parse. The parser only knows its state at the failure. The rest of the picture — the
token before the error, the brackets still open and what opened them, the
section being read — comes from re-lexing the text before the error
(:func:`read_context`); the parser accepted all of it, so its brackets nest
properly. The token kinds the classifier and :mod:`neural.lang.syntax_words`
reason about (sections, keywords, what starts a value, bracket pairs) live here too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neural.lang.lexer import SourceToken as Token

#: Lexes a text, reading every keyword as a keyword (the context of an error).
Lexer = Callable[[str], Iterable["Token"]]

SECTIONS = ("input", "layers", "optimizer", "loss", "metrics", "train")
SECTION_KEYWORDS = frozenset(name.upper() for name in SECTIONS)
CONSTANT_KEYWORDS = frozenset({"TRUE", "TRUE_TITLE", "FALSE", "FALSE_TITLE", "NONE", "NONE_TITLE"})
KEYWORDS = SECTION_KEYWORDS | CONSTANT_KEYWORDS | {"NETWORK", "HPO"}
VALUE_STARTS = frozenset({"NUMBER", "STRING", "NAME", "LPAR", "LSQB", "LBRACE", "HPO"}) | CONSTANT_KEYWORDS
OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
CLOSERS = frozenset(OPENERS.values())


@dataclass(frozen=True)
class OpenBracket:
    """A bracket that is still open at the error, and what it opened.

    ``kind`` is one of ``network``, ``train``, ``dict``, ``call``, ``hpo``,
    ``tuple``, ``list``.
    """

    token: Token
    kind: str


@dataclass(frozen=True)
class ErrorContext:
    """What precedes a syntax error: the tokens, the open brackets, the current section."""

    tokens: tuple[Token, ...]
    open_brackets: tuple[OpenBracket, ...]
    section: str | None

    @property
    def previous(self) -> Token | None:
        return self.tokens[-1] if self.tokens else None

    @property
    def innermost(self) -> OpenBracket | None:
        return self.open_brackets[-1] if self.open_brackets else None

    @property
    def innermost_kind(self) -> str | None:
        return self.open_brackets[-1].kind if self.open_brackets else None


def is_word(token: Token) -> bool:
    return token.type == "NAME" or token.type in KEYWORDS


def _bracket_kind(tokens: list[Token], index: int) -> str:
    """What the bracket at ``tokens[index]`` opens, judged by the tokens before it."""
    bracket = tokens[index].type
    before = tokens[index - 1] if index >= 1 else None
    if bracket == "LSQB":
        return "list"
    if bracket == "LPAR":
        if before is not None and before.type == "HPO":
            return "hpo"
        return "call" if before is not None and is_word(before) else "tuple"
    if before is not None and before.type == "TRAIN":
        return "train"
    if index >= 2 and tokens[index - 2].type == "NETWORK":
        return "network"
    return "dict"


def read_context(lex: Lexer, text_before_error: str) -> ErrorContext:
    """Lex the text before an error and track its brackets and sections."""
    tokens: list[Token] = []
    with contextlib.suppress(Exception):  # a lexing problem only shortens the context
        tokens.extend(lex(text_before_error))
    open_brackets: list[OpenBracket] = []
    section: str | None = None
    for index, token in enumerate(tokens):
        if token.type in OPENERS:
            open_brackets.append(OpenBracket(token, _bracket_kind(tokens, index)))
        elif token.type in CLOSERS:
            if open_brackets and OPENERS[open_brackets[-1].token.type] == token.type:
                open_brackets.pop()
        elif (
            token.type in SECTION_KEYWORDS and len(open_brackets) == 1 and open_brackets[0].kind == "network"
        ):
            section = token.value
    return ErrorContext(tuple(tokens), tuple(open_brackets), section)
