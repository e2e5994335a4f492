"""Command-line options shared by ``neural compile`` and ``neural run``.

``backend_and_out_options`` declares ``--backend`` and ``--out``; ``hpo_options``
declares ``--hpo`` and the search options; ``training_options`` declares
``--data``, ``--epochs``, ``--seed`` and ``--threads``.
:func:`hpo_settings` turns the parsed values into the search engine's
``HpoOptions`` (and refuses search options given without ``--hpo``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from neural.limits import MAX_SEED

if TYPE_CHECKING:
    from rich.console import Console

    from neural.model import ConcreteModel
    from neural.program import Program
    from neural.search.driver import HpoOptions

F = TypeVar("F", bound=Callable[..., Any])


class WorkerCount(click.ParamType):
    """``--parallel``: a whole number of at least 1, or ``auto``."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        text = str(value).strip().lower()
        if text == "auto":
            return "auto"
        if text.isdigit() and int(text) >= 1:
            return int(text)
        self.fail(f"{value!r} is neither a whole number of at least 1 nor auto", param, ctx)

class DeviceName(click.ParamType):
    """``--device``: ``auto``, ``cpu``, ``cuda`` or ``cuda:N`` (normalized by :func:`neural.devices.normalize_device`)."""

    name = "auto|cpu|cuda|cuda:N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from neural.devices import DeviceSpecError, normalize_device

        try:
            return normalize_device(value)
        except DeviceSpecError as error:
            self.fail(f"{error.message}; {error.hint}" if error.hint else error.message, param, ctx)


def device_option(command: F) -> F:
    """Add ``--device`` (None when not given: the train block's ``device``, default auto)."""
    return click.option(
        "--device",
        type=DeviceName(),
        metavar="auto|cpu|cuda|cuda:N",
        help="Where to train: auto (a GPU when the framework sees one, else the CPU), cpu, cuda or cuda:N "
        "(default: the train block's device, else auto). With --parallel N each worker gets its own GPU.",
    )(command)


def with_device_flag(program: Program, device: str | None) -> Program:
    """``program`` with ``--device`` (when given) in place of the train block's ``device``."""
    return program if device is None else program.with_train_setting("device", device)


def device_source(device: str | None) -> str:
    """How the user chose the device, for messages: ``--device``, or the train block."""
    return "--device" if device is not None else "train block device"


#: The search options: (flags, click keyword arguments).
_SEARCH_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ("--trials",),
        {
            "metavar": "N",
            "type": click.IntRange(min=1),
            "help": "Number of trials (default: the train block's n_trials).",
        },
    ),
    (
        ("--parallel",),
        {
            "metavar": "N|auto",
            "type": WorkerCount(),
            "help": "Worker processes running trials at once; auto (the default): one per core, "
            "one thread each.",
        },
    ),
    (
        ("--timeout",),
        {
            "metavar": "S",
            "type": click.FloatRange(min=0, min_open=True),
            "help": "Stop starting trials after S seconds.",
        },
    ),
    (
        ("--searcher",),
        {
            "metavar": "NAME",
            "help": "Searcher plugin to use (default: the best installed for search_method).",
        },
    ),
    (
        ("--sampler",),
        {"metavar": "NAME", "help": "Searcher-specific sampler name (e.g. tpe, gp for optuna)."},
    ),
    (
        ("--storage",),
        {"metavar": "URL", "help": "Shared study storage URL (an Optuna journal file or database)."},
    ),
    (("--study",), {"metavar": "NAME", "help": "Study name inside --storage."}),
    (
        ("--share-gpus",),
        {
            "is_flag": True,
            "help": "Let several workers share a GPU (more --parallel workers than GPUs, or one cuda:N for all); "
            "without it each worker needs a GPU of its own.",
        },
    ),
    (("--resume",), {"is_flag": True, "help": "Continue the search in hpo_results.json to its budget."}),
    (("--force",), {"is_flag": True, "help": "Start a new search even if hpo_results.json exists."}),
    (
        ("--executor",),
        {
            "metavar": "NAME",
            "help": "Where trials run: local (the default: worker processes on this machine) or an "
            "installed executor plugin, e.g. ray (neural-executor-ray).",
        },
    ),
    (
        ("--address",),
        {
            "metavar": "ADDR",
            "help": "The cluster --executor connects to (ray: auto, ray://HOST:10001 or HOST:PORT); "
            "default: a private instance on this machine.",
        },
    ),
    (
        ("--cpus-per-trial",),
        {
            "metavar": "C",
            "type": click.IntRange(min=1),
            "help": "CPUs reserved for each trial, and its framework threads (default: 1 with ray; "
            "locally the cores split between workers).",
        },
    ),
    (
        ("--gpus-per-trial",),
        {
            "metavar": "G",
            "type": click.FloatRange(min=0, min_open=True),
            "help": "GPUs reserved for each trial on a cluster executor (default 0; a fraction shares one).",
        },
    ),
    (
        ("--retries",),
        {
            "metavar": "N",
            "type": click.IntRange(min=0),
            "help": "Run a trial whose cluster worker or node died again, up to N times (default 0: failed).",
        },
    ),
    (
        ("--report",),
        {
            "is_flag": True,
            "help": "Rewrite report.html in --out after every trial, to watch the search in a browser (neural-viz).",
        },
    ),
)


def backend_and_out_options(backend_help: str) -> Callable[[F], F]:
    """``--backend/-b NAME`` (default pytorch; ``backend_help`` says what it is for) and ``--out DIR``."""

    def decorate(command: F) -> F:
        command = click.option(
            "--out",
            "out_dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("."),
            metavar="DIR",
            show_default=True,
            help="Folder for everything written.",
        )(command)
        return click.option(
            "--backend",
            "-b",
            "backend_name",
            default="pytorch",
            show_default=True,
            metavar="NAME",
            help=f"{backend_help} With --resume and no --backend: the backend the search recorded.",
        )(command)

    return decorate


