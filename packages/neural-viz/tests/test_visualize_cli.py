"""``neural visualize``: the terminal summary, --format json and html, and one-line errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import load

from neural.cli.main import cli
from neural.plugins import manager


def invoke(*args: str) -> Result:
    manager.reset()
    return CliRunner().invoke(cli, list(args), prog_name="neural")


def test_without_format_the_terminal_gets_the_best_trials_and_importance_bars(
    searches: dict[str, Path],
) -> None:
    path = searches["random"]
    data = load(path)

    result = invoke("visualize", str(path))

    assert result.exit_code == 0, result.output
    assert f"Best 8 of {len(data['trials'])} complete trial(s)" in result.stdout
    assert "Parameter importance (PED-ANOVA" in result.stdout
    assert "█" in result.stdout
    assert f"(trial {data['best_trial']['number']})" in result.stdout


def test_format_json_writes_every_figures_data(searches: dict[str, Path], tmp_path: Path) -> None:
    result = invoke("visualize", str(searches["pruned"]), "--format", "json", "-o", str(tmp_path / "r.json"))

    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["schema"] == "neural.hpo-report/1"
    assert {
        "summary",
        "history",
        "parallel",
        "slices",
        "contour",
        "importance",
        "curves",
        "timeline",
        "table",
    } <= set(report)
    pruned = [t["number"] for t in load(searches["pruned"])["trials"] if t["state"] == "pruned"]
    assert report["history"]["pruned"]["numbers"] == pruned


def test_format_html_writes_one_file_next_to_the_current_folder(
    searches: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = invoke("visualize", str(searches["grid"]), "--format", "html")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "hpo_results.html").is_file()
    assert "wrote" in result.stdout


def test_a_model_file_prints_its_layers_and_where_each_hyperparameter_sits() -> None:
    source = Path(__file__).resolve().parents[3] / "examples" / "advanced_hpo.neural"

    result = invoke("visualize", str(source))

    assert result.exit_code == 0, result.output
    assert "conv2d_1.filters" in result.stdout and "(28, 28, 32)" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON (line 1, column 2"),
        ("\udcff", "cannot be read"),
        ('{"name": "package.json"}', "is not a Neural HPO results file"),
        (
            '{"schema": "neural.hpo-results/2", "trials": []}',
            "has results schema neural.hpo-results/2, which this",
        ),
        ('{"schema": "neural.hpo-results/1"}', "is not a valid results file: $ lacks 'source'"),
    ],
    ids=["not-json", "not-utf8", "foreign", "newer", "malformed"],
)
def test_a_file_that_is_not_a_readable_results_file_is_a_one_line_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "hpo_results.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))

    for format_args in ((), ("--format", "html"), ("--format", "json")):
        result = invoke("visualize", str(path), *format_args, "--out", str(tmp_path))
        assert result.exit_code == 1, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "hpo_results.html").exists()


def test_a_study_without_trials_is_a_one_line_error(searches: dict[str, Path], tmp_path: Path) -> None:
    data = load(searches["random"])
    data["trials"] = []
    data["best_trial"] = None
    path = tmp_path / "hpo_results.json"
    path.write_text(json.dumps(data))

    result = invoke("visualize", str(path), "--format", "html")

    assert result.exit_code == 1
    assert "holds no trials yet" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_newer_schema_says_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "hpo_results.json"
    path.write_text('{"schema": "neural.hpo-results/7"}')

    result = invoke("visualize", str(path))

    assert result.exit_code == 1
    assert "upgrade neural-viz" in result.stderr


PROBE = """
import sys
from neural.cli.main import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print("@@plotly=" + str("plotly" in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "imports_plotly"), [((), False), (("--format", "json"), False), (("--format", "html"), True)]
)
def test_plotly_is_imported_only_when_an_html_page_is_made(
    searches: dict[str, Path], tmp_path: Path, args: tuple[str, ...], imports_plotly: bool
) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", PROBE, "visualize", str(searches["one_param"]), *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"@@plotly={imports_plotly}"
