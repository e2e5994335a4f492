"""A linear output with a cross-entropy loss is said to give logits, at the layer; validation_split 0
is accepted and the objective falls back to the training metric, said once by the check."""

from __future__ import annotations

import pytest

from neural.program import compile_source


def network(output: str, loss: str = "sparse_categorical_crossentropy", train: str = "epochs: 1") -> str:
    return f"""network Head {{
  input: (6,)
  layers:
    Dense(8, "relu")
    {output}
  loss: "{loss}"
  train {{ {train} }}
}}
"""


def warnings_of(source: str) -> list[str]:
    return [warning.message for warning in compile_source(source, "head.neural").warnings]


@pytest.mark.parametrize(
    ("output", "loss", "squash"),
    [
        ("Output(3)", "sparse_categorical_crossentropy", "softmax"),
        ('Output(3, "linear")', "categorical_crossentropy", "softmax"),
        ("Output(1)", "binary_crossentropy", "sigmoid"),
    ],
)
def test_a_linear_output_with_cross_entropy_is_located_and_said_to_give_logits(
    output: str, loss: str, squash: str
) -> None:
    program = compile_source(network(output, loss), "head.neural")
    (warning,) = [w for w in program.warnings if "logits" in w.message]
    assert warning.severity == "warning"
    assert f"applies the {squash} itself" in warning.message
    assert (warning.span.line, warning.span.column) == (5, 5)  # the Output line
    assert squash in (warning.hint or "")


@pytest.mark.parametrize(
    ("output", "loss"),
    [('Output(3, "softmax")', "sparse_categorical_crossentropy"), ("Output(3)", "mse")],
)
def test_a_softmax_output_or_a_regression_loss_gets_no_logits_warning(output: str, loss: str) -> None:
    assert not [message for message in warnings_of(network(output, loss)) if "logits" in message]


@pytest.mark.parametrize(
    ("train", "objective", "monitor"),
    [
        ("validation_split: 0", "loss", "loss"),
        ('validation_split: 0  objective: "val_accuracy"  monitor: "val_accuracy"', "accuracy", "accuracy"),
    ],
)
def test_validation_split_zero_is_accepted_and_falls_back_to_training_metrics(
    train: str, objective: str, monitor: str
) -> None:
    program = compile_source(network('Output(3, "softmax")', train=train), "head.neural")
    model = program.nominal_model()
    assert model.train.validation_split == 0
    assert (model.train.objective, model.train.monitor) == (objective, monitor)
    said = [w for w in program.warnings if "validation_split 0" in w.message]
    assert len(said) == 1
    assert said[0].span.line == 7 and objective in said[0].message


def test_a_positive_validation_split_keeps_the_validation_objective() -> None:
    model = compile_source(network('Output(3, "softmax")', train="validation_split: 0.1"), "head.neural").nominal_model()
    assert (model.train.objective, model.train.monitor) == ("val_loss", "val_loss")
    assert not [m for m in warnings_of(network('Output(3, "softmax")')) if "validation_split" in m]


def test_a_validation_split_of_one_is_still_an_error() -> None:
    from neural.errors import DiagnosticsError

    with pytest.raises(DiagnosticsError, match="validation_split"):
        compile_source(network('Output(3, "softmax")', train="validation_split: 1"), "head.neural")