def hpo_options(command: F) -> F:
    """Add ``--hpo`` and the search options to a click command (as keyword arguments)."""
    for flags, settings in reversed(_SEARCH_OPTIONS):
        command = click.option(*flags, **settings)(command)
    return click.option(
        "--hpo", is_flag=True, help="Search the HPO(...) hyperparameters first, then use the best point."
    )(command)


def training_options(*, for_search_only: bool = False) -> Callable[[F], F]:
    """Add ``--data``, ``--epochs`` and ``--seed`` (and ``--threads``, unless ``for_search_only``).

    ``neural compile`` trains only during a search, so its options say "with --hpo"
    and it has no ``--threads``.
    """
    when = " with --hpo" if for_search_only else ""

    def decorate(command: F) -> F:
        if not for_search_only:
            command = click.option(
                "--threads",
                type=click.IntRange(min=1),
                metavar="N",
                help="Framework threads for training (default: the framework's).",
            )(command)
        command = click.option(
            "--seed",
            type=click.IntRange(0, MAX_SEED),
            metavar="S",
            help=f"Random seed{when}, 0 to {MAX_SEED} (default: the train block's seed, else 0).",
        )(command)
        command = click.option(
            "--epochs",
            type=click.IntRange(min=1),
            metavar="N",
            help=f"Epochs to train{when} (default: the train block's).",
        )(command)
        return click.option(
            "--data",
            "data_spec",
            cls=DataOption,
            metavar="SPEC",
            help=f"Data{when}: {{datasets}} (default: the train block's dataset; a path is relative to the current folder).",
        )(command)

    return decorate


class DataOption(click.Option):
    """``--data``: its help lists the installed datasets, looked up only when the help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None or "{datasets}" not in record[1]:
            return record
        return record[0], record[1].replace("{datasets}", installed_datasets_phrase())


def installed_datasets_phrase() -> str:
    """``mnist5k, digits, npz:PATH, ...``: the installed datasets (``NAME:ARG`` for those that need one)."""
    from neural.errors import NeuralError
    from neural.plugins import manager

    try:
        installed = manager.datasets()
    except NeuralError:
        return "see neural plugins"
    return ", ".join(f"{name}:{cls.argument_metavar}" if cls.needs_argument else name for name, cls in installed.items())


def hpo_settings(
    values: dict[str, Any],
    *,
    data_spec: str | None,
    epochs: int | None,
    seed: int | None,
    out_dir: Path,
    device_source: str = "train block device",
) -> HpoOptions | None:
    """The search options from a command's parsed ``values``; None without ``--hpo``.

    A search option given without ``--hpo``, or ``--resume`` with ``--force``,
    is a usage error (exit 2).
    """
    given = [
        flags[0] for flags, _ in _SEARCH_OPTIONS if values.get(flags[0][2:].replace("-", "_")) not in (None, False)
    ]
    if not values.get("hpo"):
        if given:
            raise click.UsageError(
                f"{', '.join(given)}: search options need --hpo; add --hpo or leave them out"
            )
        return None
    if values.get("resume") and values.get("force"):
        raise click.UsageError("--resume continues the search and --force starts it over: pass only one")
    from neural.search.driver import HpoOptions

    return HpoOptions(
        trials=values.get("trials"),
        parallel=values.get("parallel") or "auto",
        timeout=values.get("timeout"),
        seed=seed,
        searcher=values.get("searcher"),
        sampler=values.get("sampler"),
        storage=values.get("storage"),
        study=values.get("study"),
        resume=bool(values.get("resume")),
        force=bool(values.get("force")),
        report=bool(values.get("report")),
        executor=values.get("executor") or "local",
        address=values.get("address"),
        cpus_per_trial=values.get("cpus_per_trial"),
        gpus_per_trial=values.get("gpus_per_trial"),
        retries=values.get("retries") or 0,
        data=data_spec,
        epochs=epochs,
        out_dir=out_dir,
        device_source=device_source,
        share_gpus=bool(values.get("share_gpus")),
    )


def backend_for_resume(backend_name: str, settings: HpoOptions | None) -> str:
    """The backend to use: ``--backend`` as given, or, when ``--resume`` is given without it, the
    backend the resumed search recorded (a resumed search keeps its recorded budget and backend).

    Called by ``neural run`` and ``neural compile`` before they load the backend.
    """
    if settings is None or not settings.resume:
        return backend_name
    context = click.get_current_context(silent=True)
    if context is None or context.get_parameter_source("backend_name") is not click.core.ParameterSource.DEFAULT:
        return backend_name
    import json

    from neural.search.results import RESULTS_FILENAME

    try:
        recorded = json.loads((Path(settings.out_dir) / RESULTS_FILENAME).read_text(encoding="utf-8"))
        name = recorded["backend"]["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return backend_name  # the search's own checks say what is wrong with the file
    return name if isinstance(name, str) and name else backend_name


def nominal_model(program: Program, console: Console) -> ConcreteModel:
    """The model to use without ``--hpo``: the file's own, or (with HPO in it) the nominal point, said in one line."""
    if not program.has_hpo:
        return program.concrete_model()
    point = program.space.nominal_point()
    values = ", ".join(f"{name}={value!r}" for name, value in point.items())
    console.print(
        f"{program.filename} has hyperparameters but no --hpo was given; using the nominal point: {values}",
        highlight=False,
        soft_wrap=True,
    )
    return program.space.bind(point)
