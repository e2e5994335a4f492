"""Hints that point the right way: ranking by edits and shared start, installed aliases never
called "not installed", and "did you mean" for hpo(...), a misspelled command and a bare data path."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from neural.cli.main import cli
from neural.errors import DiagnosticsError, did_you_mean
from neural.lang.catalogue import OPTIMIZERS
from neural.plugins import manager
from neural.plugins.name_errors import unknown_name_error
from neural.program import compile_source

NETWORK = """network N {{
  input: (4,)
  layers:
    Dense({units})
    Output(2, "softmax")
  optimizer: {optimizer}(learning_rate=0.01)
  train {{ dataset: "{dataset}" }}
}}
"""


def source(units: str = "4", optimizer: str = "Adam", dataset: str = "synthetic") -> str:
    return NETWORK.format(units=units, optimizer=optimizer, dataset=dataset)


def hints(text: str) -> list[str]:
    with pytest.raises(DiagnosticsError) as raised:
        compile_source(text, "n.neural")
    return [diagnostic.hint or "" for diagnostic in raised.value.diagnostics]


@pytest.mark.parametrize(("typed", "meant"), [("Adma", "Adam"), ("adm", "Adam"), ("Adamx", "Adamax"), ("SDG", "SGD")])
def test_a_misspelled_optimizer_suggests_the_fewest_edits_away(typed: str, meant: str) -> None:
    assert hints(source(optimizer=typed)) == [f"did you mean '{meant}'?"]
    assert did_you_mean(typed, OPTIMIZERS) == f"did you mean '{meant}'?"


def test_a_misspelled_installed_alias_is_not_called_not_installed() -> None:
    error = str(unknown_name_error("backends", "torchh", ["pytorch", "tensorflow"], aliases=["torch", "tf"]))
    assert "did you mean 'torch'?" in error
    assert "not installed" not in error and "pip install" not in error
    missing = str(unknown_name_error("backends", "torchh", ["tensorflow"], aliases=["tf"]))
    assert "not installed: pip install neural-backend-torch" in missing


def test_lowercase_hpo_gets_did_you_mean_HPO() -> None:
    (hint,) = hints(source(units="hpo(choice(2, 4))"))
    assert hint.startswith("did you mean 'HPO'?")


def test_a_misspelled_command_gets_did_you_mean() -> None:
    result = CliRunner().invoke(cli, ["chek", "model.neural"], prog_name="neural")
    assert result.exit_code == 2
    assert "no such command 'chek'; did you mean 'check'?" in result.output


@pytest.mark.parametrize("path", ["./x.npz", "data/train.csv"])
def test_a_bare_data_path_suggests_its_dataset_prefix(path: str, tmp_path: Path) -> None:
    suffix = path.rsplit(".", 1)[1]
    with pytest.raises(Exception, match=f'did you mean "{suffix}:{path}"'):
        manager.get_dataset(path)
    model = tmp_path / "n.neural"
    model.write_text(source(dataset=path))
    result = CliRunner().invoke(cli, ["check", str(model)], prog_name="neural")
    assert result.exit_code == 1
    assert f'did you mean "{suffix}:{path}"?' in result.output
