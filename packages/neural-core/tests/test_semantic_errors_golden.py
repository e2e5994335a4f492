"""Golden tests: the exact text a user sees for each kind of semantic error.

Each case is a whole ``.neural`` file and the rendered ``DiagnosticsError``
(``FILE:LINE:COL: error: message``, the line, a caret under the token, the
hint). A change to any message, location or hint shows up here as a diff.
"""

from __future__ import annotations

import pytest

from neural.errors import DiagnosticsError
from neural.program import compile_source

CASES: dict[str, tuple[str, str]] = {
    "unknown_layer": (
        """\
network N {
  input: (28, 28, 1)
  layers:
    Flatten()
    Dens(64)
}
""",
        """\
unknown_layer.neural:5:5: error: unknown layer 'Dens'
        Dens(64)
        ^^^^
    hint: did you mean 'Dense'?
""",
    ),
    "unknown_parameter": (
        """\
network N {
  input: (784,)
  layers:
    Dense(64, activaton="relu")
}
""",
        """\
unknown_parameter.neural:4:15: error: Dense has no parameter 'activaton'
        Dense(64, activaton="relu")
                  ^^^^^^^^^
    hint: did you mean 'activation'?
""",
    ),
    "too_many_positional": (
        """\
network N {
  input: (784,)
  layers:
    Dropout(0.5, 0.2)
}
""",
        """\
too_many_positional.neural:4:18: error: Dropout takes at most 1 positional argument, got 2
        Dropout(0.5, 0.2)
                     ^^^
    hint: the positional order is Dropout(rate); pass the rest by keyword
""",
    ),
    "given_twice": (
        """\
network N {
  input: (784,)
  layers:
    Dense(64, units=128)
}
""",
        """\
given_twice.neural:4:15: error: Dense gets units positionally and by keyword
        Dense(64, units=128)
                  ^^^^^
    hint: give each parameter once
""",
    ),
    "missing_required": (
        """\
network N {
  input: (784,)
  layers:
    Dense(activation="relu")
}
""",
        """\
missing_required.neural:4:5: error: Dense needs units
        Dense(activation="relu")
        ^^^^^
    hint: write Dense(units, activation=none, use_bias=true)
""",
    ),
    "out_of_range_value": (
        """\
network N {
  input: (784,)
  layers:
    Dropout(1.5)
}
""",
        """\
out_of_range_value.neural:4:13: error: rate must be between 0 and 1 (1 excluded), got 1.5
        Dropout(1.5)
                ^^^
    hint: rate: fraction of inputs set to 0; give a number between 0 and 1 (1 excluded)
""",
    ),
    "choice_option_rejected_by_schema": (
        """\
network N {
  input: (784,)
  layers:
    Dense(HPO(choice(64, -1)))
}
""",
        """\
choice_option_rejected_by_schema.neural:4:26: error: units must be a positive integer, got -1
        Dense(HPO(choice(64, -1)))
                             ^^
    hint: units: number of output units; give a positive integer
""",
    ),
    "missing_input": (
        """\
network N {
  layers:
    Dense(64)
}
""",
        """\
missing_input.neural:1:9: error: network 'N' has no input section
    network N {
            ^
    hint: add the shape of one sample, e.g. input: (28, 28, 1)
""",
    ),
    "missing_layers": (
        """\
network N {
  input: (784,)
  loss: "mse"
}
""",
        """\
missing_layers.neural:1:9: error: network 'N' has no layers section
    network N {
            ^
    hint: add a layers section such as: layers: Dense(64, "relu") Output(10, "softmax")
""",
    ),
    "input_not_positive": (
        """\
network N {
  input: (28, 0, 1)
  layers:
    Flatten()
}
""",
        """\
input_not_positive.neural:2:15: error: input dimensions must be positive integers, got 0
      input: (28, 0, 1)
                  ^
    hint: write one sample's shape without the batch, channels last, e.g. input: (28, 28, 1) or (784,)
""",
    ),
    "unknown_optimizer": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  optimizer: Adm(learning_rate=0.01)
}
""",
        """\
unknown_optimizer.neural:5:14: error: unknown optimizer 'Adm'
      optimizer: Adm(learning_rate=0.01)
                 ^^^
    hint: did you mean 'Adam'?
