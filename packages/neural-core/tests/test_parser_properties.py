"""Property tests: whatever the text, ``parse`` returns a Network or raises a located DiagnosticsError.

Inputs: the example files mutated (characters and tokens deleted, inserted,
swapped, duplicated), random token soups, arbitrary text, and valid programs
generated from the grammar's shape (which must parse, with spans that cover
their text).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neural.errors import DiagnosticsError, Span
from neural.lang import ir
from neural.lang.parser import _lex, parse

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_SOURCES = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").glob("*.neural"))]
INTERNAL_NAMES = ("RPAR", "LPAR", "RBRACE", "LBRACE", "LSQB", "RSQB", "_COMMA", "_COLON", "__ANON", "$END")

# Example counts keep the whole file near 15 s on one core; no example database on disk.
MANY = settings(max_examples=3000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=800, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_TO_GENERATE = settings(
    max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_outcome(source: str) -> ir.Network | None:
    """Parse ``source``; the only exception allowed is a well-located DiagnosticsError."""
    try:
        network = parse(source, "fuzz.neural")
    except DiagnosticsError as error:
        assert len(error.diagnostics) == 1
        diagnostic = error.diagnostics[0]
        span = diagnostic.span
        assert 1 <= span.line <= source.count("\n") + 1, (span, source)
        assert span.column >= 1
        assert 0 <= span.start <= len(source)
        rendered = str(error)
        assert rendered.startswith("fuzz.neural:")
        assert not any(name in rendered and name not in source for name in INTERNAL_NAMES), rendered
        return None
    assert isinstance(network, ir.Network)
    assert_spans_inside(network, source)
    return network


def assert_spans_inside(node: object, source: str) -> None:
    if isinstance(node, Span):
        if node.line:
            assert 1 <= node.line <= node.end_line <= source.count("\n") + 1
            assert 0 <= node.start <= node.end <= len(source)
        return
    if isinstance(node, tuple):
        for item in node:
            assert_spans_inside(item, source)
        return
    for name in getattr(node, "__dataclass_fields__", {}):
        assert_spans_inside(getattr(node, name), source)


# --------------------------------------------------------------------------- mutations of the examples

INSERTABLE = [
    *"(){}[],:=*#/\"'@;.-+eE0 9aZ_\n\t\\",
    "\r",
    "\x00",
    "\u00a0",
    "\u2028",
    "é",
    "HPO(",
    "//",
    "network",
]


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    source = draw(st.sampled_from(EXAMPLE_SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        if not source:
            break
        kind = draw(
            st.sampled_from(["delete", "insert", "swap", "delete_token", "duplicate_token", "swap_tokens"])
        )
        if kind in ("delete", "insert", "swap"):
            at = draw(st.integers(0, len(source) - 1))
            if kind == "delete":
                source = source[:at] + source[at + 1 :]
            elif kind == "insert":
                source = source[:at] + draw(st.sampled_from(INSERTABLE)) + source[at:]
            elif at + 1 < len(source):
                source = source[:at] + source[at + 1] + source[at] + source[at + 2 :]
            continue
        try:
            tokens = list(_lex(source))
        except Exception:  # a mutation already broke the lexing: mutate characters instead
            continue
        if len(tokens) < 2:
            continue
        first = draw(st.integers(0, len(tokens) - 1))
        token = tokens[first]
        if kind == "delete_token":
            source = source[: token.start_pos] + source[token.end_pos :]
        elif kind == "duplicate_token":
            source = source[: token.end_pos] + " " + token.value + source[token.end_pos :]
        else:
            second = tokens[draw(st.integers(0, len(tokens) - 1))]
            a, b = sorted((token, second), key=lambda t: t.start_pos)
            if a.end_pos <= b.start_pos:
                source = (
                    source[: a.start_pos]
                    + b.value
                    + source[a.end_pos : b.start_pos]
                    + a.value
                    + source[b.end_pos :]
                )
    return source


@MANY
@given(mutated_example())
def test_mutated_examples_parse_or_fail_with_one_located_diagnostic(source: str) -> None:
    check_outcome(source)


# --------------------------------------------------------------------------- token soups and arbitrary text

VOCABULARY = [
    "network",
    "N",
    "{",
    "}",
    "input",
    "layers",
    "optimizer",
    "loss",
    "metrics",
    "train",
    ":",
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "*",
    "HPO",
    "choice",
    "range",
    "Dense",
    "Conv2D",
    "64",
    "-3",
    "1e-4",
    ".5",
    '"relu"',
    "'x'",
    "true",
    "None",
    "epochs",
    "#c\n",
    "//c\n",
    "\n",
    "@",
    '"open',
]


@FAST
@given(st.lists(st.sampled_from(VOCABULARY), max_size=60), st.sampled_from([" ", "", "\n", "  \t"]))
def test_token_soups_never_raise_anything_but_diagnostics(words: list[str], separator: str) -> None:
    check_outcome(separator.join(words))


@FAST
@given(st.lists(st.sampled_from(VOCABULARY), max_size=40))
def test_token_soups_inside_a_network_never_raise_anything_but_diagnostics(words: list[str]) -> None:
    check_outcome("network N {\n  layers:\n    " + " ".join(words) + "\n}\n")


@FAST
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises_anything_but_diagnostics(text: str) -> None:
    check_outcome(text)


@settings(max_examples=50, deadline=None, database=None)
@given(st.integers(1, 400), st.sampled_from(["(", "[", "{", "Dense(", "HPO(choice("]))
def test_absurd_nesting_is_a_located_error_or_parses(depth: int, opener: str) -> None:
    closers = {"(": ")", "[": "]", "{": "}", "Dense(": ")", "HPO(choice(": "))"}
    check_outcome(f"network N {{\n  train {{ x: {opener * depth}{closers[opener] * depth} }}\n}}\n")


# --------------------------------------------------------------------------- generated valid programs

scalars = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.text(
        alphabet=st.characters(blacklist_characters='"\\\n', blacklist_categories=["Cs"]), max_size=8
    ).map(lambda text: f'"{text}"'),
    st.sampled_from(["true", "false", "none", "True", "False", "None"]),
)


def values(depth: int = 2) -> st.SearchStrategy[str]:
    if depth == 0:
        return scalars
    inner = values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3).map(
            lambda items: "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        ),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), inner, max_size=3).map(
            lambda entries: "{" + ", ".join(f'"{key}": {value}' for key, value in entries.items()) + "}"
        ),
        st.tuples(
            st.sampled_from(["choice", "range", "log_range", "custom"]),
            st.lists(inner, min_size=1, max_size=3),
        ).map(lambda parts: f"HPO({parts[0]}({', '.join(parts[1])}))"),
    )


layer_lines = st.tuples(
    st.from_regex(r"[A-Z][A-Za-z0-9]{0,8}", fullmatch=True),
    st.lists(values(), max_size=3),
    st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), values(), max_size=3),
    st.one_of(st.just(""), st.integers(1, 9).map(lambda n: f" * {n}")),
).map(lambda p: f"{p[0]}({', '.join([*p[1], *(f'{k}={v}' for k, v in p[2].items())])}){p[3]}")


@SLOW_TO_GENERATE
@given(st.lists(layer_lines, max_size=6), values(), st.permutations(["input", "layers", "loss", "train"]))
def test_generated_programs_parse_with_spans_covering_their_text(
    layers: list[str], value: str, order: list[str]
) -> None:
    sections = {
        "input": "  input: (28, 28, 1)",
        "layers": "  layers:\n" + "".join(f"    {line}\n" for line in layers),
        "loss": f"  loss: {value}",
        "train": f"  train {{ epochs: 2 value: {value} }}",
    }
    source = "network Generated {\n" + "\n".join(sections[name] for name in order) + "\n}\n"
    network = check_outcome(source)
    assert network is not None, source
    assert network.layers is not None and len(network.layers) == len(layers)
    for layer, line in zip(network.layers, layers, strict=True):
        assert source[layer.span.start : layer.span.end] == line
    assert network.loss is not None
    assert source[network.loss.span.start : network.loss.span.end] == value
