"""The ``neural`` command frame: help, version, check, plugins, visualize, error handling."""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from neural import __version__
from neural.cli.check import format_shape
from neural.cli.main import LazyGroup, cli
from neural.plugins import hookimpl, manager
from neural.program import load_program

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.neural"))
COMMANDS = ("check", "compile", "run", "visualize", "plugins")

BROKEN_SOURCE = """\
network Broken {
  input: (28, 28, 1)
  layers:
    Dens(64)
    Dropout(HPO(range(0.5, 0.1, step=0.1)))
    Output(10, "softmax")
}
"""


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test loads the plugins anew, with its own NEURAL_DISABLE_PLUGINS."""
    monkeypatch.delenv("NEURAL_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("NEURAL_DEBUG", raising=False)
    manager.reset()
    yield
    manager.reset()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="neural")


def test_version_prints_the_core_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"neural {__version__}"


def test_help_lists_every_command_with_a_one_line_summary() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        line = re.search(rf"^  {name}\s+(\S.*)$", result.stdout, re.MULTILINE)
        assert line, f"{name} is not listed:\n{result.stdout}"
        assert "unavailable" not in line.group(1)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: neural {name} ")


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_check_shows_shapes_and_the_space_size_of_every_example(example: Path) -> None:
    result = invoke("check", str(example))

    assert result.exit_code == 0, result.output
    program = load_program(example)
    model = program.nominal_model()
    for layer in model.layers:
        assert re.search(
            rf"│ {layer.kind}\s+│ {layer.name}\s+│ {re.escape(format_shape(layer.output_shape))}\s",
            result.stdout,
        ), f"row of {layer.name} missing:\n{result.stdout}"
    assert f"Total parameters: {model.param_count:,}" in result.stdout
    if program.has_hpo:
        assert f"grid size {program.space.size(model.train.grid_points):,}" in result.stdout
        for name in program.space.names:
            assert name in result.stdout
    else:
        assert "No hyperparameters to search." in result.stdout
    assert f"{example}: no errors" in result.stdout


def test_check_prints_the_basic_example_as_the_guide_describes() -> None:
    basic = next(path for path in EXAMPLES if path.name == "basic_hpo.neural")
    result = invoke("check", str(basic))

    assert result.exit_code == 0
    assert re.search(r"│ 1 │ Conv2D\s+│ conv2d_1\s+│ \(26, 26, 32\)\s+│\s+320 │  \*  │", result.stdout)
    assert "Total parameters: 693,962" in result.stdout
    assert re.search(r"│ dropout_1\.rate\s+│ range\s+│ 0\.3 … 0\.7 step 0\.1\s+│\s+8 │\s+5 │", result.stdout)
    assert "4 hyperparameters; grid size 100" in result.stdout


def test_check_of_a_broken_file_prints_every_located_error_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.neural"
    broken.write_text(BROKEN_SOURCE)

    result = invoke("check", str(broken))

    assert result.exit_code == 1
    assert f"{broken}:4:5: error: unknown layer 'Dens'" in result.stderr
    assert "did you mean 'Dense'?" in result.stderr
    assert f"{broken}:5:" in result.stderr
    assert "2 errors in" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_debug_shows_the_traceback_of_a_user_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.neural"
    broken.write_text(BROKEN_SOURCE)

    result = invoke("--debug", "check", str(broken))

    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "unknown layer 'Dens'" in result.stderr


def test_check_of_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    result = invoke("check", str(tmp_path / "nowhere.neural"))
    assert result.exit_code == 1
    assert "no such file" in result.stderr


@pytest.mark.parametrize("args", [("check",), ("no-such-command",), ("check", "--bogus", "x")])
def test_bad_command_line_usage_exits_2(args: tuple[str, ...]) -> None:
    assert invoke(*args).exit_code == 2


def test_plugins_lists_core_with_its_searchers_datasets_and_commands() -> None:
    result = invoke("plugins")

    assert result.exit_code == 0, result.output
    row = re.search(r"│ neural-core\s+│ (\S+)\s+│ loaded", result.stdout)
    assert row and row.group(1) == __version__
    for provided in ("random (random)", "grid (grid)", "mnist5k", "commands: check"):
        assert provided in result.stdout


def test_plugins_shows_a_disabled_plugin_as_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    # neural-core itself cannot be disabled: block the first other installed plugin.
    installed = sorted(ep.name for ep in entry_points(group="neural") if ep.name != "neural-core")
    if not installed:
        pytest.skip("only neural-core is installed: there is no plugin to block")
    blocked = installed[0]
    monkeypatch.setenv("NEURAL_DISABLE_PLUGINS", blocked)
    manager.reset()

    result = invoke("plugins")

    assert result.exit_code == 0, result.output
    assert re.search(rf"│ {re.escape(blocked)}\s+│ \S+\s+│ blocked", result.stdout)


def test_visualize_without_a_visualizer_plugin_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEURAL_DISABLE_PLUGINS", "neural-viz")
    manager.reset()
    results = tmp_path / "hpo_results.json"
    results.write_text("{}")

    result = invoke("visualize", str(results), "--format", "html")

    assert result.exit_code == 1
    assert "pip install neural-viz" in result.stderr
    assert "Traceback" not in result.output


def test_a_plugin_command_clashing_with_a_core_command_breaks_only_that_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def add_check(cli: click.Group) -> None:
        cli.add_command(click.Command("check", callback=lambda: None))

    module = types.ModuleType("copycat")
    module.neural_register_commands = hookimpl(add_check)  # type: ignore[attr-defined]

    class EntryPoint:
        name, value, dist = "copycat", "copycat", None

        def load(self) -> types.ModuleType:
            return module

    monkeypatch.setattr(manager, "_HOST", manager.PluginHost([EntryPoint()]))

    result = invoke("--help")

    assert result.exit_code == 0, result.output
    assert 'two plugins add a command named "check": neural-core and copycat' in result.stderr
    assert "plugins" in result.stdout and "Traceback" not in result.output
    used = invoke("check", "x.neural")
    assert used.exit_code == 1
    assert 'two plugins add a command named "check": neural-core and copycat' in used.stderr
    assert "Traceback" not in used.output
    assert invoke("plugins").exit_code == 0


def test_a_command_whose_module_does_not_import_is_listed_as_unavailable() -> None:
    group = LazyGroup("neural")
    group.add_lazy_command("ghost", "neural.cli.no_such_module:ghost_command")

    listing = CliRunner().invoke(group, ["--help"], prog_name="neural")
    run = CliRunner().invoke(group, ["ghost"], prog_name="neural")

    assert listing.exit_code == 0
    assert re.search(r"ghost\s+\(unavailable: cannot load neural\.cli\.no_such_module", listing.stdout)
    assert "check" in listing.stdout
    assert run.exit_code == 1
    assert 'the "ghost" command is unavailable' in run.stderr


def test_check_prints_warnings_on_stderr_and_still_exits_0(tmp_path: Path) -> None:
    source = tmp_path / "regression.neural"
    source.write_text(
        "network Regression {\n"
        "  input: (4,)\n"
        "  layers:\n"
        '    Dense(8, "relu")\n'
        '    Output(3, "softmax")\n'
        '  loss: "mse"\n'
        "}\n"
    )

    result = invoke("check", str(source))

    assert result.exit_code == 0, result.output
    assert f"{source}:6:" in result.stderr
    assert "warning: a softmax output is usually trained with a cross-entropy loss" in result.stderr
    assert f"{source}: no errors" in result.stdout


class TextReport:
    """A minimal visualizer: writes the source's size into a text report."""

    name = "txt"

    def render(self, source: Path, output: Path) -> Path:
        output.write_text(f"{source.name}: {source.stat().st_size} bytes\n")
        return output