""",
    ),
    "unknown_schedule": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  optimizer: Adam(learning_rate=ExponentialDecy(0.1, 1000, 0.96))
}
""",
        """\
unknown_schedule.neural:5:33: error: unknown learning-rate schedule 'ExponentialDecy'
      optimizer: Adam(learning_rate=ExponentialDecy(0.1, 1000, 0.96))
                                    ^^^^^^^^^^^^^^^
    hint: did you mean 'ExponentialDecay'?
""",
    ),
    "unknown_loss": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  loss: "sparse_categorical_crossentrophy"
}
""",
        """\
unknown_loss.neural:5:9: error: unknown loss 'sparse_categorical_crossentrophy'
      loss: "sparse_categorical_crossentrophy"
            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    hint: did you mean 'sparse_categorical_crossentropy'?
""",
    ),
    "unknown_metric": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  metrics: ["accurracy"]
}
""",
        """\
unknown_metric.neural:5:13: error: unknown metric 'accurracy'
      metrics: ["accurracy"]
                ^^^^^^^^^^^
    hint: did you mean 'accuracy'?
""",
    ),
    "unknown_train_key": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  train {
    epochs: 5
    bach_size: 32
  }
}
""",
        """\
unknown_train_key.neural:7:5: error: unknown train key 'bach_size'
        bach_size: 32
        ^^^^^^^^^
    hint: did you mean 'batch_size'?
""",
    ),
    "train_values_out_of_range": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  train {
    epochs: 0
    validation_split: 1.0
  }
}
""",
        """\
train_values_out_of_range.neural:6:13: error: epochs must be a positive integer, got 0
        epochs: 0
                ^
    hint: epochs: passes over the training data; give a positive integer, or leave it out for the default 10
train_values_out_of_range.neural:7:23: error: validation_split must be between 0 and 1 (1 excluded), got 1.0
        validation_split: 1.0
                          ^^^
    hint: validation_split: fraction of the data held out for validation; give a number between 0 and 1 (1 excluded), or leave it out for the default 0.2
2 errors in train_values_out_of_range.neural
""",
    ),
    "hpo_in_loss": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  loss: HPO(choice("mse", "mae"))
}
""",
        """\
hpo_in_loss.neural:5:9: error: HPO is not allowed in loss
      loss: HPO(choice("mse", "mae"))
            ^^^^^^^^^^^^^^^^^^^^^^^^^
    hint: choose one loss, e.g. loss: "sparse_categorical_crossentropy"
""",
    ),
    "hpo_in_input": (
        """\
network N {
  input: (HPO(choice(28, 32)), 28, 1)
  layers:
    Flatten()
}
""",
        """\
hpo_in_input.neural:2:11: error: HPO is not allowed in input
      input: (HPO(choice(28, 32)), 28, 1)
              ^^^^^^^^^^^^^^^^^^^
    hint: the input shape is fixed by the data; write one sample's shape without the batch, channels last, e.g. input: (28, 28, 1) or (784,)
""",
    ),
    "range_low_not_below_high": (
        """\
network N {
  input: (784,)
  layers:
    Dropout(HPO(range(0.7, 0.3, step=0.1)))
}
""",
        """\
range_low_not_below_high.neural:4:13: error: range low bound 0.7 must be below its high bound 0.3
        Dropout(HPO(range(0.7, 0.3, step=0.1)))
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    hint: write the smaller bound first, e.g. range(0.3, 0.7)
""",
    ),
    "range_step_not_positive": (
        """\
network N {
  input: (784,)
  layers:
    Dropout(HPO(range(0.1, 0.5, step=0)))
}
""",
        """\
range_step_not_positive.neural:4:38: error: range step must be positive, got 0
        Dropout(HPO(range(0.1, 0.5, step=0)))
                                         ^
    hint: use a step above 0, e.g. step=0.1
