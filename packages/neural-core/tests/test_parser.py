"""The parser: every example and guide snippet as written, the IR it builds, spans, the API."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from neural.errors import DiagnosticsError, Span
from neural.lang import ir
from neural.lang.parser import (
    GRAMMAR_PATH,
    IrBuilder,
    _grammar,
    decode_string,
    parse,
    parse_file,
    read_source,
)
from neural.lang.syntax_words import PHRASE_TERMINALS, TERMINAL_WORDS

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.neural"))
GUIDE = ROOT / "docs" / "hpo-guide.md"  # the user guide, in the repository (docs/hpo-guide.md)


def network_with(section_text: str) -> str:
    return f"network Test {{\n{section_text}\n}}\n"


def layers_of(layer_text: str) -> tuple[ir.Layer, ...]:
    layers = parse(network_with(f"  layers:\n    {layer_text}")).layers
    assert layers is not None
    return layers


def value_of(value_text: str) -> ir.Value:
    train = parse(network_with(f"  train {{ value: {value_text} }}")).train
    assert train is not None
    return train[0].value


def text_at(source: str, span: Span) -> str:
    return source[span.start : span.end]


def walk(node: object) -> list[object]:
    """Every IR node under ``node`` (itself included), depth first."""
    found = [node]
    if isinstance(node, tuple):
        return [item for child in node for item in walk(child)]
    for name in getattr(node, "__dataclass_fields__", {}):
        value = getattr(node, name)
        if isinstance(
            value, (tuple, ir.Literal, ir.TupleValue, ir.ListValue, ir.DictValue, ir.DictEntry)
        ) or (hasattr(value, "__dataclass_fields__") and not isinstance(value, Span)):
            found.extend(walk(value))
    return found


# --------------------------------------------------------------------------- examples and the guide


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_example_file_parses_as_written(path: Path) -> None:
    network = parse_file(path)
    assert network.layers
    assert network.input_shape is not None
    assert {section.name for section in network.sections} >= {"input", "layers"}


def test_there_are_examples_to_test() -> None:
    assert len(EXAMPLES) >= 6


def _guide_networks() -> list[str]:
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    return [block for block in blocks if block.lstrip().startswith("network")]


def test_both_networks_of_the_guide_parse_exactly_as_written() -> None:
    networks = _guide_networks()
    assert len(networks) == 2
    for text in networks:
        assert parse(text).layers


# Every snippet of the guide outside its two full networks, verbatim, in the place it belongs.
GUIDE_LAYER_SNIPPETS = [
    "Dense(HPO(choice(64, 128, 256)))",
    "Dropout(HPO(range(0.3, 0.7, step=0.1)))",
    "Conv2D(filters=HPO(choice(32, 64)))",
    "Conv2D(kernel_size=HPO(choice((3,3), (5,5))))",
    'Conv2D(padding=HPO(choice("same", "valid")))',
]
GUIDE_VALUE_SNIPPETS = [
    "HPO(choice(64, 128, 256))       # Choose from discrete values",
    "HPO(range(0.1, 0.5, step=0.1))  # Linear range with step size",
    "HPO(log_range(1e-4, 1e-2))      # Log-scale range (good for learning rates)",
    'HPO(custom({\n  "option1": {"value1": 10, "value2": 20},\n  "option2": {"value1": 30, "value2": 40}\n}))',
]


def test_every_snippet_above_is_in_the_guide_verbatim() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for snippet in [*GUIDE_LAYER_SNIPPETS, *GUIDE_VALUE_SNIPPETS]:
        assert snippet in text, snippet


@pytest.mark.parametrize("snippet", GUIDE_LAYER_SNIPPETS)
def test_guide_layer_snippets_parse(snippet: str) -> None:
    (layer,) = layers_of(snippet)
    assert any(isinstance(value, ir.HpoCall) for value in (*layer.args, *(k.value for k in layer.kwargs)))


@pytest.mark.parametrize("snippet", GUIDE_VALUE_SNIPPETS)
def test_guide_hpo_snippets_parse_as_values_with_their_comments(snippet: str) -> None:
    assert isinstance(value_of(snippet + "\n"), ir.HpoCall)


def test_guide_optimizer_and_schedule_snippets_parse() -> None:
    network = parse(
        network_with(
            "  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))\n"
            '  loss: "mse"\n'
            "  train { x: ExponentialDecay(0.1, HPO(choice(500, 1000)), 0.96) }"
        )
    )
    assert isinstance(network.optimizer, ir.Call) and network.optimizer.name == "Adam"
    assert network.train is not None
    schedule = network.train[0].value
    assert isinstance(schedule, ir.Call) and isinstance(schedule.args[1], ir.HpoCall)


def test_guide_train_snippets_parse() -> None:
    train = parse(
        network_with(
            "  train {\n"
            "    early_stopping: true\n"
            "    patience: 5  # Number of epochs with no improvement\n"
            "    min_delta: 0.001  # Minimum change to qualify as improvement\n"
            '    search_method: "grid"\n'
            "  }"
        )
    ).train
    assert train is not None
    assert [(entry.name, entry.value) for entry in train] == [
        ("early_stopping", ir.Literal(True)),
        ("patience", ir.Literal(5)),
        ("min_delta", ir.Literal(0.001)),
        ("search_method", ir.Literal("grid")),
    ]


# --------------------------------------------------------------------------- the IR of the examples


def test_advanced_example_builds_the_expected_ir() -> None:
    network = parse_file(ROOT / "examples" / "advanced_hpo.neural")
    assert network.name == "AdvancedHPOExample"
    assert network.input_shape == ir.TupleValue((ir.Literal(28), ir.Literal(28), ir.Literal(1)))
    assert network.layers is not None
    assert [layer.name for layer in network.layers] == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
        "Dropout",
        "Output",
    ]
    conv = network.layers[0]
    assert conv.args == ()
    assert [keyword.name for keyword in conv.kwargs] == ["filters", "kernel_size", "padding", "activation"]
    assert conv.kwargs[1].value == ir.HpoCall(
        "choice",
        (ir.TupleValue((ir.Literal(3), ir.Literal(3))), ir.TupleValue((ir.Literal(5), ir.Literal(5)))),
        (),
    )
    assert network.layers[7] == ir.Layer("Output", (ir.Literal(10), ir.Literal("softmax")), ())
    optimizer = network.optimizer
    assert isinstance(optimizer, ir.Call) and optimizer.name == "Adam"
    schedule = optimizer.kwargs[0].value
    assert isinstance(schedule, ir.Call) and schedule.name == "ExponentialDecay"
    assert [arg.function for arg in schedule.args if isinstance(arg, ir.HpoCall)] == [
        "log_range",
        "choice",
        "range",
    ]
    assert network.loss == ir.Literal("sparse_categorical_crossentropy")
    assert network.train is not None
    assert network.train[1] == ir.Keyword(
        "batch_size", ir.HpoCall("choice", tuple(map(ir.Literal, (32, 64, 128))), ())
    )


def test_custom_example_keeps_nested_dicts_and_repeat() -> None:
    network = parse_file(ROOT / "examples" / "custom_conv.neural")
    assert network.layers is not None
    custom = network.layers[0].args[0]
    assert isinstance(custom, ir.HpoCall) and custom.function == "custom"
    (options,) = custom.args
    assert isinstance(options, ir.DictValue)
    assert [entry.key for entry in options.entries] == ["small", "big"]
    assert options.entries[1].value == ir.DictValue(
        (ir.DictEntry("filters", ir.Literal(32)), ir.DictEntry("kernel_size", ir.Literal(5)))
    )
    dense = network.layers[3]
    assert (dense.name, dense.repeat) == ("Dense", 2)
    optimizer = network.optimizer
    assert isinstance(optimizer, ir.Call)
    log_range = optimizer.kwargs[0].value
    assert isinstance(log_range, ir.HpoCall)
    assert [(k.name, k.value) for k in log_range.kwargs] == [
        ("min", ir.Literal(0.001)),
        ("max", ir.Literal(0.1)),
    ]


def test_sections_in_any_order_are_recorded_in_source_order() -> None:
    network = parse_file(ROOT / "examples" / "mlp_digits.neural")
    assert [section.name for section in network.sections] == [
        "layers",
        "input",
        "loss",
        "optimizer",
        "metrics",
        "train",
    ]
    assert network.metrics == ir.ListValue((ir.Literal("accuracy"),))
    assert network.input_shape == ir.TupleValue((ir.Literal(64),))


def test_absent_sections_are_none_and_an_empty_layers_section_is_empty() -> None:
    network = parse("network Empty {\n  layers:\n}\n")
    assert network.layers == ()
    assert (network.input_shape, network.optimizer, network.loss, network.metrics, network.train) == (
        None,
    ) * 5
    bare = parse("network Bare {}")
    assert bare.layers is None and bare.sections == ()


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("-3", -3),
        ("+2", 2),
        ("0", 0),
        ("1e-4", 1e-4),
        (".5", 0.5),
        ("-.5", -0.5),
        ("2.", 2.0),
        ("1E3", 1000.0),
        ("0.001", 0.001),
        ("true", True),
        ("True", True),
        ("false", False),
        ("False", False),
        ("none", None),
        ("None", None),
        ('"relu"', "relu"),
        ("'relu'", "relu"),
        ('""', ""),
        (r'"a\"b"', 'a"b'),
        (r"'it\'s'", "it's"),
        (r'"tab\there"', "tab\there"),
        (r'"line\nbreak"', "line\nbreak"),
        (r'"back\\slash"', "back\\slash"),
        (r'"\u00e9t\xe9"', "été"),
        (r'"C:\data"', "C:\\data"),
        ('"# not a comment"', "# not a comment"),
        ('"// nor this"', "// nor this"),
    ],
)
def test_literals_are_decoded(text: str, value: object) -> None:
    literal = value_of(text)
    assert isinstance(literal, ir.Literal)
    assert literal.value == value and type(literal.value) is type(value)


def test_integers_stay_integers_and_floats_floats() -> None:
    assert type(value_of("32").value) is int  # type: ignore[union-attr]
    assert type(value_of("32.0").value) is float  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("()", ir.TupleValue(())),
        ("(784,)", ir.TupleValue((ir.Literal(784),))),
        ("(3, 3)", ir.TupleValue((ir.Literal(3), ir.Literal(3)))),
        ("(3, 3,)", ir.TupleValue((ir.Literal(3), ir.Literal(3)))),
        ("[]", ir.ListValue(())),
        ('["accuracy"]', ir.ListValue((ir.Literal("accuracy"),))),
        (
            "[1, [2, (3,)]]",
            ir.ListValue((ir.Literal(1), ir.ListValue((ir.Literal(2), ir.TupleValue((ir.Literal(3),)))))),
        ),
        ("{}", ir.DictValue(())),
        (
            '{"k": 1, "j": "v",}',
            ir.DictValue((ir.DictEntry("k", ir.Literal(1)), ir.DictEntry("j", ir.Literal("v")))),
        ),
        ("F()", ir.Call("F", (), ())),
        ("F(1, b=2)", ir.Call("F", (ir.Literal(1),), (ir.Keyword("b", ir.Literal(2)),))),
        ("F(1, b=2,)", ir.Call("F", (ir.Literal(1),), (ir.Keyword("b", ir.Literal(2)),))),
    ],
)
def test_containers_and_calls(text: str, value: ir.Value) -> None:
    assert value_of(text) == value


def test_a_parenthesized_single_value_is_a_one_tuple() -> None:
    assert value_of("(784)") == ir.TupleValue((ir.Literal(784),))


def test_hpo_takes_any_function_name_and_nested_hpo_just_parses() -> None:
    assert value_of("HPO(whatever(1, x=2))") == ir.HpoCall(
        "whatever", (ir.Literal(1),), (ir.Keyword("x", ir.Literal(2)),)
    )
    nested = value_of("HPO(choice(HPO(choice(1, 2)), 3))")
    assert isinstance(nested, ir.HpoCall) and isinstance(nested.args[0], ir.HpoCall)


def test_keywords_are_ordinary_names_where_no_keyword_fits() -> None:
    network = parse(
        'network N {\n  layers:\n    Dense(loss=1, input=3)\n  train { loss: "x", layers: 2, train: none }\n}\n'
    )
    assert network.layers is not None and network.train is not None
    assert [keyword.name for keyword in network.layers[0].kwargs] == ["loss", "input"]
    assert [entry.name for entry in network.train] == ["loss", "layers", "train"]


def test_names_that_start_with_a_keyword_are_names() -> None:
    assert value_of("trueish(1)") == ir.Call("trueish", (ir.Literal(1),), ())
    assert value_of("HPOx()") == ir.Call("HPOx", (), ())


# --------------------------------------------------------------------------- layout


def test_layout_comments_and_whitespace_are_free() -> None:
    compact = parse('network N{input:(8,)layers:Dense(4,"relu")*2 Output(2)loss:"mse"train{epochs:1 seed:2}}')
    spread = parse(
        "// leading comment\n"
        "network N   # trailing comment\n"
        "{\n"
        "  input :\n"
        "    ( 8 , )   // comment inside a tuple\n"
        "  layers :\n"
        "    Dense (  # comment inside a call\n"
        "      4 ,\n"
        '      "relu"  // another\n'
        "    )\n"
        "    *\n"
        "    2\n"
        "    Output(2)\n"
        '  loss: "mse"\n'
        "  train {\n"
        "    epochs: 1, seed: 2,\n"
        "  }\n"
        "}\n"
        "# trailing comment at the end of the file"
    )
    assert compact == spread


def test_train_entries_may_be_separated_by_newlines_commas_or_spaces() -> None:
    expected = (ir.Keyword("dataset", ir.Literal("synthetic")), ir.Keyword("epochs", ir.Literal(1)))
    for body in (
        'dataset: "synthetic"  epochs: 1',
        'dataset: "synthetic", epochs: 1',
        'dataset: "synthetic"\n epochs: 1',
    ):
        assert parse(network_with(f"  train {{ {body} }}")).train == expected
    assert parse(network_with("  train { }")).train == ()


def test_crlf_line_endings_and_a_byte_order_mark_parse() -> None:
    source = "\ufeffnetwork N {\r\n  layers:\r\n    Dense(4)\r\n}\r\n"
    network = parse(source)
    assert network.layers is not None
    assert network.layers[0].span.line == 3


# --------------------------------------------------------------------------- spans


def test_spans_cover_exactly_the_text_of_each_node() -> None:
    path = ROOT / "examples" / "advanced_hpo.neural"
    source = path.read_text(encoding="utf-8")
    network = parse(source)
    assert text_at(source, network.span) == source.strip()
    assert text_at(source, network.name_span) == "AdvancedHPOExample"
    assert network.layers is not None
    assert text_at(source, network.layers[4].span) == "Flatten()"
    assert text_at(source, network.layers[0].name_span) == "Conv2D"
    assert text_at(source, network.layers[0].span).startswith("Conv2D(\n      filters=HPO(")
    assert text_at(source, network.layers[0].span).endswith('activation="relu"\n    )')
    filters = network.layers[0].kwargs[0]
    assert text_at(source, filters.span) == "filters=HPO(choice(32, 64))"
    assert text_at(source, filters.name_span) == "filters"
    assert [text_at(source, section.span) for section in network.sections] == [
        "input",
        "layers",
        "optimizer",
        "loss",
        "train",
    ]
    assert network.train is not None
    assert text_at(source, network.train[1].span) == "batch_size: HPO(choice(32, 64, 128))"


def test_every_hpo_span_is_exactly_its_hpo_text() -> None:
    for path in EXAMPLES:
        source = path.read_text(encoding="utf-8")
        hpos = [node for node in walk(parse(source)) if isinstance(node, ir.HpoCall)]
        assert len(hpos) == source.count("HPO(")
        for hpo in hpos:
            text = text_at(source, hpo.span)
            assert text.startswith("HPO(") and text.endswith(")")
            assert text.count("(") == text.count(")")
        for hpo in hpos:
            assert text_at(source, hpo.function_span) == hpo.function


def test_spans_use_one_based_lines_and_columns_with_exclusive_ends() -> None:
    source = 'network N {\n  loss: "mse"\n}'
    network = parse(source)
    assert network.loss is not None
    assert network.loss.span == Span(line=2, column=9, end_line=2, end_column=14, start=20, end=25)
    assert network.span == Span(1, 1, 3, 2, 0, len(source))


def test_multi_line_spans_end_on_their_last_line() -> None:
    source = network_with("  optimizer: Adam(\n    learning_rate=0.1\n  )")
    optimizer = parse(source).optimizer
    assert optimizer is not None
    assert (optimizer.span.line, optimizer.span.end_line, optimizer.span.end_column) == (2, 4, 4)
    assert text_at(source, optimizer.span) == "Adam(\n    learning_rate=0.1\n  )"


def test_repeat_span_is_the_count_and_literal_spans_exclude_quotes_never() -> None:
    source = network_with('  layers:\n    Dense(64, "relu") * 3')
    (layer,) = parse(source).layers or ()
    assert layer.repeat == 3
    assert text_at(source, layer.repeat_span) == "3"
    assert text_at(source, layer.span) == 'Dense(64, "relu") * 3'
    assert text_at(source, layer.args[1].span) == '"relu"'


def test_every_node_of_every_example_has_a_span_inside_the_file() -> None:
    for path in EXAMPLES:
        source = path.read_text(encoding="utf-8")
        for node in walk(parse(source)):
            span = getattr(node, "span", None)
            if span is None:
                continue
            assert 1 <= span.line <= span.end_line <= source.count("\n") + 1
            assert 0 <= span.start < span.end <= len(source)


# --------------------------------------------------------------------------- the API


def test_parse_file_reads_utf8_and_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "model.neural"
    path.write_text('network N {\n  loss: "élan"\n  layers: Dense(\n}\n', encoding="utf-8")
    with pytest.raises(DiagnosticsError) as caught:
        parse_file(path)
    assert str(caught.value).startswith(f"{path}:4:1: error: ")
    path.write_text('network N {\n  loss: "élan"\n}\n', encoding="utf-8")
    assert parse_file(str(path)).loss == ir.Literal("élan")


def test_a_file_that_is_not_utf8_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.neural"
    path.write_bytes('network N {\n  loss: "\xe9"\n}\n'.encode("latin-1"))
    with pytest.raises(DiagnosticsError) as caught:
        parse_file(path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 10)
    assert "not UTF-8" in diagnostic.message and diagnostic.hint


def test_a_missing_file_is_a_diagnostics_error(tmp_path: Path) -> None:
    with pytest.raises(DiagnosticsError, match="cannot read"):
        parse_file(tmp_path / "nope.neural")


def test_read_source_gives_universal_newlines(tmp_path: Path) -> None:
    path = tmp_path / "crlf.neural"
    path.write_bytes(b"network N {\r\n}\r\n")
    assert read_source(path) == "network N {\n}\n"


def test_decode_string_keeps_unknown_escapes_and_decodes_unicode() -> None:
    assert decode_string(r'"\q\U0001F600"') == "\\q\U0001f600"
    assert decode_string(r'"\U00110000"') == "\\U00110000"


def test_importing_the_parser_neither_imports_lark_nor_builds_the_grammar() -> None:
    code = (
        "import sys\n"
        "import neural.lang, neural.lang.parser, neural.lang.syntax_errors\n"
        "assert 'lark' not in sys.modules, sorted(m for m in sys.modules if 'lark' in m)\n"
        "from neural.lang.parser import _grammar\n"
        "assert _grammar.cache_info().currsize == 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_grammar_is_built_once() -> None:
    assert _grammar() is _grammar()


# --------------------------------------------------------------------------- the machinery


def test_every_grammar_rule_has_a_builder_method() -> None:
    import lark

    rules = lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr").rules
    named = {str(rule.origin.name) for rule in rules if not str(rule.origin.name).startswith("_")}
    expanded_only = {"value"}  # `?value` only ever passes its single child through
    assert {name for name in named - expanded_only if not hasattr(IrBuilder, name)} == set()


def test_a_forgotten_rule_is_an_error_not_a_tree() -> None:
    with pytest.raises(NotImplementedError, match="no method for grammar rule 'mystery'"):
        IrBuilder().__default__("mystery", [], None)


def test_every_terminal_has_words_for_error_messages() -> None:
    import lark

    grammar = lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr")
    terminals = {terminal.name for terminal in grammar.terminals} - set(grammar.ignore_tokens)
    assert terminals - set(TERMINAL_WORDS) - PHRASE_TERMINALS == set()


def test_our_lexer_reads_the_examples_exactly_as_lark_does() -> None:
    import lark

    reference = lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", lexer="basic")
    terminals = _grammar().terminals
    for path in EXAMPLES:
        source = path.read_text(encoding="utf-8")
        theirs = [
            (t.type, t.value, t.line, t.column, t.end_column, t.start_pos, t.end_pos)
            for t in reference.lex(source)
        ]
        ours = [
            (t.type, t.value, t.line, t.column, t.end_column, t.start_pos, t.end_pos)
            for t in terminals.tokens(source, keywords_everywhere=True)
        ]
        assert ours == theirs


@functools.cache
def lark_reference_parser() -> Any:
    """lark's own LALR parser and contextual lexer, with our IrBuilder: what our loop must match."""
    import lark

    return lark.Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        transformer=IrBuilder(),
        maybe_placeholders=False,
    )


