"""How a syntax error's message says tokens and what the parser would have accepted.

Called by the classifier (:mod:`neural.lang.syntax_classifier`) to name the
token it rejects (:func:`describe_token`) and to say the expected terminals in
the user's words (:func:`expected_phrase`: "',' or ')'", "an argument", "a layer
such as Dense(64)"), never a lark terminal name.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from neural.lang.syntax_context import CONSTANT_KEYWORDS, SECTION_KEYWORDS, VALUE_STARTS, ErrorContext

if TYPE_CHECKING:
    from neural.lang.lexer import SourceToken as Token

#: How each grammar terminal is said to a user when it is expected. Terminals that
#: are said by a phrase instead ("a value", "a section such as 'layers:'") are
#: handled in :func:`expected_phrase`; a test checks every terminal is covered.
TERMINAL_WORDS = {
    "_COMMA": "','",
    "RPAR": "')'",
    "RSQB": "']'",
    "RBRACE": "'}'",
    "_COLON": "':'",
    "_EQUAL": "'='",
    "LPAR": "'('",
    "LBRACE": "'{'",
    "LSQB": "'['",
    "NETWORK": "'network'",
    "HPO": "HPO(...)",
    "_STAR": "'*'",
    "$END": "the end of the file",
}
PHRASE_TERMINALS = frozenset({"NUMBER", "STRING", "NAME"}) | SECTION_KEYWORDS | CONSTANT_KEYWORDS
MAX_EXPECTED_ITEMS = 4


def describe_token(token: Token) -> str:
    """A token as a message names it: ``name 'foo'``, ``number 3``, ``')'``."""
    if token.type == "NAME":
        return f"name '{token.value}'"
    if token.type == "NUMBER":
        return f"number {token.value}"
    if token.type == "STRING":
        text = token.value if len(token.value) <= 30 else token.value[:27] + "..."
        return f"string {text}"
    return f"'{token.value}'"


def _name_phrase(context: ErrorContext) -> str:
    previous = context.previous
    if previous is not None and previous.type == "NETWORK":
        return "a network name"
    kind = context.innermost_kind
    if kind == "train":
        return "a setting such as 'epochs: 10'"
    if kind == "hpo":
        return "a search function such as choice(...)"
    return "a name"


def expected_phrase(expected: Collection[str], context: ErrorContext) -> str:
    """The expected terminals said in the user's words, capped to a few items.

    ``"',' or ')'"``, ``"an argument or ')'"``, ``"a layer such as Dense(64), a
    section such as 'layers:' or '}'"``.
    """
    rest = set(expected)
    items: list[str] = []
    if "_COMMA" in rest:
        items.append(TERMINAL_WORDS["_COMMA"])
        rest.discard("_COMMA")
    if {"NUMBER", "STRING"} <= rest:
        previous = context.previous
        in_argument_list = context.innermost_kind in ("call", "hpo") and previous is not None
        starts_argument = in_argument_list and previous.type in ("LPAR", "_COMMA")  # type: ignore[union-attr]
        items.append("an argument" if starts_argument else "a value")
        rest -= VALUE_STARTS
    if rest & SECTION_KEYWORDS:
        if "NAME" in rest:
            items.append("a layer such as Dense(64)")
            rest.discard("NAME")
        items.append("a section such as 'layers:'")
        rest -= SECTION_KEYWORDS
    if "NAME" in rest:
        items.append(_name_phrase(context))
    if "STRING" in rest:
        items.append('a string key such as "name"')
    if "NUMBER" in rest:
        items.append("a repeat count such as 3")
    rest -= PHRASE_TERMINALS
    if items and rest != {"_STAR"}:
        rest.discard("_STAR")  # '*' is never what is missing when anything else fits
    items.extend(words for terminal, words in TERMINAL_WORDS.items() if terminal in rest)
    return join_alternatives(items[:MAX_EXPECTED_ITEMS])


def join_alternatives(items: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
