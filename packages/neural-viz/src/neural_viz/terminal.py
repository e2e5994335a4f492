"""The terminal summary of a search or a model (``neural visualize FILE`` without ``--format``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from neural_viz.study import format_number

if TYPE_CHECKING:
    from rich.console import Console

#: How many of the best trials the table lists.
BEST_ROWS = 10
BAR_WIDTH = 30


def show_results(source: Path, console: Console) -> None:
    """The summary rows, the best trials and the importance bars of the results file ``source``."""
    from rich.table import Table
    from rich.text import Text

    from neural_viz.figures.importance import importance_info
    from neural_viz.figures.summary import summary_info, summary_rows
    from neural_viz.study import load_study

    study = load_study(source)
    summary = Table(show_header=False, box=None, title=f"HPO results: {source}", title_justify="left")
    summary.add_column(style="bold")
    summary.add_column()
    for label, value in summary_rows(summary_info(study)):
        summary.add_row(label, Text(value))
    console.print(summary)
    ranked = sorted(
        study.complete(), key=lambda t: ((-1 if study.maximize else 1) * float(t.value or 0), t.number)
    )
    if ranked:
        best = Table(
            title=f"Best {min(BEST_ROWS, len(ranked))} of {len(ranked)} complete trial(s)",
            title_justify="left",
        )
        best.add_column("trial", justify="right")
        best.add_column(study.metric, justify="right")
        for param in study.params:
            best.add_column(param.name)
        for trial in ranked[:BEST_ROWS]:
            best.add_row(
                str(trial.number),
                format_number(trial.value),
                *(Text(param.label(trial.params.get(param.name))) for param in study.params),
            )
        console.print(best)
    importance = importance_info(study)
    console.print(Text(f"Parameter importance ({importance['method']})", style="bold"))
    if not importance["params"]:
        console.print(f"  {importance['note']} ({importance['trials_used']} so far)")
    width = max((len(name) for name in importance["params"]), default=0)
    for name, share in zip(importance["params"], importance["importances"], strict=True):
        bar = "█" * round(share * BAR_WIDTH)
        console.print(Text(f"  {name:<{width}}  {bar:<{BAR_WIDTH}} {share:6.1%}"))
    console.print(Text(f"for the interactive report: neural visualize {source} --format html", style="dim"))


def show_model(source: Path, console: Console) -> None:
    """The layers (shape, parameters, HPO parameters) and the search space of the ``.neural`` file ``source``."""
    from rich.table import Table
    from rich.text import Text

    from neural_viz.figures.architecture import source_architecture

    architecture = source_architecture(source)
    layers = Table(title=f"network {architecture['network']} ({source})", title_justify="left")
    for column in ("#", "layer", "name", "output shape", "parameters", "hyperparameters"):
        layers.add_column(column, justify="right" if column in ("#", "parameters") else "left")
    for layer in architecture["layers"]:
        layers.add_row(
            str(layer["index"]),
            layer["kind"],
            Text(layer["name"]),
            layer["shape"],
            f"{layer['params']:,}",
            Text(", ".join(layer["hpo"])),
        )
    console.print(layers)
    console.print(f"Total parameters: {architecture['total_params']:,} (at {architecture['point']})")
    if architecture["hpo"]:
        space = Table(title="Hyperparameters", title_justify="left")
        for column in ("parameter", "where", "kind", "space", "line"):
            space.add_column(column)
        for param in architecture["hpo"]:
            space.add_row(
                Text(param["name"]),
                Text(param["where"]),
                param["kind"],
                Text(param["space"]),
                str(param["line"] or ""),
            )
        console.print(space)
    console.print(Text(f"for the interactive report: neural visualize {source} --format html", style="dim"))
