"""``neural check FILE``: parse and check a file, show its layers and its search space.

Prints, at the nominal point (every choice at its first option, every range at
its low bound): a table of layers with output shapes and parameter counts,
marking the rows that change with the hyperparameters; the total; then the
search space (each parameter's kind, values or bounds and source line) and its
grid size. Warnings go to stderr, among them the values of each
hyperparameter for which some layer's shape becomes impossible
(``neural.space.feasibility``). Any error in the file: every diagnostic is
printed and the exit status is 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from neural.cli import output
from neural.cli.paths import require_source_file

if TYPE_CHECKING:
    from neural.model import ConcreteModel, LayerConfig, Shape
    from neural.program import Program
    from neural.space.params import Param
    from neural.space.space import SearchSpace

#: Longer models show their first and last layers only, unless --all-layers:
#: a terminal table of thousands of rows is unreadable and takes seconds to draw.
HEAD_ROWS = 40
TAIL_ROWS = 10


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--all-layers",
    is_flag=True,
    help=f"List every layer, also in models of more than {HEAD_ROWS + TAIL_ROWS} layers.",
)
@click.option(
    "--trials",
    type=click.IntRange(min=1),
    metavar="N",
    help="Show the search budget as `neural run --hpo --trials N` would run it.",
)
def check_command(file: Path, all_layers: bool, trials: int | None) -> None:
    """Check a file; show layers, shapes and search space.

    Parses FILE and runs every check, then prints each layer's output shape
    and parameter count at the nominal point (first choice, low end of each
    range; * marks the layers with a hyperparameter of their own), the search
    space and its grid size. With any error in the file, prints them all and
    exits 1.
    """
    from neural.model_memory import estimate_memory, require_memory
    from neural.plugins.validation import require_installed_names
    from neural.program import load_program

    require_source_file(file)
    program = load_program(file)
    installed_warnings = require_installed_names(program)
    space = program.space
    model = space.bind(space.nominal_point())
    memory_warnings = require_memory(program, model)
    console = output.stdout()
    console.print(Text(f"network {model.name}", style="bold"), Text(f"({file})", style="dim"))
    varying = hpo_dependent_layers(space, model)
    console.print(layer_table(model, varying, all_layers=all_layers))
    total = f"Total parameters: {model.param_count:,}"
    if varying:
        total += " (at the nominal point: first choice, low end of each range; * marks layers with a hyperparameter)"
    console.print(total)
    console.print(f"Memory: {estimate_memory(model).describe()}", highlight=False)
    console.print()
    if len(space):
        grid_points = model.train.grid_points
        console.print(space_table(space, grid_points))
        console.print(space_summary(space, model, program, trials))
    else:
        console.print("No hyperparameters to search.")
    from neural.space.feasibility import infeasible_value_warnings

    feasibility_warnings = infeasible_value_warnings(space, model)
    for warning in [*program.warnings, *installed_warnings, *memory_warnings, *feasibility_warnings]:
        output.stderr().print(output.styled_report(warning.render(program.source, program.filename)))
    console.print(Text(f"{file}: no errors", style="green"))


def layer_table(model: ConcreteModel, varying: set[str], *, all_layers: bool = False) -> Table:
    """The layers of ``model``: #, layer, name, output shape, parameters (``*`` on HPO-dependent rows).

    Past ``HEAD_ROWS + TAIL_ROWS`` layers, the middle ones are summed up in one row
    unless ``all_layers``.
    """
    table = Table(title="Layers", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("layer")
    table.add_column("name")
    table.add_column("output shape")
    table.add_column("parameters", justify="right")
    table.add_column("hpo", justify="center")
    table.add_row("", "Input", "input", format_shape(model.input_shape), "0", "")
    shown: list[tuple[int, LayerConfig | None]] = list(enumerate(model.layers, start=1))
    hidden = len(shown) - HEAD_ROWS - TAIL_ROWS
    if not all_layers and hidden > 0:
        shown = [*shown[:HEAD_ROWS], (0, None), *shown[-TAIL_ROWS:]]
    for index, layer in shown:
        if layer is None:
            table.add_row("…", f"{hidden:,} more layers", "(--all-layers lists them)", "", "", "")
            continue
        table.add_row(
            str(index),
            layer.kind,
            layer.name,
            format_shape(layer.output_shape),
            f"{layer.param_count:,}",
            "*" if layer.name in varying else "",
        )
    return table


def space_table(space: SearchSpace, grid_points: int) -> Table:
    """The search space: parameter, kind, values or bounds, source line, grid points."""
    table = Table(title="Search space", title_justify="left")
    table.add_column("parameter")
    table.add_column("kind")
    table.add_column("values")
    table.add_column("line", justify="right")
    table.add_column("grid", justify="right")
    for param in space.params:
        table.add_row(
            param.name,
            param.kind,
            describe_values(param),
            str(param.span.line) if param.span.line else "",
            str(param.cardinality(grid_points)),
        )
    return table


def space_summary(
    space: SearchSpace, model: ConcreteModel, program: Program, trials: int | None = None
) -> str:
    """One line: how many parameters, the grid size, and how the search will run.

    The trial count comes from :func:`neural.search.budget.trial_budget`, the
    function the search itself uses, so check and run always agree.
    """
    from neural.search.budget import trial_budget

    budget = trial_budget(program, model.train.search_method, trials)
    grid_points = model.train.grid_points
    continuous = [p.name for p in space.params if not p.is_categorical and p.step is None]
    size = f"{space.size(grid_points):,}"
    note = f" ({grid_points} points on each continuous range)" if continuous else ""
    count = len(space)
    return (
        f"{count} hyperparameter{'s' if count != 1 else ''}; grid size {size}{note}; "
        f"search_method {model.train.search_method!r}: {budget.describe()}"
    )


def describe_values(param: Param) -> str:
    """A parameter's options or bounds as written: ``32, 64`` / ``0.3 … 0.7 step 0.1`` / ``1e-4 … 1e-2 log``."""
    from neural.lang.values import format_value

    if param.kind == "choice":
        return ", ".join(format_value(choice) for choice in param.choices)
    if param.kind == "custom":
        return ", ".join(repr(label) for label in param.labels)
    bounds = f"{format_value(param.low)} … {format_value(param.high)}"
    if param.step is not None:
        bounds += f" step {format_value(param.step)}"
    if param.log:
        bounds += " log"
    elif param.is_int and param.step is None:
        bounds += " integers"
    return bounds


def format_shape(shape: Shape) -> str:
    """``(26, 26, 32)``; a 1-D shape as ``(128,)``, as ``input:`` is written."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def hpo_dependent_layers(space: SearchSpace, nominal: ConcreteModel) -> set[str]:
    """Names of the layers that have a hyperparameter of their own.

    A parameter ``dense_1.units`` belongs to the layer statement ``dense_1``
    and so to its instances ``dense_1``, ``dense_1_2``... (the copies of
    ``* N``). Linear in the model's size: a 10,000-layer file checks in well
    under a second, so no layer is re-bound to see what else moves.
    """
    statements = {param.name.split(".", 1)[0] for param in space.params}
    return {
        layer.name
        for layer in nominal.layers
        if layer.name in statements or layer.name.rsplit("_", 1)[0] in statements
    }