def test_our_parse_loop_builds_the_same_ir_as_larks_own() -> None:
    reference = lark_reference_parser()
    sources = [path.read_text(encoding="utf-8") for path in EXAMPLES]
    sources.append("network N {\n  layers:\n    Dense(loss=1)\n  train { loss: true, input: None }\n}\n")
    for source in sources:
        ours, theirs = parse(source), reference.parse(source)
        assert ours == theirs
        assert ir.to_json_data(ours) == ir.to_json_data(theirs)  # spans included


BROKEN_SOURCES = [
    'network N {\n  layers:\n    Dense(64 "relu")\n}\n',
    'network N {\n  layers:\n    Dense(64, "relu"\n    Dropout(0.5)\n}\n',
    'network N {\n  loss: "mse\n}\n',
    "network N {\n  layers:\n    Dense(@64)\n}\n",
    "network N {\n  train {\n    epochs = 10\n  }\n}\n",
    "network N {\n  layers:\n    Flatten\n    Dense(10)\n}\n",
    "network N {\n  layers:\n    Dense(HPO(64))\n}\n",
    "network N {\n  layers:\n    Dense(64)\n",
    "network N {\n  layers:\n    Dense(64,",
    "",
    "network N {\n  layers:\n    Dense(64)\n}\n}\n",
    'network N {\n  optimizer: Adam(learning_rate=ExponentialDecay(0.1, 100, 0.9)\n  loss: "mse"\n}\n',
]


