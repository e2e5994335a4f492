"""Syntax errors in the user's words (DESIGN.md §7).

Called by :func:`neural.lang.parser.parse` when the parser rejects a file:
turns the failure into one :class:`~neural.errors.Diagnostic` whose message says
what is wrong and whose hint says what was expected ("expected ',' or ')'", "a
value", "a layer such as Dense(64)"), never a lark terminal name.

The parser only knows its state at the failure. The rest of the picture — the
token before the error, the brackets still open and what opened them, the
section being read — comes from re-lexing the text before the error
(:func:`read_context`); the parser accepted all of it, so its brackets nest
properly. The classifier then picks the most specific message that fits
(missing comma, unclosed bracket, ``=`` for ``:``, layer without parentheses,
unknown section, ...) and falls back to "unexpected X; expected Y".
"""

from __future__ import annotations

import contextlib
import itertools
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from neural.errors import Diagnostic, Span, did_you_mean

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
HPO_FORMS = (
    "write HPO(choice(a, b, ...)), HPO(range(low, high)), HPO(log_range(low, high)) or HPO(custom({...}))"
)


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


# --------------------------------------------------------------------------- context


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


def _is_word(token: Token) -> bool:
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
        return "call" if before is not None and _is_word(before) else "tuple"
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


# --------------------------------------------------------------------------- words


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


# --------------------------------------------------------------------------- classifier


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
        if number.type == "NUMBER" and _is_word(word) and word.start_pos == number.end_pos:
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
