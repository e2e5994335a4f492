"""Shared by the tests of neural-search-hyperopt: spaces built from DSL text, studies run in-process.

Spaces come from the real front end (``neural.program``); the benchmark modules
under ``bench/`` are imported from there so the tests and the benchmarks
measure the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from neural.search.base import COMPLETE, FAILED, PRUNED, Outcome, PastTrial, Proposal, SearchSettings
from neural.testing.files import import_file
from neural_search_hyperopt.searcher import HyperoptSearcher

REPO = Path(__file__).resolve().parents[3]
ADVANCED_EXAMPLE = REPO / "examples" / "advanced_hpo.neural"

#: Every HPO form: choice of ints / strings / tuples / bools, stepped int and float ranges
#: (range(0.9, 0.99, step=0.01) among them), an integer range, a continuous range, a log_range
#: and a custom whose options are dicts spread into Conv2D's arguments.
EVERY_FORM = """\
network EveryForm {
  input: (16, 16, 1)
  layers:
    Conv2D(HPO(custom({"small": {"filters": 8, "kernel_size": 3}, "big": {"filters": 16, "kernel_size": 5}})), activation="relu")
    Conv2D(filters=HPO(choice(8, 16, 32)), kernel_size=HPO(choice((3, 3), (5, 5))),
           padding=HPO(choice("same", "valid")), use_bias=HPO(choice(true, false)))
    Flatten()
    Dense(HPO(range(8, 64, step=8)), activation="relu")
    Dense(HPO(range(4, 32)))
    Dropout(HPO(range(0.1, 0.5, step=0.1)))
    Dropout(HPO(range(0.05, 0.6)))
    Output(10, "softmax")
  optimizer: Adam(learning_rate=ExponentialDecay(HPO(log_range(1e-4, 1e-1)), HPO(choice(500, 1000)),
                                                 HPO(range(0.9, 0.99, step=0.01))))
  loss: "sparse_categorical_crossentropy"
  train { batch_size: HPO(choice(16, 32, 64)) }
}
"""


def space_of(source: str) -> Any:
    """The search space of a DSL source text."""
    from neural.program import compile_source

    return compile_source(source, "<test>").space


def load_bench(name: str) -> ModuleType:
    """Import ``bench/<name>.py`` (the bench folder is not a package)."""
    return import_file(REPO / "bench" / f"{name}.py")


def searcher(
    space: Any, method: str, *, seed: int = 0, n_trials: int = 30, **settings: Any
) -> HyperoptSearcher:
    """A hyperopt searcher over ``space`` (``settings`` go into ``SearchSettings``)."""
    return HyperoptSearcher(space, SearchSettings(method=method, seed=seed, n_trials=n_trials, **settings))


def mixed_outcome(number: int, value: float) -> Outcome:
    """Every 7th trial pruned after one epoch, every 11th failed, the others complete."""
    if number % 11 == 10:
        return Outcome(FAILED, error="RuntimeError: injected failure")
    if number % 7 == 6:
        return Outcome(PRUNED, value=value + 0.5, intermediate=[value + 0.5])
    return Outcome(COMPLETE, value=value, intermediate=[value + 0.1, value])


def drive(
    instance: HyperoptSearcher, objective: Callable[[dict[str, Any]], float], budget: int
) -> list[tuple[Proposal, Outcome]]:
    """Ask/tell one trial at a time (as ``--parallel 1`` does) with :func:`mixed_outcome` outcomes."""
    told: list[tuple[Proposal, Outcome]] = []
    while len(told) < budget and (proposal := instance.ask()) is not None:
        outcome = mixed_outcome(proposal.number, objective(proposal.params))
        instance.tell(proposal, outcome)
        told.append((proposal, outcome))
    return told


def past_trials(told: list[tuple[Proposal, Outcome]], space: Any) -> list[PastTrial]:
    """What ``--resume`` hands the searcher: each point through the results file's JSON and back
    (``neural.search.resume.restore_trials`` reads it with ``Param.from_json_value``)."""
    import json

    past = []
    for proposal, outcome in told:
        on_disk = json.loads(
            json.dumps({p.name: p.to_json_value(proposal.params[p.name]) for p in space.params})
        )
        point = {param.name: param.from_json_value(on_disk[param.name]) for param in space.params}
        past.append(PastTrial(proposal.number, point, outcome))
    return past
