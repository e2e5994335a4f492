"""``neural visualize``: a report of HPO results or of a network, written by a visualizer plugin.

Visualizers come from plugins (``neural_register_visualizers``); ``neural-viz``
provides ``html``. A visualizer class has:

- ``name``: the ``--format`` it writes (``"html"``), unique among plugins;
- ``suffix`` (optional): the file extension, default ``"." + name``;
- ``render(self, source: Path, output: Path) -> Path``: read ``source`` (an
  ``hpo_results.json`` or a ``.neural`` file), write the report to
  ``output`` and return the path written; raise
  :class:`neural.errors.NeuralError` for a source it cannot read;
- ``writes_file`` (optional, default True): False for a visualizer that prints
  instead, through ``show(self, source: Path, console: Console) -> None``.

Without ``--format`` the ``terminal`` visualizer prints a summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol

import click

from neural.cli import output
from neural.cli.paths import require_source_file


class Visualizer(Protocol):
    """What ``neural visualize`` needs of a visualizer plugin's class (see the module docstring)."""

    name: ClassVar[str]

    def render(self, source: Path, output: Path) -> Path: ...


@click.command("visualize")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_name",
    default=None,
    help="The report format, a visualizer plugin's name: html, json (default: a summary on the terminal).",
)
@click.option(
    "-o",
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The report file to write (default: SOURCE's name with the format's suffix).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write into (default: the current folder).",
)
def visualize_command(
    source: Path, format_name: str | None, output_path: Path | None, out_dir: Path | None
) -> None:
    """Show HPO results or a network: a terminal summary, or an HTML/JSON report.

    SOURCE is an hpo_results.json or a .neural file. Reports are written by
    visualizer plugins: pip install neural-viz for html, json and the terminal summary.
    """
    from neural.plugins import manager

    require_source_file(source)
    visualizer: Visualizer = manager.get_visualizer(format_name or "terminal")
    if not getattr(visualizer, "writes_file", True):
        if output_path is not None:
            raise click.UsageError("-o/--output needs --format (html or json): the summary is printed")
        visualizer.show(source, output.stdout())  # type: ignore[attr-defined]
        return
    target = default_output(source, visualizer, output_path, out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = visualizer.render(source, target)
    output.stdout().print(f"wrote {written}")


def default_output(
    source: Path, visualizer: Visualizer, output_path: Path | None, out_dir: Path | None
) -> Path:
    """Where the report goes: ``-o`` (inside ``--out`` when relative), else ``SOURCE_STEM.SUFFIX`` in ``--out`` or the current folder."""
    folder = out_dir if out_dir is not None else Path.cwd()
    if output_path is not None:
        return output_path if output_path.is_absolute() or out_dir is None else folder / output_path
    suffix = getattr(visualizer, "suffix", None) or f".{visualizer.name}"
    return folder / f"{source.stem}{suffix}"