""",
    ),
    "log_range_bound_not_positive": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  optimizer: Adam(learning_rate=HPO(log_range(0, 0.1)))
}
""",
        """\
log_range_bound_not_positive.neural:5:47: error: log_range bounds must be positive, got 0
      optimizer: Adam(learning_rate=HPO(log_range(0, 0.1)))
                                                  ^
    hint: a log scale needs 0 < low < high, e.g. log_range(1e-4, 1e-2)
""",
    ),
    "range_bound_not_a_number": (
        """\
network N {
  input: (784,)
  layers:
    Dense(HPO(range("8", 64)))
}
""",
        """\
range_bound_not_a_number.neural:4:21: error: range low must be a number, got '8'
        Dense(HPO(range("8", 64)))
                        ^^^
    hint: write numbers, e.g. HPO(range(0.1, 0.5, step=0.1))
""",
    ),
    "empty_choice": (
        """\
network N {
  input: (784,)
  layers:
    Dense(HPO(choice()))
}
""",
        """\
empty_choice.neural:4:11: error: choice needs at least one option
        Dense(HPO(choice()))
              ^^^^^^^^^^^^^
    hint: list the values to try, e.g. HPO(choice(64, 128, 256))
""",
    ),
    "mixed_kind_choice": (
        """\
network N {
  input: (28, 28, 1)
  layers:
    Conv2D(32, HPO(choice(3, "same")))
}
""",
        """\
mixed_kind_choice.neural:4:30: error: choice mixes a number (3) and a string ('same')
        Conv2D(32, HPO(choice(3, "same")))
                                 ^^^^^^
    hint: give every option of one choice the same kind of value
""",
    ),
    "custom_needs_a_dict": (
        """\
network N {
  input: (784,)
  layers:
    Dense(HPO(custom([32, 64])))
}
""",
        """\
custom_needs_a_dict.neural:4:22: error: custom takes one non-empty dict of named options
        Dense(HPO(custom([32, 64])))
                         ^^^^^^^^
    hint: pass one dict of named options, e.g. HPO(custom({"small": 32, "big": 64}))
""",
    ),
    "log_range_has_no_step": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  optimizer: SGD(learning_rate=HPO(log_range(1e-4, 1e-2, step=1e-3)))
}
""",
        """\
log_range_has_no_step.neural:5:58: error: log_range has no keyword 'step'
      optimizer: SGD(learning_rate=HPO(log_range(1e-4, 1e-2, step=1e-3)))
                                                             ^^^^
    hint: a log scale has no step; use range(low, high, step=...) for a stepped grid
""",
    ),
    "nested_hpo": (
        """\
network N {
  input: (784,)
  layers:
    Dense(HPO(choice(32, HPO(choice(64, 128)))))
}
""",
        """\
nested_hpo.neural:4:26: error: HPO expressions cannot be nested
        Dense(HPO(choice(32, HPO(choice(64, 128)))))
                             ^^^^^^^^^^^^^^^^^^^^
    hint: write one HPO(...) that lists every option, e.g. HPO(choice(64, 128, 256))
""",
    ),
    "unknown_hpo_function": (
        """\
network N {
  input: (784,)
  layers:
    Dense(HPO(choise(32, 64)))
}
""",
        """\
unknown_hpo_function.neural:4:15: error: unknown HPO function 'choise'
        Dense(HPO(choise(32, 64)))
                  ^^^^^^
    hint: did you mean 'choice'?
""",
    ),
    "custom_spread_unknown_key": (
        """\
network N {
  input: (28, 28, 1)
  layers:
    Conv2D(HPO(custom({"small": {"filters": 16, "kernel": 3}, "big": {"filters": 32, "kernel_size": 5}})))
    Flatten()
}
""",
        """\
custom_spread_unknown_key.neural:4:33: error: custom option 'small' does not set kernel_size, which Conv2D needs
        Conv2D(HPO(custom({"small": {"filters": 16, "kernel": 3}, "big": {"filters": 32, "kernel_size": 5}})))
                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    hint: add "kernel_size": ... to every option, or write kernel_size=...
custom_spread_unknown_key.neural:4:49: error: custom option 'small': Conv2D has no parameter 'kernel'
        Conv2D(HPO(custom({"small": {"filters": 16, "kernel": 3}, "big": {"filters": 32, "kernel_size": 5}})))
                                                    ^^^^^^^^^^^
    hint: did you mean 'kernel_size'?
2 errors in custom_spread_unknown_key.neural
""",
    ),
    "impossible_shape_names_hpo_values": (
        """\
network N {
  input: (8, 8, 1)
  layers:
    Conv2D(8, HPO(choice(5, 3)))
    MaxPooling2D((2, 2))
    Conv2D(8, (3, 3))
    Flatten()
}
""",
        """\
impossible_shape_names_hpo_values.neural:6:5: error: kernel_size (3, 3) is larger than the input (2, 2) (with conv2d_1.kernel_size = 5)
        Conv2D(8, (3, 3))
        ^^^^^^
    hint: use padding="same", a smaller kernel_size, or fewer downsampling layers before it
""",
    ),
    "dense_on_an_image": (
        """\
network N {
  input: (28, 28, 1)
  layers:
    Conv2D(32, (3, 3), activation="relu")
    Dense(128)
}
""",
        """\
