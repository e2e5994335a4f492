"""What ``--resume`` and ``--force`` check, and how a resumed search gets its trials back.

``neural.search.driver.run_search`` calls :func:`previous_results` first (it
refuses to overwrite an earlier ``hpo_results.json`` silently) and
:func:`restore_trials` once the new study record exists;
``neural.search.study_plan.plan_study`` calls :func:`check_resumed_storage` and
:func:`resumed_seed` while it resolves a resumed study.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.search.base import Outcome, PastTrial, Searcher
from neural.search.results import StudyRecord, TrialRecord, load_results

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
    if previous["backend"]["name"] != study.header["backend"]["name"]:
        raise NeuralError(
            f"the search in {study.path} used the {previous['backend']['name']} backend: "
            f"resume it with --backend {previous['backend']['name']}, or pass --force to start a new search"
        )
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