@pytest.mark.parametrize("source", BROKEN_SOURCES)
def test_our_parse_loop_fails_where_larks_own_fails_expecting_the_same(source: str) -> None:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    from neural.lang.syntax_errors import UnexpectedCharacterError, UnexpectedTokenError

    reference = lark_reference_parser()
    grammar = _grammar()
    with pytest.raises((UnexpectedTokenError, UnexpectedCharacterError)) as ours:
        grammar.lalr.parse(grammar.terminals.tokens(source))
    with pytest.raises((UnexpectedToken, UnexpectedCharacters)) as theirs:
        reference.parse(source)
    if isinstance(ours.value, UnexpectedCharacterError):
        assert isinstance(theirs.value, UnexpectedCharacters)
        assert ours.value.offset == theirs.value.pos_in_stream
        return
    assert isinstance(ours.value, UnexpectedTokenError)
    assert isinstance(theirs.value, UnexpectedToken)
    assert ours.value.token.type == theirs.value.token.type
    if ours.value.token.type != "$END":
        assert ours.value.token.start_pos == theirs.value.token.start_pos
    assert ours.value.expected == theirs.value.accepts


@pytest.mark.parametrize(
    ("source", "line", "column"), [("", 1, 1), ("  \n\n", 1, 1), ("# a comment\n\n", 1, 12)]
)
def test_a_file_without_a_network_is_located_at_its_end(source: str, line: int, column: int) -> None:
    with pytest.raises(DiagnosticsError, match="the file holds no network") as caught:
        parse(source)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)


