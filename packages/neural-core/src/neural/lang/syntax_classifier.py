"""Syntax errors in the user's words (DESIGN.md §7).

Called by :func:`neural.lang.parser.parse` when the parser rejects a file:
turns the failure into one :class:`~neural.errors.Diagnostic` whose message says
what is wrong and whose hint says what was expected ("expected ',' or ')'", "a
value", "a layer such as Dense(64)"), never a lark terminal name.

The parser only knows its state at the failure. The rest of the picture — the
token before the error, the brackets still open and what opened them, the
section being read — comes from re-lexing the text before the error
(:func:`~neural.lang.syntax_context.read_context`); the expected terminals are
said by :func:`~neural.lang.syntax_words.expected_phrase`. The classifier then
picks the most specific message that fits (missing comma, unclosed bracket,
``=`` for ``:``, layer without parentheses, unknown section, ...) and falls back
to "unexpected X; expected Y".
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from neural.errors import Diagnostic, did_you_mean
from neural.lang.syntax_context import (
    CLOSERS,
    OPENERS,
    SECTION_KEYWORDS,
    SECTIONS,
    VALUE_STARTS,
    ErrorContext,
    Lexer,
    is_word,
    read_context,
)
from neural.lang.syntax_errors import (
    UnexpectedCharacterError,
    UnexpectedTokenError,
    position_span,
    span_after,
    token_span,
)
from neural.lang.syntax_words import TERMINAL_WORDS, describe_token, expected_phrase, join_alternatives

if TYPE_CHECKING:
    from neural.lang.lexer import SourceToken as Token

HPO_FORMS = (
    "write HPO(choice(a, b, ...)), HPO(range(low, high)), HPO(log_range(low, high)) or HPO(custom({...}))"
)


def diagnostic_for_error(
    error: UnexpectedTokenError | UnexpectedCharacterError, source: str, lex: Lexer
) -> Diagnostic:
    """The diagnostic for a token or character the parser rejected; called once per failed parse."""
    if isinstance(error, UnexpectedCharacterError):
        context = read_context(lex, source[: error.offset])
        return _unexpected_character(source, error.offset, set(error.expected), context)
    token = error.token
    if token.type == "$END":
        return _unexpected_end(set(error.expected), read_context(lex, source), source)
    context = read_context(lex, source[: token.start_pos])
    return _unexpected_token(token, set(error.expected), context, source)


def _unexpected_end(expected: set[str], context: ErrorContext, source: str) -> Diagnostic:
    last = context.previous
    if last is None:  # only whitespace and comments: point at the end of the file
        return Diagnostic(
            "the file holds no network",
            position_span(source, len(source.rstrip())),
            hint="write 'network NAME { ... }' with its sections inside the braces",
        )
    expected.discard("$END")
    hint = None
    if context.innermost is not None:
        opener = context.innermost.token
        hint = f"the '{opener.value}' on line {opener.line}, column {opener.column} is never closed"
    phrase = expected_phrase(expected, context)
    message = "unexpected end of file" + (f"; expected {phrase}" if phrase else "")
    return Diagnostic(message, span_after(last), hint=hint)


#: Typographic quotes a word processor or chat client puts in place of ' and ".
CURLY_QUOTES = frozenset("\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb")


def _unexpected_character(source: str, offset: int, allowed: set[str], context: ErrorContext) -> Diagnostic:
    char = source[offset]
    if char in "\"'":
        line_end = source.find("\n", offset)
        line_end = len(source) if line_end < 0 else line_end
        return Diagnostic(
            "unterminated string",
            position_span(source, offset, max(line_end - offset, 1)),
            hint=f"close it with {char} on the same line",
        )
    if char.isprintable() and not char.isspace():
        shown = f"'{char}'"
    else:
        shown = f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character').lower()})"
    phrase = expected_phrase(allowed, context)
    hint = f"expected {phrase}" if phrase else "remove it"
    if char in CURLY_QUOTES:
        hint = "write strings between straight quotes, \" or ' (an editor may have curled them)"
    return Diagnostic(f"unexpected character {shown}", position_span(source, offset), hint=hint)


def _unexpected_token(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic:
    for rule in _SPECIFIC_RULES:
        diagnostic = rule(token, expected, context, source)
        if diagnostic is not None:
            return diagnostic
    phrase = expected_phrase(expected, context)
    return Diagnostic(
        f"unexpected {describe_token(token)}",
        token_span(token),
        hint=f"expected {phrase}" if phrase else None,
    )


def _after_network(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic | None:
    if expected != {"$END"}:
        return None
    if token.type == "RBRACE":
        return Diagnostic(
            "unmatched '}'",
            token_span(token),
            hint="the network is already closed above; remove this '}' or check that the braces above match",
        )
    return Diagnostic(
        f"unexpected {describe_token(token)} after the end of the network",
        token_span(token),
        hint="a file holds one 'network NAME { ... }'; move this inside its braces",
    )


def _start_of_file(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic | None:
    if expected != {"NETWORK"}:
        return None
    suggestion = did_you_mean(token.value, ["network"]) if token.type == "NAME" else None
    return Diagnostic(
        f"unexpected {describe_token(token)}",
        token_span(token),
        hint=suggestion or "a file starts with 'network NAME {'",
    )


def _hpo_without_function(
    token: Token, expected: set[str], context: ErrorContext, source: str
) -> Diagnostic | None:
    inner = context.innermost
    if inner is None or inner.kind != "hpo":
        return None
    if context.previous is inner.token:
        return Diagnostic("HPO(...) needs a search function", token_span(token), hint=HPO_FORMS)
    previous = context.previous
    if expected == {"LPAR"} and previous is not None and previous.type == "NAME":
        return Diagnostic(
            f"'{previous.value}' inside HPO(...) needs its arguments",
            token_span(previous),
            hint=f"write HPO({previous.value}(...)) with its options, e.g. HPO(choice(32, 64))",
        )
    if expected == {"RPAR"}:
        return Diagnostic(
            "HPO(...) takes exactly one search function",
            token_span(token),
            hint="close HPO( right after its function: HPO(choice(32, 64))",
        )
    return None


def _glued_number(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic | None:
    """``epochs: 1e`` or ``Dense(10x)``: letters glued to a number (a cut exponent, a typo)."""
    recent = [*context.tokens[-2:], token]
    for number, word in itertools.pairwise(recent):
        if number.type == "NUMBER" and is_word(word) and word.start_pos == number.end_pos:
            text = f"{number.value}{word.value}"
            return Diagnostic(
                f"'{text}' is not a number",
                position_span(source, number.start_pos, len(text)),
                hint="write a number such as 10, 0.5 or 1e-4 (an exponent needs its digits)",
            )
    return None


def _equals_for_colon(
    token: Token, expected: set[str], context: ErrorContext, source: str
) -> Diagnostic | None:
    if token.type != "_EQUAL" or "_COLON" not in expected:
        return None
    previous = context.previous
    if context.innermost_kind == "train":
        hint = "train settings are written 'key: value', e.g. 'epochs: 10'"
    elif context.innermost_kind == "dict":
        hint = "dict entries are written '\"key\": value'"
    elif previous is not None:
        hint = f"write '{previous.value}:'"
    else:  # pragma: no cover - an '=' is never the first token the parser sees
        hint = None
    return Diagnostic("expected ':' here, not '='", token_span(token), hint=hint)


def _missing_value(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic | None:
    """``units=)`` or ``epochs: }``: a value should follow the ``=`` or ``:``."""
    previous = context.previous
    if previous is None or previous.type not in ("_EQUAL", "_COLON") or token.type in VALUE_STARTS:
        return None
    if "NUMBER" not in expected or len(context.tokens) < 2:
        return None
    name = context.tokens[-2]
    return Diagnostic(
        f"missing value after '{name.value}{previous.value}'",
        span_after(previous),
        hint=f"expected {expected_phrase(expected, context)}",
    )


def _colon_for_equals(
    token: Token, expected: set[str], context: ErrorContext, source: str
) -> Diagnostic | None:
    previous = context.previous
    if token.type != "_COLON" or "_EQUAL" not in expected or previous is None:
        return None
    return Diagnostic(
        "expected '=' here, not ':'",
        token_span(token),
        hint=f"keyword arguments are written name=value: write '{previous.value}=' instead of '{previous.value}:'",
    )


def _dict_key(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic | None:
    if context.innermost_kind != "dict" or "STRING" not in expected or token.type not in ("NAME", "NUMBER"):
        return None
    return Diagnostic("dict keys must be strings", token_span(token), hint=f'write "{token.value}"')


def _network_level(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic | None:
    """Unknown sections, ``train:`` for ``train {``, layers outside ``layers:``, a bare input shape."""
    if context.innermost_kind != "network":
        return None
    previous = context.previous
    if token.type == "_COMMA" and context.section == "input":
        return Diagnostic(
            "the input shape must be a tuple",
            token_span(token),
            hint="write it in parentheses: input: (28, 28, 1)",
        )
    if token.type == "_COLON" and previous is not None and previous.type == "TRAIN":
        return Diagnostic("expected '{' after 'train'", token_span(token), hint="write 'train {' without ':'")
    if token.type in ("_COLON", "LBRACE") and previous is not None and previous.type == "NAME":
        return _unknown_section(previous)
    if token.type == "NAME" and expected & SECTION_KEYWORDS and "NAME" not in expected:
        follower = source[token.end_pos :].lstrip()[:1]
        if follower in (":", "{"):
            return _unknown_section(token)
        if follower == "(":
            return Diagnostic(
                f"layer '{token.value}' is outside the 'layers:' section",
                token_span(token),
                hint="list the layers after 'layers:'",
            )
    return None


def _unknown_section(name: Token) -> Diagnostic:
    hint = did_you_mean(name.value, SECTIONS) or "the sections are " + join_alternatives(
        [f"'{section}'" for section in SECTIONS]
    ).replace(" or ", " and ")
    return Diagnostic(f"unknown section '{name.value}'", token_span(name), hint=hint)


def _bare_name(token: Token, expected: set[str], context: ErrorContext, source: str) -> Diagnostic | None:
    """A name without parentheses: a layer (``Flatten``) or an unquoted string (``relu``)."""
    previous = context.previous
    if (
        previous is None
        or previous.type != "NAME"
        or "LPAR" not in expected
        or not expected <= {"LPAR", "_EQUAL"}
    ):
        return None
    name = previous.value
    if context.innermost_kind == "network" and context.section == "layers":
        return Diagnostic(f"layer '{name}' needs parentheses", token_span(previous), hint=f"write {name}()")
    if "_EQUAL" in expected and token.type in VALUE_STARTS:
        return Diagnostic(
            f"expected '=' after '{name}'",
            token_span(token),
            hint=f"keyword arguments are written name=value, e.g. '{name}={token.value}'",
        )
    constant = did_you_mean(name, ["true", "false", "none"])
    hint = constant or f'write a string in quotes, "{name}", or a call, {name}(...)'
    return Diagnostic(f"'{name}' is not a value", token_span(previous), hint=hint)


_CONTAINER_WORDS = {
    "call": "arguments",
    "hpo": "arguments",
    "tuple": "items",
    "list": "items",
    "dict": "entries",
}


def _missing_comma_or_closer(
    token: Token, expected: set[str], context: ErrorContext, source: str
) -> Diagnostic | None:
    inner, previous = context.innermost, context.previous
    if inner is None or previous is None or inner.kind not in _CONTAINER_WORDS:
        return None
    opener = inner.token
    closer = TERMINAL_WORDS[OPENERS[opener.type]]
    hint = f"expected {expected_phrase(expected, context)}"
    missing_closer = Diagnostic(
        f"missing {closer} to close the '{opener.value}' on line {opener.line}",
        span_after(previous),
        hint=hint,
    )
    if token.type in SECTION_KEYWORDS:  # the next section started inside a call or a value
        return missing_closer
    if token.type not in VALUE_STARTS or "_COMMA" not in expected:
        return None
    if token.line > previous.end_line and opener.line == previous.end_line:
        # The bracket opened on the line that ends here, and the next line starts anew:
        # far more often a forgotten closer than a forgotten comma.
        return missing_closer
    return Diagnostic(f"missing ',' between {_CONTAINER_WORDS[inner.kind]}", token_span(token), hint=hint)


def _mismatched_closer(
    token: Token, expected: set[str], context: ErrorContext, source: str
) -> Diagnostic | None:
    inner = context.innermost
    if token.type not in CLOSERS or inner is None or OPENERS[inner.token.type] == token.type:
        return None
    opener = inner.token
    phrase = expected_phrase(expected, context)
    return Diagnostic(
        f"unexpected '{token.value}'",
        token_span(token),
        hint=f"expected {phrase}; the '{opener.value}' on line {opener.line}, column {opener.column} is still open",
    )


_SPECIFIC_RULES: tuple[Callable[[Token, set[str], ErrorContext, str], Diagnostic | None], ...] = (
    _glued_number,
    _after_network,
    _start_of_file,
    _hpo_without_function,
    _equals_for_colon,
    _missing_value,
    _colon_for_equals,
    _dict_key,
    _network_level,
    _bare_name,
    _missing_comma_or_closer,
    _mismatched_closer,
)