def install_visualizer(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("txt_report")
    module.neural_register_visualizers = hookimpl(lambda: [TextReport])  # type: ignore[attr-defined]
    module.neural_register_visualizers.__name__ = "neural_register_visualizers"

    class EntryPoint:
        name, value, dist = "txt-report", "txt_report", None

        def load(self) -> types.ModuleType:
            return module

    monkeypatch.setattr(manager, "_HOST", manager.PluginHost([EntryPoint()]))


def test_visualize_writes_the_report_next_to_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_visualizer(monkeypatch)
    monkeypatch.chdir(tmp_path)
    Path("hpo_results.json").write_text('{"schema": "neural.hpo-results/1"}')

    default = invoke("visualize", "hpo_results.json", "--format", "txt")
    named = invoke("visualize", "hpo_results.json", "--format", "txt", "--out", "reports", "-o", "r.txt")

    assert default.exit_code == 0, default.output
    assert (tmp_path / "hpo_results.txt").read_text() == "hpo_results.json: 34 bytes\n"
    assert "wrote" in default.stdout and "hpo_results.txt" in default.stdout
    assert named.exit_code == 0, named.output
    assert (tmp_path / "reports" / "r.txt").is_file()


def test_visualize_with_an_unknown_format_lists_the_installed_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_visualizer(monkeypatch)
    results = tmp_path / "hpo_results.json"
    results.write_text("{}")

    result = invoke("visualize", str(results), "--format", "tx")

    assert result.exit_code == 1
    assert "did you mean 'txt'?" in result.stderr
    assert "installed visualizers: txt" in result.stderr


def test_check_marks_the_layers_that_have_a_hyperparameter_of_their_own() -> None:
    custom = next(path for path in EXAMPLES if path.name == "custom_conv.neural")
    result = invoke("check", str(custom))

    assert result.exit_code == 0, result.output
    marks = dict(
        re.findall(r"^│ \d+ │ \S+\s+│ (\S+)\s+│.*│\s+[\d,]+ │\s+(\*?)\s+│$", result.stdout, re.MULTILINE)
    )
    # Only conv2d_1 holds an HPO expression; the layers after it change shape with it,
    # but the table marks the layers a user would edit, in linear time.
    assert marks == {
        "conv2d_1": "*",
        "max_pooling2d_1": "",
        "flatten_1": "",
        "dense_1": "",
        "dense_1_2": "",
        "output_1": "",
    }


def test_check_folds_the_layer_table_of_a_long_model(tmp_path: Path) -> None:
    layers = "\n".join('    Dense(8, "relu")' for _ in range(120))
    source = tmp_path / "long.neural"
    source.write_text(f"network Long {{\n  input: (4,)\n  layers:\n{layers}\n    Output(2)\n}}\n")

    folded = invoke("check", str(source))
    full = invoke("check", "--all-layers", str(source))

    assert folded.exit_code == 0 and full.exit_code == 0
    assert "71 more layers" in folded.stdout and "dense_60 " not in folded.stdout
    assert "dense_60 " in full.stdout and "more layers" not in full.stdout


def test_check_locates_a_search_method_or_dataset_that_nothing_installed_provides(tmp_path: Path) -> None:
    source = tmp_path / "typos.neural"
    source.write_text(
        "network Typos {\n  input: (4,)\n  layers:\n    Output(2)\n"
        '  train {\n    search_method: "randm"\n    dataset: "mnist5"\n  }\n}\n',
        encoding="utf-8",
    )

    result = invoke("check", str(source))

    assert result.exit_code == 1
    assert f'{source}:6:20: error: unknown search_method "randm"' in result.output
    assert f'{source}:7:14: error: unknown dataset "mnist5"' in result.output
    assert "did you mean 'random'?" in result.output and "did you mean 'mnist5k'?" in result.output
