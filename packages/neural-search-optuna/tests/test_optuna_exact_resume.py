"""Optuna random and grid search resume exactly, and a grid is never listed (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest
from optuna_support import space_of

from neural.search.base import Outcome, PastTrial, SearchSettings
from neural.search.grid_search import GridSearcher
from neural_search_optuna.searcher import OptunaSearcher

SPACE = space_of(
    """
network Mixed {
  input: (4,)
  layers:
    Dense(HPO(choice(4, 8, 16)), "relu")
    Dropout(HPO(range(0.0, 0.8)))
    Dense(HPO(range(2, 40, step=2)))
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))
  loss: "sparse_categorical_crossentropy"
}
"""
)
HUGE = space_of(
    """
network Huge {
  input: (4,)
  layers:
    Dense(HPO(range(1, 500000000, step=1)))
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
}
"""
)


def drive(searcher: OptunaSearcher, count: int | None = None) -> list[tuple[int, dict[str, Any]]]:
    """Ask and tell up to ``count`` trials (all, when None); the (number, point) of each."""
    done = []
    while count is None or len(done) < count:
        proposal = searcher.ask()
        if proposal is None:
            break
        searcher.tell(proposal, Outcome("complete", value=float(len(done))))
        done.append((proposal.number, proposal.params))
    return done


@pytest.mark.parametrize("method", ["random", "grid"])
def test_a_resumed_search_equals_the_uninterrupted_one(method: str) -> None:
    settings = SearchSettings(method=method, seed=7, n_trials=8, grid_points=3)
    uninterrupted = drive(OptunaSearcher(SPACE, settings))
    first = drive(OptunaSearcher(SPACE, settings), 3)
    resumed = OptunaSearcher(SPACE, settings)
    resumed.restore([PastTrial(n, p, Outcome("complete", value=float(i))) for i, (n, p) in enumerate(first)])
    assert first + drive(resumed) == uninterrupted
    assert len({repr(point) for _, point in uninterrupted}) == 8


def test_optuna_grid_visits_the_points_of_core_grid_in_the_same_order() -> None:
    settings = SearchSettings(method="grid", seed=1, n_trials=10**6, grid_points=3)
    core = GridSearcher(SPACE, settings)
    optuna_points = [point for _, point in drive(OptunaSearcher(SPACE, settings))]
    assert optuna_points == [core.point_for(k) for k in range(core.size)]


def test_a_grid_of_500_million_points_starts_without_being_listed() -> None:
    searcher = OptunaSearcher(HUGE, SearchSettings(method="grid", n_trials=10**9))
    assert [point["dense_1.units"] for _, point in drive(searcher, 3)] == [1, 2, 3]