dense_on_an_image.neural:5:5: error: Dense expects a flat input but gets shape (26, 26, 32)
        Dense(128)
        ^^^^^
    hint: add Flatten() before it
""",
    ),
    "several_errors_in_one_file": (
        """\
network N {
  input: (28, 28, 1)
  layers:
    Conv2D(filters=HPO(choice(32, 64)), kernel_size=(3, 3), activation="rellu")
    Flatten()
    Dense(HPO(choice(128, 0)))
    Dropout(HPO(range(0.3, 0.7, stp=0.1)))
    Output(10, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-2, 1e-4)))
  loss: "sparse_categorical_crossentropy"
  train {
    epochs: 10
    search: "random"
  }
}
""",
        """\
several_errors_in_one_file.neural:4:72: error: unknown activation 'rellu' for activation
        Conv2D(filters=HPO(choice(32, 64)), kernel_size=(3, 3), activation="rellu")
                                                                           ^^^^^^^
    hint: did you mean 'relu'?
several_errors_in_one_file.neural:6:27: error: units must be a positive integer, got 0
        Dense(HPO(choice(128, 0)))
                              ^
    hint: units: number of output units; give a positive integer
several_errors_in_one_file.neural:7:33: error: range has no keyword 'stp'
        Dropout(HPO(range(0.3, 0.7, stp=0.1)))
                                    ^^^
    hint: did you mean 'step'?
several_errors_in_one_file.neural:9:33: error: log_range low bound 0.01 must be below its high bound 0.0001
      optimizer: Adam(learning_rate=HPO(log_range(1e-2, 1e-4)))
                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^
    hint: write the smaller bound first, e.g. log_range(0.0001, 0.01)
several_errors_in_one_file.neural:13:5: error: unknown train key 'search'
        search: "random"
        ^^^^^^
    hint: did you mean 'search_method'?
5 errors in several_errors_in_one_file.neural
""",
    ),
    "warnings_beside_an_error": (
        """\
network N {
  input: (4,)
  layers:
    Output(2, "softmax")
    Dense(2, "softmax")
    Dropout(-0.1)
  loss: "mse"
}
""",
        """\
warnings_beside_an_error.neural:4:5: warning: Output is not the last layer
        Output(2, "softmax")
        ^^^^^^
    hint: Output(units, activation) is meant to end the network; use Dense(...) before it
warnings_beside_an_error.neural:6:13: error: rate must be between 0 and 1 (1 excluded), got -0.1
        Dropout(-0.1)
                ^^^^
    hint: rate: fraction of inputs set to 0; give a number between 0 and 1 (1 excluded)
""",
    ),
    "positional_after_spread_custom": (
        """\
network N {
  input: (28, 28, 1)
  layers:
    Conv2D(HPO(custom({"small": {"filters": 16, "kernel_size": 3}, "big": {"filters": 32, "kernel_size": 5}})), "relu")
    Flatten()
}
""",
        """\
positional_after_spread_custom.neural:4:113: error: no positional argument may follow a custom(...) that spreads into keyword arguments
        Conv2D(HPO(custom({"small": {"filters": 16, "kernel_size": 3}, "big": {"filters": 32, "kernel_size": 5}})), "relu")
                                                                                                                    ^^^^^^
    hint: write it as a keyword argument (name=value) after the custom(...)
""",
    ),
    "call_where_a_value_belongs": (
        """\
network N {
  input: (784,)
  layers:
    Dense(Units(64))
}
""",
        """\
call_where_a_value_belongs.neural:4:11: error: units takes a value, not the call Units(...)
        Dense(Units(64))
              ^^^^^^^^^
    hint: write the value itself: a number, string, boolean or tuple
""",
    ),
    "hpo_as_the_optimizer": (
        """\
network N {
  input: (784,)
  layers:
    Dense(10)
  optimizer: HPO(choice("adam", "sgd"))
}
""",
        """\
hpo_as_the_optimizer.neural:5:14: error: HPO is not allowed as the optimizer
      optimizer: HPO(choice("adam", "sgd"))
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^
    hint: choose the optimizer and search its arguments, e.g. Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))
""",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_semantic_error_renders_exactly(case: str) -> None:
    source, expected = CASES[case]
    with pytest.raises(DiagnosticsError) as caught:
        compile_source(source, f"{case}.neural")
    assert caught.value.render() + "\n" == expected


def test_there_are_at_least_fifteen_distinct_error_cases() -> None:
    first_lines = {expected.splitlines()[0].split(": error: ")[-1] for _, expected in CASES.values()}
    assert len(first_lines) >= 15
