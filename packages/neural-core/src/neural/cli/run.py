"""``neural run FILE [--backend NAME] [--data SPEC] [--epochs N] [--seed S] [--out DIR] [--threads N] [--hpo ...]``.

Trains the model the compiled module defines (the backend executes its own
generated code), showing a line per epoch, then writes ``<name><suffix>``
(the weights) and ``<name>.metrics.json`` and lists them. With ``--hpo`` the
search runs first and the best point is trained the same way
(:func:`neural.training.train_and_save`). A file with HPO and no ``--hpo``
is trained at its nominal point, said in one line.
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
from neural.cli.paths import require_source_file, require_writable_folder
from neural.errors import NeuralError


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@backend_and_out_options("Backend to train with (pytorch/torch, tensorflow, ...).")
@training_options()
@device_option
@hpo_options
def run_command(
    file: Path,
    backend_name: str,
    out_dir: Path,
    data_spec: str | None,
    epochs: int | None,
    seed: int | None,
    threads: int | None,
    device: str | None,
    **search: Any,
) -> None:
    """Train FILE's model and save it (with --hpo: search first, then train the best point)."""
    from neural.devices import device_for_backend
    from neural.model_memory import require_memory
    from neural.plugins.manager import get_backend
    from neural.plugins.validation import require_installed_names
    from neural.program import load_program
    from neural.search.runner import with_epochs
    from neural.training import INTERRUPTED_TRAINING, print_written, train_and_save

    settings = hpo_settings(
        search, data_spec=data_spec, epochs=epochs, seed=seed, out_dir=out_dir, device_source=device_source(device)
    )
    require_source_file(file)
    require_writable_folder(out_dir, "--out")
    program = with_device_flag(load_program(file), device)
    require_installed_names(program)
    require_memory(program, program.nominal_model())
    backend = get_backend(backend_for_resume(backend_name, settings))
    # Checked once, before any data loads or trial starts: a GPU that is not there is one error.
    # (Trials on a cluster run elsewhere: this machine is checked when it trains the best point.)
    device_choice = None
    if settings is None or settings.executor == "local":
        device_choice = device_for_backend(program.nominal_model().train.device, backend, source=device_source(device))
    console = output.stdout()
    searched: list[Path] = []
    point: dict[str, Any] = {}
    point_used: str | None = None
    best_seed: int | None = None
    if settings is not None:
        from neural.search.driver import run_search

        outcome = run_search(program, backend=backend, options=settings, console=console)
        model, point, best_seed = outcome.best_model, outcome.best_point, outcome.best_seed
        data_spec = outcome.data_spec or data_spec  # a resumed search keeps its recorded data
        if threads is None and outcome.trial_threads is not None:
            # The trials ran with this many threads each (the cores split between workers, or
            # --cpus-per-trial): the same count makes the retrained model the best trial's, to the last digit.
            threads = outcome.trial_threads
        searched = list(outcome.written)
        point_used = f"best trial {outcome.best_number}"
        console.print(
            "training the best point found:",
            ", ".join(f"{k}={v!r}" for k, v in point.items()),
            highlight=False,
            soft_wrap=True,
        )
    else:
        model = nominal_model(program, console)
        if program.has_hpo:
            point, point_used = program.space.nominal_point(), "nominal"
    model = with_epochs(model, epochs)
    if data_spec is None:  # the train block's dataset: a path in it is relative to the file's folder
        from neural.datasets.relative import spec_from_file

        data_spec = spec_from_file(model.train.dataset, file)
    run_seed = seed if seed is not None else (model.train.seed if model.train.seed is not None else 0)
    try:
        run = train_and_save(
            model,
            backend,
            data_spec=data_spec,
            seed=run_seed,
            train_seed=best_seed,
            out_dir=out_dir,
            console=console,
            threads=threads,
            source=str(file),
            hyperparameters=point,
            point=point_used,
            list_written=False,
            device=device_choice or device_for_backend(model.train.device, backend, source=device_source(device)),
        )
    except (NeuralError, KeyboardInterrupt) as error:
        if not searched:
            raise
        print_written(console, searched)  # the search's files stay valid when the final training fails
        assert settings is not None
        if isinstance(error, KeyboardInterrupt) or str(error) == INTERRUPTED_TRAINING:
            reason = "training the best point was interrupted (Ctrl-C) before the model was saved"
        else:
            reason = str(error)
        raise NeuralError(f"{reason}{retrain_hint(searched, replaces_force=settings.force)}") from error
    print_written(console, [*searched, *run.written])


def retrain_hint(searched: list[Path], *, replaces_force: bool = False) -> str:
    """How to train the best point again without searching, from the files the search wrote.

    Running the same command again would be refused (its ``hpo_results.json``
    exists); with ``--resume`` it finds the study finished, runs no trial and
    trains the best point with the best trial's seed.
    """
    flag = "--resume in place of --force" if replaces_force else "--resume"
    hint = f"; the search's results are kept: run the same command with {flag} to train the best point without searching again"
    best_sources = [path for path in searched if path.name.endswith(".best.neural")]
    if best_sources:
        hint += f" (or neural run {best_sources[0]} to train it as a model of its own)"
    return hint
