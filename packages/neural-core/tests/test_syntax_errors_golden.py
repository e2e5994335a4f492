"""The exact text of syntax errors (DESIGN.md §7): header, source line, caret, hint.

Each case pins one kind of mistake. The semantic errors (unknown layers, bad
ranges, shapes) are pinned by ``test_semantic_errors_golden.py``.
"""

from __future__ import annotations

import pytest

from neural.errors import DiagnosticsError
from neural.lang.parser import parse

# name, source, the rendered error (DiagnosticsError's str) plus a newline
CASES = [
    (
        "missing_comma_between_arguments",
        'network N {\n  layers:\n    Dense(64 "relu")\n}\n',
        """\
model.neural:3:14: error: missing ',' between arguments
        Dense(64 "relu")
                 ^^^^^^
    hint: expected ',' or ')'
""",
    ),
    (
        "missing_comma_in_a_multi_line_call",
        "network N {\n  layers:\n    Conv2D(\n      filters=32\n      kernel_size=3\n    )\n}\n",
        """\
model.neural:5:7: error: missing ',' between arguments
          kernel_size=3
          ^^^^^^^^^^^
    hint: expected ',' or ')'
""",
    ),
    (
        "missing_comma_between_tuple_items",
        "network N {\n  input: (28 28, 1)\n}\n",
        """\
model.neural:2:14: error: missing ',' between items
      input: (28 28, 1)
                 ^^
    hint: expected ',' or ')'
""",
    ),
    (
        "unclosed_parenthesis_before_the_next_layer",
        'network N {\n  layers:\n    Dense(64, "relu"\n    Dropout(0.5)\n}\n',
        """\
model.neural:3:21: error: missing ')' to close the '(' on line 3
        Dense(64, "relu"
                        ^
    hint: expected ',' or ')'
""",
    ),
    (
        "unterminated_string",
        'network N {\n  loss: "mse\n}\n',
        """\
model.neural:2:9: error: unterminated string
      loss: "mse
            ^^^^
    hint: close it with " on the same line
""",
    ),
    (
        "unexpected_character",
        "network N {\n  layers:\n    Dense(@64)\n}\n",
        """\
model.neural:3:11: error: unexpected character '@'
        Dense(@64)
              ^
    hint: expected an argument or ')'
""",
    ),
    (
        "invisible_unexpected_character",
        "network N {\n  input:\xa0(3,)\n}\n",
        """\
model.neural:2:9: error: unexpected character U+00A0 (no-break space)
      input:\u00a0(3,)
            ^
    hint: expected a value
""",
    ),
    (
        "equals_instead_of_colon_in_train_block",
        "network N {\n  train {\n    epochs = 10\n  }\n}\n",
        """\
model.neural:3:12: error: expected ':' here, not '='
        epochs = 10
               ^
    hint: train settings are written 'key: value', e.g. 'epochs: 10'
""",
    ),
    (
        "colon_instead_of_equals_in_a_call",
        "network N {\n  layers:\n    Dense(units: 64)\n}\n",
        """\
model.neural:3:16: error: expected '=' here, not ':'
        Dense(units: 64)
                   ^
    hint: keyword arguments are written name=value: write 'units=' instead of 'units:'
""",
    ),
    (
        "layer_without_parentheses",
        "network N {\n  layers:\n    Flatten\n    Dense(10)\n}\n",
        """\
model.neural:3:5: error: layer 'Flatten' needs parentheses
        Flatten
        ^^^^^^^
    hint: write Flatten()
""",
    ),
    (
        "unquoted_string_value",
        "network N {\n  layers:\n    Dense(64, activation=relu)\n}\n",
        """\
model.neural:3:26: error: 'relu' is not a value
        Dense(64, activation=relu)
                             ^^^^
    hint: write a string in quotes, "relu", or a call, relu(...)
""",
    ),
    (
        "misspelled_constant",
        "network N {\n  layers:\n    LSTM(3, return_sequences=ture)\n}\n",
        """\
model.neural:3:30: error: 'ture' is not a value
        LSTM(3, return_sequences=ture)
                                 ^^^^
    hint: did you mean 'true'?
""",
    ),
    (
        "hpo_without_a_search_function",
        "network N {\n  layers:\n    Dense(HPO(64))\n}\n",
        """\
model.neural:3:15: error: HPO(...) needs a search function
        Dense(HPO(64))
                  ^^
    hint: write HPO(choice(a, b, ...)), HPO(range(low, high)), HPO(log_range(low, high)) or HPO(custom({...}))
""",
    ),
    (
        "hpo_function_without_arguments",
        "network N {\n  layers:\n    Dense(HPO(choice))\n}\n",
        """\
model.neural:3:15: error: 'choice' inside HPO(...) needs its arguments
        Dense(HPO(choice))
                  ^^^^^^
    hint: write HPO(choice(...)) with its options, e.g. HPO(choice(32, 64))
""",
    ),
    (
        "end_of_file_inside_the_network",
        "network N {\n  layers:\n    Dense(64)\n",
        """\
model.neural:3:14: error: unexpected end of file; expected a layer such as Dense(64), a section such as 'layers:' or '}'
        Dense(64)
                 ^
    hint: the '{' on line 1, column 11 is never closed
""",
    ),
    (
        "end_of_file_inside_a_call",
        "network N {\n  layers:\n    Dense(64,",
        """\
model.neural:3:14: error: unexpected end of file; expected an argument or ')'
        Dense(64,
                 ^
    hint: the '(' on line 3, column 10 is never closed
""",
    ),
    (
        "file_without_a_network",
        "# a model, some day\n",
        """\
model.neural:1:20: error: the file holds no network
    # a model, some day
                       ^
    hint: write 'network NAME { ... }' with its sections inside the braces
""",
    ),
    (
        "unmatched_closing_brace",
        "network N {\n  layers:\n    Dense(64)\n}\n}\n",
        """\
model.neural:5:1: error: unmatched '}'
    }
    ^
    hint: the network is already closed above; remove this '}' or check that the braces above match
""",
    ),
    (
        "mismatched_bracket",
        "network N {\n  layers:\n    Dense(64]\n}\n",
        """\
model.neural:3:13: error: unexpected ']'
        Dense(64]
                ^
    hint: expected ',' or ')'; the '(' on line 3, column 10 is still open
""",
    ),
    (
        "unknown_section",
        "network N {\n  optimiser: Adam()\n}\n",
        """\
model.neural:2:3: error: unknown section 'optimiser'
      optimiser: Adam()
      ^^^^^^^^^
    hint: did you mean 'optimizer'?
""",
    ),
    (
        "unknown_section_after_layers",
        "network N {\n  layers:\n    Dense(64)\n  optimiser: Adam()\n}\n",
        """\
model.neural:4:3: error: unknown section 'optimiser'
      optimiser: Adam()
      ^^^^^^^^^
    hint: did you mean 'optimizer'?
""",
    ),
    (
        "misspelled_train_block_after_layers",
        "network N {\n  layers:\n    Dense(3)\n  trian {\n    epochs: 1\n  }\n}\n",
        """\
model.neural:4:3: error: unknown section 'trian'
      trian {
      ^^^^^
    hint: did you mean 'train'?
""",
    ),
    (
        "duplicate_section",
        'network N {\n  loss: "mse"\n  layers:\n    Dense(1)\n  loss: "mae"\n}\n',
        """\
model.neural:5:3: error: duplicate section 'loss'
      loss: "mae"
      ^^^^
    hint: 'loss' is first given at line 2, column 3; merge them into one
""",
    ),
    (
        "positional_after_keyword",
        'network N {\n  layers:\n    Dense(units=64, "relu")\n}\n',
        """\
model.neural:3:21: error: positional argument after a keyword argument
        Dense(units=64, "relu")
                        ^^^^^^
    hint: move it before 'units=', or name it: name=value
""",
    ),
    (
        "repeat_count_not_positive",
        "network N {\n  layers:\n    Dense(64) * 0\n}\n",
        """\
model.neural:3:17: error: the repeat count after '*' must be a positive whole number, not 0
        Dense(64) * 0
                    ^
    hint: write Dense(...) * 2 for two copies
""",
    ),
    (
        "train_with_a_colon",
        "network N {\n  train: {\n    epochs: 1\n  }\n}\n",
        """\
model.neural:2:8: error: expected '{' after 'train'
      train: {
           ^
    hint: write 'train {' without ':'
""",
    ),
    (
        "misspelled_network_keyword",
        "netwrk N {\n}\n",
        """\
model.neural:1:1: error: unexpected name 'netwrk'
    netwrk N {
    ^^^^^^
    hint: did you mean 'network'?
""",
    ),
    (
        "keyword_argument_given_twice",
        "network N {\n  layers:\n    Dense(units=1, units=2)\n}\n",
        """\
model.neural:3:20: error: keyword argument 'units' is given twice
        Dense(units=1, units=2)
                       ^^^^^
    hint: it is first given at line 3, column 11; keep one of them
""",
    ),
    (
        "train_setting_given_twice",
        "network N {\n  train { epochs: 1, epochs: 2 }\n}\n",
        """\
model.neural:2:22: error: train setting 'epochs' is given twice
      train { epochs: 1, epochs: 2 }
                         ^^^^^^
    hint: it is first given at line 2, column 11; keep one of them
""",
    ),
    (
        "layer_outside_the_layers_section",
        "network N {\n  input: (28, 28, 1)\n  Dense(64)\n}\n",
        """\
model.neural:3:3: error: layer 'Dense' is outside the 'layers:' section
      Dense(64)
      ^^^^^
    hint: list the layers after 'layers:'
""",
    ),
    (
        "dict_key_not_a_string",
        "network N {\n  layers:\n    Dense(HPO(custom({a: 1})))\n}\n",
        """\
model.neural:3:23: error: dict keys must be strings
        Dense(HPO(custom({a: 1})))
                          ^
    hint: write "a"
""",
    ),
    (
        "input_shape_without_parentheses",
        "network N {\n  input: 28, 28, 1\n}\n",
        """\
model.neural:2:12: error: the input shape must be a tuple
      input: 28, 28, 1
               ^
    hint: write it in parentheses: input: (28, 28, 1)
""",
    ),
    (
        "missing_value_after_equals",
        "network N {\n  layers:\n    Dense(units=)\n}\n",
        """\
model.neural:3:17: error: missing value after 'units='
        Dense(units=)
                    ^
    hint: expected a value
""",
    ),
    (
        "missing_train_value_before_the_brace",
        "network N {\n  train {\n    epochs:\n  }\n}\n",
        """\
model.neural:3:12: error: missing value after 'epochs:'
        epochs:
               ^
    hint: expected a value
""",
    ),
    (
        "hpo_with_two_arguments",
        "network N {\n  layers:\n    Dense(HPO(choice(1, 2), 3))\n}\n",
        """\
model.neural:3:27: error: HPO(...) takes exactly one search function
        Dense(HPO(choice(1, 2), 3))
                              ^
    hint: close HPO( right after its function: HPO(choice(32, 64))
""",
    ),
    (
        "second_network",
        "network N {\n}\nnetwork M {\n}\n",
        """\
model.neural:3:1: error: unexpected name 'network' after the end of the network
    network M {
    ^^^^^^^
    hint: a file holds one 'network NAME { ... }'; move this inside its braces
""",
    ),
    (
        "unclosed_call_before_the_next_section",
        'network N {\n  optimizer: Adam(learning_rate=ExponentialDecay(0.1, 100, 0.9)\n  loss: "mse"\n}\n',
        """\
model.neural:2:64: error: missing ')' to close the '(' on line 2
      optimizer: Adam(learning_rate=ExponentialDecay(0.1, 100, 0.9)
                                                                   ^
    hint: expected ',' or ')'
""",
    ),
    (
        "missing_comma_between_list_items",
        'network N {\n  metrics: ["accuracy" "loss"]\n}\n',
        """\
model.neural:2:24: error: missing ',' between items
      metrics: ["accuracy" "loss"]
                           ^^^^^^
    hint: expected ',' or ']'
""",
    ),
    (
        "tabs_keep_the_caret_aligned",
        'network N {\n\tlayers:\n\t\tDense(64 "relu")\n}\n',
        """\
model.neural:3:12: error: missing ',' between arguments
            Dense(64 "relu")
                     ^^^^^^
    hint: expected ',' or ')'
""",
    ),
]


@pytest.mark.parametrize(
    ("source", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_syntax_error_renders_exactly(source: str, expected: str) -> None:
    with pytest.raises(DiagnosticsError) as caught:
        parse(source, "model.neural")
    assert str(caught.value) + "\n" == expected
    assert len(caught.value.diagnostics) == 1


def test_golden_cases_are_distinct_and_plentiful() -> None:
    messages = set()
    for _, source, _expected in CASES:
        with pytest.raises(DiagnosticsError) as caught:
            parse(source, "model.neural")
        messages.add(caught.value.diagnostics[0].message.split("'")[0])
    assert len(CASES) >= 12 and len(messages) >= 12


@pytest.mark.parametrize("source", [case[1] for case in CASES], ids=[case[0] for case in CASES])
def test_no_error_names_a_lark_terminal(source: str) -> None:
    with pytest.raises(DiagnosticsError) as caught:
        parse(source, "model.neural")
    text = str(caught.value)
    for internal in ("RPAR", "LPAR", "RBRACE", "LSQB", "_COMMA", "__ANON", "$END", "NUMBER", "STRING"):
        assert internal not in text
