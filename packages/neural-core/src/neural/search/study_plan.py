"""The study plan: what a search resolves before its first trial.

:func:`plan_study` is called once by ``neural.search.driver.run_search``. It
resolves the method (the train block's ``search_method``, or the resumed
search's), the searcher class (``--searcher`` or the method's default), the
budget, the seed and the searcher's :class:`~neural.search.base.SearchSettings`
from the command-line options, the train block and (on ``--resume``) the
earlier results file, and returns them as a :class:`StudyPlan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neural.datasets.relative import spec_from_file
from neural.search.base import Searcher, SearchSettings
from neural.search.budget import trial_budget
from neural.search.defaults import (
    budget_line,
    default_pruner,
    divergence_line,
    first_trial_line,
    starts_at_nominal,
)
from neural.search.resume import check_resumed_budget, check_resumed_storage, resumed_seed

if TYPE_CHECKING:
    from neural.model import TrainConfig
    from neural.program import Program
    from neural.search.driver import HpoOptions


@dataclass
class StudyPlan:
    """Everything resolved before the first trial."""

    train: TrainConfig
    method: str
    searcher_class: type[Searcher]
    settings: SearchSettings
    n_trials: int
    seed: int
    grid_size: int | None
    data_spec: str
    #: One line per default the plan chose for the user (budget, divergence guard).
    header_lines: list[str] = field(default_factory=list)


def plan_study(program: Program, options: HpoOptions, previous: dict[str, Any] | None) -> StudyPlan:
    """Resolve method, searcher, budget, seed and settings from the options, the train block
    and (on ``--resume``) the earlier results file."""
    from neural.plugins.manager import searcher_for

    train = program.nominal_model().train
    method = train.search_method
    searcher_name = options.searcher
    seed = options.seed if options.seed is not None else (train.seed if train.seed is not None else 0)
    n_trials = options.trials
    epochs = options.epochs if options.epochs is not None else train.epochs
    data_spec = options.data or spec_from_file(train.dataset, program.filename)
    if previous is not None:
        check_resumed_storage(previous, options)
        seed = resumed_seed(previous, options)
        searcher_name = searcher_name or previous["searcher"]["name"]
        method = previous["searcher"]["method"]
        if n_trials is None:
            n_trials = int(previous["budget"]["n_trials"])
        epochs, data_spec = check_resumed_budget(previous, options, objective=train.objective)
    searcher_class = searcher_for(method, searcher_name)
    budget = trial_budget(program, method, n_trials, timeout=options.timeout)
    n_trials, grid_size = budget.n_trials, budget.grid_size
    defaulted: list[str] = []
    declared = {keyword.name for keyword in program.network.train or ()}
    pruner = (train.pruner or "none") if "pruner" in declared else None
    if pruner is None:
        pruner = default_pruner(searcher_class, epochs=epochs, n_trials=n_trials, open_ended=budget.open_ended)
        defaulted.append("pruner")
    if train.startup_trials is None:
        defaulted.append("startup_trials")
    first_point = None
    if starts_at_nominal(train.first_trial, method, searcher_class):
        first_point = program.space.nominal_point()
    if train.first_trial is None:
        defaulted.append("first_trial")
    settings = SearchSettings(
        method=method,
        direction=train.direction,
        seed=seed,
        n_trials=n_trials,
        grid_points=train.grid_points,
        pruner=pruner,
        sampler=options.sampler or train.sampler,
        storage=options.storage,
        study_name=options.study,
        max_epochs=epochs,
        startup_trials=train.startup_trials,
        open_ended=budget.open_ended,
        defaulted=tuple(defaulted),
        first_point=first_point,
    )
    lines = [
        budget_line(budget, options.timeout),
        divergence_line(train.divergence_guard, epochs),
        first_trial_line(first_point, train.first_trial is None, searcher_class),
    ]
    return StudyPlan(
        train=train,
        method=method,
        searcher_class=searcher_class,
        settings=settings,
        n_trials=n_trials,
        seed=seed,
        grid_size=grid_size,
        data_spec=data_spec,
        header_lines=[line for line in lines if line],
    )
