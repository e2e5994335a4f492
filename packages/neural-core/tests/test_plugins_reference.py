"""``docs/plugins.md`` is the whole reference a plugin author needs, and it says what the code does:
every ``SearchSettings`` field and public ``Param`` member, the shipped priorities, and which
hooks ``neural check`` calls."""

from __future__ import annotations

import dataclasses
import re
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from neural.plugins import hookimpl, manager
from neural.plugins.manager import PluginHost
from neural.search.base import Searcher, SearchSettings
from neural.space.params import Param

DOCS = Path(__file__).resolve().parents[3] / "docs" / "plugins.md"


def docs() -> str:
    return DOCS.read_text(encoding="utf-8")


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of the markdown table whose header row starts with ``| header |``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_every_search_settings_field_is_documented() -> None:
    documented = {cell.strip("`") for row in table_rows(docs(), "field") for cell in row[0].split(", ")}
    assert documented == {field.name for field in dataclasses.fields(SearchSettings)}


def test_every_public_param_member_is_documented() -> None:
    cells = " ".join(row[0] for row in table_rows(docs(), "attribute or method"))
    documented = set(re.findall(r"`(\w+)", cells))
    public = {name for name in dir(Param) if not name.startswith("_")} | {
        field.name for field in dataclasses.fields(Param)
    }
    assert public <= documented, f"undocumented: {sorted(public - documented)}"


def test_the_priority_table_matches_the_installed_searchers() -> None:
    installed = manager.searchers()
    rows = table_rows(docs(), "searcher")
    assert {row[0].strip("`") for row in rows} >= set(installed)
    for name, _package, methods, priority in rows:
        cls = installed.get(name.strip("`"))
        if cls is not None:
            assert int(priority) == cls.priority, name
            assert {m.strip() for m in methods.split(",")} == set(cls.methods), name


def test_study_trials_is_documented_with_when_it_is_called() -> None:
    assert "`study_trials() -> list[PastTrial] | None`" in docs()
    assert Searcher.study_trials.__doc__ and "after each trial" in Searcher.study_trials.__doc__


@pytest.mark.parametrize(
    ("train", "expected"),
    [
        ("", {"neural_register_commands"}),
        (
            'train { search_method: "random" dataset: "synthetic" }',
            {"neural_register_commands", "neural_register_searchers", "neural_register_datasets"},
        ),
    ],
)
def test_neural_check_calls_the_hooks_the_docs_list(
    train: str, expected: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    called: set[str] = set()

    def recording(name: str) -> Any:
        def hook(*args: Any) -> list[type]:
            called.add(name)
            return []

        return hook

    module = types.ModuleType("recorder")
    for name in ("backends", "searchers", "datasets", "visualizers"):
        setattr(module, f"neural_register_{name}", hookimpl(recording(f"neural_register_{name}")))

    def commands(cli: Any) -> None:
        called.add("neural_register_commands")

    module.neural_register_commands = hookimpl(commands)  # type: ignore[attr-defined]

    class EntryPoint:
        name, value, dist = "recorder", "recorder", None

        def load(self) -> types.ModuleType:
            return module

    monkeypatch.setattr(manager, "_HOST", PluginHost([EntryPoint()]))
    model = tmp_path / "m.neural"
    model.write_text(f'network M {{ input: (4,) layers: Dense(2) Output(2, "softmax") {train} }}')
    from neural.cli.main import cli

    result = CliRunner().invoke(cli, ["check", str(model)], prog_name="neural")
    assert result.exit_code == 0, result.output
    assert called == expected
    row = next(row for row in table_rows(docs(), "command") if row[0] == "`neural check`")
    assert "never backends or visualizers" in row[1]
