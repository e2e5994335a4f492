"""``run_search``: what ``neural run/compile --hpo`` call to search a program's space.

Called once per command. It resolves the study (searcher for the train block's
``search_method`` or ``--searcher``, budget, seed, objective:
``neural.search.study_plan``), refuses to overwrite an earlier
``hpo_results.json`` unless ``--resume`` or ``--force`` says what to do with it
(``neural.search.resume``), prepares the data once, runs the trial loop
(``neural.search.runner``) with the progress display, prints the best trials
and writes ``hpo_results.json`` and ``<FILE stem>.best.neural`` into
``out_dir``. Returns the best point and its bound model for the command to
train or compile.

Shared studies (``--storage URL --study NAME``, for searchers that support
them): ``--trials N`` is the budget of the whole study, which every process
sharing it fills together; each process stops once the study holds N trials.
A process started without ``--resume`` on a study that already exists in the
storage joins it — the refusal to overwrite concerns only the local
``hpo_results.json`` in ``--out``. Each process's results file lists the whole
study's finished trials (see ``neural.search.runner``), so its best trial and
``.best.neural`` are the study's. ``--resume`` continues the study to its
budget and needs the same ``--storage``/``--study`` as the run it resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.search.base import Searcher
from neural.search.defaults import AUTO, auto_workers
from neural.search.executor import LOCAL, ExecutorPlugin, ExecutorSettings
from neural.search.live_report import LiveReport
from neural.search.results import RESULTS_FILENAME, StudyRecord, source_sha256
from neural.search.resume import check_resumed_backend, previous_results, restore_trials
from neural.search.runner import RunnerLimits, SearchInterrupted, SearchStopped, TrialRunner, with_epochs
from neural.search.study_plan import StudyPlan, plan_study

if TYPE_CHECKING:
    from rich.console import Console

    from neural.backends.base import Backend, TrainData
    from neural.devices import DeviceChoice
    from neural.model import ConcreteModel
    from neural.program import Program
    from neural.space.space import SearchSpace


@dataclass
class HpoOptions:
    """The ``--hpo`` command-line options; None means "from the train block"."""

    trials: int | None = None
    #: worker processes, or ``"auto"``: one per available core (``neural.search.defaults``)
    parallel: int | str = 1
    timeout: float | None = None
    seed: int | None = None
    searcher: str | None = None
    sampler: str | None = None
    storage: str | None = None
    study: str | None = None
    resume: bool = False
    force: bool = False
    report: bool = False
    data: str | None = None
    epochs: int | None = None
    out_dir: Path = Path(".")
    max_consecutive_failures: int = 5
    #: where trials run (``--executor``): core's ``local`` or a plugin's (``ray``)
    executor: str = "local"
    address: str | None = None
    cpus_per_trial: int | None = None
    gpus_per_trial: float | None = None
    retries: int = 0
    #: how the device was chosen, for messages (``--device``, or the train block)
    device_source: str = "train block device"
    #: ``--share-gpus``: more local workers than GPUs (or one cuda:N for all) is allowed
    share_gpus: bool = False

    def executor_settings(self, device: DeviceChoice | None = None) -> ExecutorSettings:
        """The options the executor plugin gets (``--parallel``, ``--address``, the per-trial resources,
        the device chosen for the search and ``--share-gpus``)."""
        return ExecutorSettings(
            parallel=self.parallel,
            address=self.address,
            cpus_per_trial=self.cpus_per_trial,
            gpus_per_trial=self.gpus_per_trial,
            retries=self.retries,
            device=device,
            share_gpus=self.share_gpus,
        )


@dataclass
class SearchOutcome:
    """The search's result: the best point, its bound model and objective value,
    the results file, and every file written (``hpo_results.json``, ``NAME.best.neural``)."""

    best_point: dict[str, Any]
    best_model: ConcreteModel
    best_value: float
    results_path: Path
    written: list[Path] = field(default_factory=list)
    best_number: int = 0
    study_seed: int = 0
    #: the trials that ran at once (``--parallel``, resolved)
    workers: int = 1
    #: the framework threads each trial trained with (None: the framework's default)
    trial_threads: int | None = None
    data_spec: str | None = None

    @property
    def best_seed(self) -> int:
        """The seed the best trial trained with: training the best point again with it
        (and the study seed's data split) reproduces that trial on the CPU."""
        from neural.search.seeds import trial_seed

        return trial_seed(self.study_seed, self.best_number)


def run_search(program: Program, *, backend: Backend, options: HpoOptions, console: Console) -> SearchOutcome:
    """Search ``program``'s space with ``backend``; write the results and the best source.

    Raises NeuralError for a user mistake (no HPO in the file, an existing
    results file without ``--resume``/``--force``, a changed source on
    resume, an unknown searcher), :class:`~neural.search.runner.SearchStopped`
    after too many failed trials in a row and
    :class:`~neural.search.runner.SearchInterrupted` after Ctrl-C (both
    NeuralErrors, so the CLI exits 1 with their message).

    With ``options.parallel > 1`` trials run in ``spawn``-ed worker processes,
    which re-import the calling script: a script that calls this directly
    needs the usual ``if __name__ == "__main__":`` guard.
    """
    space = program.space
    if not list(space.params):
        raise NeuralError(
            f"{program.filename} has no HPO(...) expression, so there is nothing to search: run it without --hpo"
        )
    out_dir = Path(options.out_dir)
    results_path = out_dir / RESULTS_FILENAME
    live_report = LiveReport(out_dir, console) if options.report else None  # fails early without neural-viz
    previous = previous_results(results_path, options)
    if previous is not None:
        check_resumed_backend(previous, backend.name, results_path)
    plan = plan_study(program, options, previous)
    if plan.grid_size is not None:
        factors = " × ".join(f"{p.cardinality(plan.settings.grid_points)} {p.name}" for p in space.params)
        console.print(
            f"grid search: {plan.grid_size:,} point(s) = {factors}; running {plan.n_trials}",
            highlight=False,
            soft_wrap=True,
        )
    device = search_device(program, backend, options)
    executors = _executor_plugin(options, console, device)
    try:
        return _search(program, backend, options, console, plan, previous, results_path, live_report, executors)
    finally:
        executors.close()


def _search(
    program: Program,
    backend: Backend,
    options: HpoOptions,
    console: Console,
    plan: StudyPlan,
    previous: Any,
    results_path: Path,
    live_report: LiveReport | None,
    executors: ExecutorPlugin,
) -> SearchOutcome:
    """The search once its plan and executor are known (see :func:`run_search`)."""
    space = program.space
    out_dir = Path(options.out_dir)
    # The header comes first, before the data loads and the workers start (they take a while).
    parallel = executors.open(plan.n_trials)
    sampler = f" ({plan.settings.sampler})" if plan.settings.sampler else ""
    count = f"{plan.n_trials} trial(s)" if not plan.settings.open_ended else "trials"
    console.print(
        f"search: {plan.method} with the {plan.searcher_class.name} searcher{sampler}; {count} "
        f"of up to {plan.settings.max_epochs} epoch(s); objective {plan.train.objective} "
        f"({plan.settings.direction}); {parallel} worker(s); seed {plan.seed}",
        highlight=False,
        soft_wrap=True,
    )
    device = executors.settings.device
    for line in [device.header() if device else None, *executors.header_lines(), *plan.header_lines]:
        if line:
            console.print(line, highlight=False, soft_wrap=True)
    data = prepare_search_data(program, plan, console)
    if plan.train.validation_split == 0:
        console.print(
            f"note: validation_split is 0, so there is no validation data: the objective is {plan.train.objective}, "
            "measured on the training data",
            highlight=False,
        )
    searcher = plan.searcher_class(space, plan.settings)
    for line in searcher.header_lines():
        console.print(line, highlight=False, soft_wrap=True)
    if plan.settings.pruner != "none" and type(searcher).report is Searcher.report:
        console.print(
            f'note: the {searcher.name} searcher does not prune trials, so pruner "{plan.settings.pruner}" '
            "has no effect (the optuna searcher prunes: pip install neural-search-optuna)"
        )
    study = StudyRecord(
        path=results_path,
        header=_header(program, backend, searcher, plan, options, data, parallel),
        direction=plan.settings.direction,
    )
    restored = restore_trials(previous, study, searcher, space) if previous is not None else []
    # Started before the results file is written: an executor that refuses the run (a worker count
    # the memory cannot hold) must leave no hpo_results.json behind.
    executor = executors.start(backend, data, program.nominal_model())
    out_dir.mkdir(parents=True, exist_ok=True)
    study.save(wait=True)

    from neural.search.progress import SearchProgress, results_table

    progress = SearchProgress(
        console,
        total=plan.n_trials,
        objective=plan.train.objective,
        direction=plan.settings.direction,
        epochs=plan.settings.max_epochs,
        parallel=parallel,
    )
    runner = TrialRunner(
        space=space,
        searcher=searcher,
        executor=executor,
        study=study,
        limits=RunnerLimits(plan.n_trials, options.timeout, options.max_consecutive_failures),
        seed=plan.seed,
        progress=progress,
        epochs=plan.settings.max_epochs,
        on_trial_end=live_report,
    )
    ranked = partial(results_table, objective=plan.train.objective, direction=plan.settings.direction)

    def table(trials: list[Any]) -> Any:
        """The best-trials table, or one line of counts when no trial completed."""
        if any(t.state == "complete" and t.value is not None for t in trials):
            return ranked(trials)
        states = [t.state if t.is_finished else "interrupted" for t in trials]
        counts = ", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states))
        return f"no trial completed ({counts or 'none started'})"

    try:
        with progress:
            progress.restored(restored, study.best())
            try:
                runner.run()
            finally:
                if live_report is not None:
                    live_report(study, final=True)
    except SearchStopped:
        console.print(table(study.ordered_trials()))
        raise
    except SearchInterrupted:
        console.print(table(study.ordered_trials()))
        finished = sum(1 for t in study.trials.values() if t.is_finished)
        raise SearchInterrupted(
            f"the search was interrupted after {finished} finished trial(s); they are saved in {results_path}. "
            "Continue it with the same command plus --resume" + (" in place of --force" if options.force else "")
        ) from None
    console.print(table(study.ordered_trials()))
    if runner.timed_out:
        console.print(f"the --timeout of {options.timeout:g} s ended the search")
    outcome = _finish(program, study, plan, options, results_path)
    outcome.workers = parallel
    outcome.trial_threads = executors.trial_threads()
    epochs = plan.settings.max_epochs
    if epochs != plan.train.epochs:
        console.print(
            f"note: the trials and the best model use {epochs} epoch(s) (--epochs {epochs}); "
            f"{outcome.written[-1].name} keeps the file's epochs: {plan.train.epochs}, so pass --epochs {epochs} "
            "to train it as the trials were",
            highlight=False,
            soft_wrap=True,
        )
    if live_report is not None and live_report.written:
        outcome.written.append(live_report.path)
    return outcome


# ----------------------------------------------------------------------------- data and workers


def prepare_search_data(program: Program, plan: StudyPlan, console: Console) -> TrainData:
    """Load and split the data once for the whole search (every trial and worker reuses it)."""
    from neural.training import prepare_model_data

    loading = f"data: loading {plan.data_spec} …"
    if console.is_terminal:
        with console.status(loading):
            data = prepare_model_data(program.nominal_model(), plan.data_spec, seed=plan.seed)
    else:
        console.print(loading, highlight=False)
        data = prepare_model_data(program.nominal_model(), plan.data_spec, seed=plan.seed)
    for note in data.notes:
        console.print(f"data: {note}")
    console.print(
        f"data: {data.name or plan.data_spec}, {len(data.x_train)} training and {len(data.x_val)} validation samples"
    )
    return data


def resolve_workers(parallel: int | str, n_trials: int) -> int:
    """The number of worker processes: ``--parallel N`` or ``auto``, never more than there are trials."""
    if parallel == AUTO:
        return auto_workers(n_trials)
    return max(1, min(int(parallel), n_trials))


def search_device(program: Program, backend: Backend, options: HpoOptions) -> DeviceChoice:
    """The device the search's trials train on, decided once before anything starts.

    With core's local executor a GPU that is not visible here is one error now,
    not a failed trial each; trials on a cluster run elsewhere, so there the
    device is checked where each one runs (and its record says what it used).
    """
    from neural.devices import device_for_backend, unchecked_device

    requested = program.nominal_model().train.device
    if options.executor != LOCAL:
        return unchecked_device(requested, source=options.device_source)
    return device_for_backend(requested, backend, source=options.device_source)


def _executor_plugin(options: HpoOptions, console: Console, device: DeviceChoice | None = None) -> ExecutorPlugin:
    """The executor plugin ``--executor`` names (core's ``local`` by default), built from the options.

    An unknown name is a NeuralError with "did you mean" and the package to install.
    """
    from neural.plugins import manager

    return manager.executor_class(options.executor)(options.executor_settings(device), console)


# ----------------------------------------------------------------------------- results file header


def redact_url(url: str) -> str:
    """``url`` with a password it contains replaced by ``***`` (it goes into the results file)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _header(
    program: Program,
    backend: Backend,
    searcher: Searcher,
    plan: StudyPlan,
    options: HpoOptions,
    data: TrainData,
    parallel: int,
) -> dict[str, Any]:
    from neural.search.versions import library_versions

    describe = searcher.describe()
    header: dict[str, Any] = {
        "source": {
            "file": str(program.filename),
            "sha256": source_sha256(program.source),
            "network": program.network.name,
        },
        "backend": {"name": backend.name},
        "searcher": {"name": searcher.name, "method": plan.method, "settings": describe},
        "seed": plan.seed,
        "objective": {"metric": plan.train.objective, "direction": plan.settings.direction},
        "budget": {
            "n_trials": plan.n_trials,
            "timeout": options.timeout,
            "parallel": parallel,
            "executor": options.executor,
            "epochs": plan.settings.max_epochs,
            "max_consecutive_failures": options.max_consecutive_failures,
        },
        "data": {
            "spec": plan.data_spec,
            "train_samples": len(data.x_train),
            "validation_samples": len(data.x_val),
            "notes": list(data.notes),
        },
        "space": _space_dict(program.space),
        "versions": library_versions(backend, searcher),
    }
    if options.storage:
        header["storage"] = {"url": redact_url(options.storage), "study": options.study}
    return header


def _space_dict(space: SearchSpace) -> list[dict[str, Any]]:
    to_dict = getattr(space, "to_dict", None)
    if callable(to_dict):
        return list(to_dict())
    return [param.to_dict() for param in space.params]


# ----------------------------------------------------------------------------- the end


def _finish(
    program: Program, study: StudyRecord, plan: StudyPlan, options: HpoOptions, results_path: Path
) -> SearchOutcome:
    from neural.space.writeback import write_back

    best = study.best()
    if best is None or best.value is None:
        counts = ", ".join(
            f"{sum(1 for t in study.trials.values() if t.state == s)} {s}" for s in ("pruned", "failed")
        )
        raise NeuralError(
            f"no trial completed ({counts}); see the errors in {results_path}, fix the model or the search space "
            "and start again with --force"
        )
    space = program.space
    point = {param.name: param.from_json_value(best.params[param.name]) for param in space.params}
    model = with_epochs(space.bind(point), plan.settings.max_epochs)
    best_source_path = Path(options.out_dir) / f"{Path(program.filename).stem}.best.neural"
    best_source_path.write_text(write_back(program.source, space, point), encoding="utf-8")
    return SearchOutcome(
        best_point=point,
        best_model=model,
        best_value=float(best.value),
        results_path=results_path,
        written=[results_path, best_source_path],
        best_number=best.number,
        study_seed=plan.seed,
        data_spec=plan.data_spec,
    )