def test_nesting_up_to_the_limit_parses_and_beyond_it_is_located() -> None:
    from neural.lang.lexer import MAX_NESTING

    deep = "(" * (MAX_NESTING - 2) + ")" * (MAX_NESTING - 2)  # inside the network's and train's braces
    value = value_of(deep)
    assert ir.from_json_data(ir.to_json_data(value)) == value  # later recursive walks stay inside the stack
    source = network_with(f"  input: {'[' * MAX_NESTING}{']' * MAX_NESTING}")
    with pytest.raises(DiagnosticsError, match="nest more than") as caught:
        parse(source)
    assert caught.value.diagnostics[0].span.column == len("  input: ") + MAX_NESTING


def test_the_builders_fast_spans_are_ordinary_spans() -> None:
    from neural.lang.ir_builder import _make_span

    fast, normal = _make_span(2, 3, 4, 5, 6, 7), Span(2, 3, 4, 5, 6, 7)
    assert (fast, hash(fast), repr(fast), fast.to_dict()) == (
        normal,
        hash(normal),
        repr(normal),
        normal.to_dict(),
    )


def test_parse_accepts_utf8_bytes_and_locates_bytes_that_are_not() -> None:
    assert parse(b'network N {\r\n  loss: "\xc3\xa9"\r\n}\r\n').loss == ir.Literal("é")
    with pytest.raises(DiagnosticsError, match="not UTF-8") as caught:
        parse(b"network N {\n  \xff\n}\n", "bytes.neural")
    assert caught.value.diagnostics[0].span.line == 2
