"""``neural compile FILE --backend NAME [-o OUT] [--hpo ...]``: write the model's standalone module.

Without ``--hpo`` a file with HPO expressions is compiled at its nominal point
(every choice at its first option, every range at its low end), said in one
line. With ``--hpo`` the search runs first (``neural.search.driver``) and the
best point's code is written, next to ``hpo_results.json`` and
``FILE.best.neural``. Ends by listing every file written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from neural.cli import output
from neural.cli.hpo_options import (
    backend_and_out_options,
    backend_for_resume,
    device_option,
    device_source,
    hpo_options,
    hpo_settings,
    nominal_model,
    training_options,
    with_device_flag,
)
from neural.cli.paths import require_source_file, require_writable_folder, write_output


def default_module_name(network_name: str, backend_name: str) -> str:
    """``<network name in snake case>_<backend>.py`` (``simple_hpo_example_pytorch.py``)."""
    from neural.naming import module_filename

    return module_filename(network_name, backend_name)


def module_path(output_option: Path | None, out_dir: Path, network_name: str, backend_name: str) -> Path:
    """Where the module goes: ``-o`` (a file, or a folder to put the default name in), else ``--out DIR``."""
    default = default_module_name(network_name, backend_name)
    if output_option is None:
        return out_dir / default
    if output_option.is_dir():
        return output_option / default
    return output_option


@click.command("compile")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@backend_and_out_options("Backend to generate code for (pytorch/torch, tensorflow, ...).")
@click.option(
    "-o",
    "--output",
    "output_option",
    type=click.Path(path_type=Path),
    metavar="OUT",
    help="File to write (default: NAME_BACKEND.py in --out).",
)
@training_options(for_search_only=True)
@device_option
@hpo_options
def compile_command(
    file: Path,
    backend_name: str,
    output_option: Path | None,
    out_dir: Path,
    data_spec: str | None,
    epochs: int | None,
    seed: int | None,
    device: str | None,
    **search: Any,
) -> None:
    """Write a standalone Python module for FILE's model (with --hpo: for the best point found)."""
    from neural.plugins.manager import get_backend
    from neural.plugins.validation import require_installed_names
    from neural.program import load_program
    from neural.training import print_written

    settings = hpo_settings(
        search, data_spec=data_spec, epochs=epochs, seed=seed, out_dir=out_dir, device_source=device_source(device)
    )
    if settings is None and (data_spec, epochs, seed) != (None, None, None):
        raise click.UsageError(
            "--data, --epochs and --seed only apply to compile with --hpo (they steer the search)"
        )
    require_source_file(file)
    if settings is not None or output_option is None:
        require_writable_folder(out_dir, "--out")
    if output_option is not None:
        require_writable_folder(output_option if output_option.is_dir() else output_option.parent, "-o")
    program = with_device_flag(load_program(file), device)  # the module's DEVICE constant
    require_installed_names(program)
    backend = get_backend(backend_for_resume(backend_name, settings))
    console = output.stdout()
    written: list[Path] = []
    if settings is not None:
        from neural.model_memory import require_memory
        from neural.search.driver import run_search

        require_memory(
            program, program.nominal_model()
        )  # the search trains; a model that cannot fit is refused first
        outcome = run_search(program, backend=backend, options=settings, console=console)
        model = outcome.best_model
        written.extend(outcome.written)
    else:
        model = nominal_model(program, console)
    target = module_path(output_option, out_dir, model.name, backend.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_output(target, backend.generate(model), "-o")
    written.append(target)
    print_written(console, written)
