"""What ``--resume`` and ``--force`` check, and how a resumed search gets its trials back.

``neural.search.driver.run_search`` calls :func:`previous_results` first (it
refuses to overwrite an earlier ``hpo_results.json`` silently) and
:func:`restore_trials` once the new study record exists;
``neural.search.study_plan.plan_study`` calls :func:`check_resumed_storage`,
:func:`resumed_seed` and :func:`check_resumed_budget` while it resolves a
resumed study (a resumed search keeps the recorded epochs, data, objective and
backend).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.search.base import Outcome, PastTrial, Searcher
from neural.search.results import StudyRecord, TrialRecord, load_results
from neural.search.results_check import check_results_fit_space

if TYPE_CHECKING:
    from neural.search.driver import HpoOptions
    from neural.space.space import SearchSpace


def previous_results(path: Path, options: HpoOptions) -> dict[str, Any] | None:
    """The earlier results file to resume, None to start afresh; refuses a silent overwrite."""
    if options.resume and options.force:
        raise NeuralError("--resume and --force contradict each other: pass only one")
    if path.is_dir():
        raise NeuralError(f"{path} is a folder, not a results file: move it away or choose another --out")
    if options.resume:
        if not path.exists():
            raise NeuralError(f"there is no {path} to resume: run the search without --resume to start one")
        return load_results(path)
    if path.exists() and not options.force:
        raise NeuralError(
            f"{path} already exists: pass --resume to continue that search or --force to start a new one"
        )
    return None


def check_resumed_storage(previous: dict[str, Any], options: HpoOptions) -> None:
    """Refuse to resume a shared study's results without its ``--storage``/``--study``.

    Without them the searcher would continue a private copy instead of the study
    that other processes may still be filling.
    """
    shared = previous.get("storage")
    if not isinstance(shared, dict):
        return
    study = shared.get("study")
    given = f"--storage {shared.get('url')}" + (f" --study {study}" if study else "")
    if options.storage is None:
        raise NeuralError(
            f"the search in {options.out_dir} works on a shared study ({given}): "
            "resume it with the same --storage and --study"
        )
    if options.study != study:
        raise NeuralError(
            f"the search in {options.out_dir} works on study {study or '(default)'}, not {options.study or '(default)'}: "
            f"resume it with {given}, or pass --force to start a new search"
        )


def check_resumed_budget(previous: dict[str, Any], options: HpoOptions, *, objective: str) -> tuple[int, str]:
    """The epochs and data spec of the search being resumed; refuses a change that makes trials incomparable.

    Trials trained for another number of epochs, on other data or judged by
    another objective cannot be ranked with the recorded ones, so ``--epochs``
    and ``--data`` may only repeat what was recorded (leaving them out keeps it).
    """
    budget = previous.get("budget", {})
    epochs = int(budget["epochs"])
    if options.epochs is not None and options.epochs != epochs:
        raise NeuralError(
            f"the search being resumed trained each trial for {epochs} epoch(s), not {options.epochs}, "
            "so its trials would not compare: drop --epochs (or pass --epochs "
            f"{epochs}) to resume, or pass --force to start over"
        )
    data_spec = str(previous.get("data", {}).get("spec", ""))
    if options.data is not None and options.data != data_spec:
        raise NeuralError(
            f"the search being resumed trained on --data {data_spec}, not {options.data}, "
            "so its trials would not compare: drop --data to resume, or pass --force to start over"
        )
    recorded = previous.get("objective", {}).get("metric")
    if recorded is not None and recorded != objective:
        raise NeuralError(
            f"the search being resumed ranked its trials by {recorded}, not {objective}: "
            "pass --force to start over"
        )
    return epochs, data_spec


def check_resumed_backend(previous: dict[str, Any], backend_name: str, path: Path) -> None:
    """Refuse to resume with another backend than the recorded one."""
    recorded = previous["backend"]["name"]
    if recorded != backend_name:
        raise NeuralError(
            f"the search in {path} used the {recorded} backend: "
            f"resume it with --backend {recorded}, or pass --force to start a new search"
        )


def resumed_seed(previous: dict[str, Any], options: HpoOptions) -> int:
    """The seed of the search being resumed; refuses a different ``--seed``."""
    seed = int(previous["seed"])
    if options.seed is not None and options.seed != seed:
        raise NeuralError(
            f"the search being resumed used --seed {seed}, not {options.seed}: drop --seed or pass --force to start over"
        )
    return seed


def restore_trials(
    previous: dict[str, Any], study: StudyRecord, searcher: Searcher, space: SearchSpace
) -> list[TrialRecord]:
    """Load the finished trials of ``previous`` into ``study`` and the searcher; return them.

    Trials that were running (or cut short by Ctrl-C) are left out, so they run again
    with the same numbers.
    """
    if previous["source"]["sha256"] != study.header["source"]["sha256"]:
        raise NeuralError(
            f"{study.header['source']['file']} changed since the search in {study.path} started, "
            "so its trials no longer describe this model: pass --force to start a new search"
        )
    check_resumed_backend(previous, study.header["backend"]["name"], study.path)
    check_results_fit_space(previous, space, study.path)
    study.started = previous.get("started", study.started)
    restored: list[TrialRecord] = []
    past: list[PastTrial] = []
    for data in previous["trials"]:
        record = TrialRecord.from_json(data)
        if not record.is_finished:
            continue
        restored.append(record)
        study.put(record)
        point = {param.name: param.from_json_value(record.params[param.name]) for param in space.params}
        outcome = Outcome(
            state=record.state,
            value=record.value,
            intermediate=record.intermediate_values,
            error=record.error,
        )
        past.append(PastTrial(number=record.number, params=point, outcome=outcome))
    searcher.restore(past)
    return restored
