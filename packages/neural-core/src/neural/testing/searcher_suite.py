"""The conformance suite every searcher plugin's tests subclass.

::

    class TestOptunaSearcher(SearcherSuite):
        searcher_class = OptunaSearcher

Every test runs once per method the searcher lists (``searcher_class.methods``,
or ``methods_to_test``). It checks: every proposal lies in the space and
numbers are fresh (core's own check of a proposal, also after ``restore``); ``tell`` accepts complete, pruned and failed outcomes; the
searcher finds a good point of a small objective, minimising and maximising;
the same seed gives the same proposals; ``restore`` accepts earlier trials.
Override :meth:`SearcherSuite.make_searcher` when the searcher needs more
settings (a storage, say).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from neural.search.base import COMPLETE, FAILED, PRUNED, Outcome, PastTrial, Proposal, SearchSettings

if TYPE_CHECKING:
    from neural.search.base import Searcher
    from neural.space.space import SearchSpace

#: A space with every kind of parameter: int range, choice, stepped float range, custom, log range.
COVERAGE_NETWORK = """\
network SearcherCoverage {
  input: (4,)
  layers:
    Dense(HPO(range(4, 32)), HPO(choice("relu", "tanh")))
    Dropout(HPO(range(0.1, 0.5, step=0.1)))
    Dense(HPO(custom({"narrow": 8, "wide": 32})))
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train { batch_size: HPO(choice(16, 32)) }
}
"""

#: A 4 × 5 = 20-point space for the optimisation test; the optimum is units 32, rate 0.3.
OPTIMUM_NETWORK = """\
network SearcherOptimum {
  input: (4,)
  layers:
    Dense(HPO(choice(8, 16, 32, 64)))
    Dropout(HPO(range(0.1, 0.5, step=0.1)))
    Output(3, "softmax")
  optimizer: Adam(learning_rate=0.01)
  loss: "sparse_categorical_crossentropy"
}
"""


def compile_space(source: str) -> SearchSpace:
    """The search space of a network source."""
    from neural.program import compile_source

    return compile_source(source, "conformance.neural").space


def distance_to_optimum(params: dict[str, Any]) -> float:
    """0 at units 32 / rate 0.3 of :data:`OPTIMUM_NETWORK`, growing away from it."""
    return abs(math.log2(params["dense_1.units"]) - 5) / 3 + abs(params["dropout_1.rate"] - 0.3) / 0.4


def run_study(
    searcher: Searcher, objective: Callable[[dict[str, Any]], float], budget: int
) -> list[tuple[Proposal, float]]:
    """Ask/tell up to ``budget`` trials (fewer when ``ask`` returns None); return each proposal and value.

    Every proposal goes through core's own check (:func:`neural.search.proposals.check_proposal`,
    what the trial runner does): a repeated or malformed trial number raises
    :class:`~neural.search.proposals.SearcherError` naming the searcher.
    """
    from neural.search.proposals import check_proposal

    trials: list[tuple[Proposal, float]] = []
    used: set[int] = set()
    while len(trials) < budget:
        proposal = searcher.ask()
        if proposal is None:
            break
        check_proposal(searcher, proposal, used)
        used.add(proposal.number)
        value = objective(proposal.params)
        searcher.tell(proposal, Outcome(state=COMPLETE, value=value, intermediate=[value]))
        trials.append((proposal, value))
    return trials


class SearcherSuite:
    """Subclass it and set ``searcher_class``; pytest runs every ``test_*`` below per method."""

    searcher_class: ClassVar[type[Searcher]]
    methods_to_test: ClassVar[tuple[str, ...] | None] = None
    budget: ClassVar[int] = 30
    #: The plugin's ``plugin`` module (``"my_package.plugin"``): when set, a test checks its import stays light.
    plugin_module: ClassVar[str | None] = None

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "method" in metafunc.fixturenames:
            cls = metafunc.cls
            methods = cls.methods_to_test or tuple(sorted(cls.searcher_class.methods))
            metafunc.parametrize("method", methods)

    def make_searcher(self, space: SearchSpace, settings: SearchSettings) -> Searcher:
        """Build the searcher under test (override to add settings)."""
        return self.searcher_class(space, settings)

    def settings(self, method: str, *, seed: int = 0, direction: str = "minimize") -> SearchSettings:
        return SearchSettings(
            method=method, direction=direction, seed=seed, n_trials=self.budget, grid_points=5, max_epochs=3
        )

    # --------------------------------------------------------------- tests

    def test_plugin_module_imports_no_heavy_library(self) -> None:
        if self.plugin_module is None:
            return
        from neural.testing.startup import assert_light_import

        assert_light_import(self.plugin_module)

    def test_searcher_declares_name_and_methods(self) -> None:
        cls = self.searcher_class
        assert isinstance(cls.name, str) and cls.name
        assert cls.methods and all(isinstance(method, str) for method in cls.methods)
        assert isinstance(cls.priority, int)

    def test_every_proposal_lies_in_the_space(self, method: str) -> None:
        space = compile_space(COVERAGE_NETWORK)
        searcher = self.make_searcher(space, self.settings(method))
        trials = run_study(searcher, lambda params: float(params["dense_1.units"]), 12)
        assert trials, "the searcher proposed nothing"
        for proposal, _ in trials:
            assert set(proposal.params) == set(space.names)
            for name, value in proposal.params.items():
                assert space[name].contains(value), f"{name}={value!r} is outside the space"
        searcher.close()

    def test_trial_numbers_are_unique(self, method: str) -> None:
        searcher = self.make_searcher(compile_space(COVERAGE_NETWORK), self.settings(method))
        numbers = [proposal.number for proposal, _ in run_study(searcher, lambda params: 0.0, 12)]
        assert len(numbers) == len(set(numbers))
        assert all(isinstance(number, int) and number >= 0 for number in numbers)

    def test_tell_accepts_complete_pruned_and_failed_trials(self, method: str) -> None:
        searcher = self.make_searcher(compile_space(COVERAGE_NETWORK), self.settings(method))
        outcomes = [
            Outcome(state=COMPLETE, value=0.5, intermediate=[0.9, 0.5]),
            Outcome(state=PRUNED, value=0.8, intermediate=[0.8]),
            Outcome(state=FAILED, value=None, error="ValueError: diverged (NaN loss)"),
        ]
        told: set[int] = set()
        for outcome in outcomes:
            proposal = searcher.ask()
            assert proposal is not None
            told.add(proposal.number)
            for epoch, value in enumerate(outcome.intermediate):
                assert isinstance(searcher.report(proposal, epoch, value), bool)
            searcher.tell(proposal, outcome)
        after = searcher.ask()
        assert after is None or after.number not in told
        searcher.close()

    @pytest.mark.parametrize("direction", ["minimize", "maximize"])
    def test_finds_a_good_point_of_a_small_objective(self, method: str, direction: str) -> None:
        space = compile_space(OPTIMUM_NETWORK)
        sign = 1.0 if direction == "minimize" else -1.0

        def objective(params: dict[str, Any]) -> float:
            return sign * distance_to_optimum(params)

        searcher = self.make_searcher(space, self.settings(method, seed=3, direction=direction))
        trials = run_study(searcher, objective, self.budget)
        found = min(sign * value for _, value in trials)
        every_point = sorted(
            distance_to_optimum({"dense_1.units": units, "dropout_1.rate": rate})
            for units in space["dense_1.units"].grid_values()
            for rate in space["dropout_1.rate"].grid_values()
        )
        best_tenth = every_point[len(every_point) // 10]
        assert found <= best_tenth + 1e-9, (
            f"after {len(trials)} trials the best distance is {found:.3f}; "
            f"a tenth of the space is within {best_tenth:.3f}"
        )

    def test_same_seed_gives_the_same_proposals(self, method: str) -> None:
        space = compile_space(COVERAGE_NETWORK)

        def proposals(seed: int) -> list[tuple[int, dict[str, Any]]]:
            searcher = self.make_searcher(space, self.settings(method, seed=seed))
            trials = run_study(searcher, lambda params: params["dropout_1.rate"], 8)
            searcher.close()
            return [(proposal.number, proposal.params) for proposal, _ in trials]

        assert proposals(11) == proposals(11)

    def test_restore_accepts_earlier_trials(self, method: str) -> None:
        space = compile_space(COVERAGE_NETWORK)
        first = self.make_searcher(space, self.settings(method, seed=5))
        earlier = run_study(first, lambda params: params["dropout_1.rate"], 4)
        first.close()
        past = [
            PastTrial(
                number=p.number,
                params=dict(p.params),
                outcome=Outcome(state=COMPLETE, value=v, intermediate=[v]),
            )
            for p, v in earlier
        ]
        resumed = self.make_searcher(space, self.settings(method, seed=5))
        resumed.restore(past)
        proposal = resumed.ask()
        assert proposal is not None
        from neural.search.proposals import check_proposal

        check_proposal(resumed, proposal, {trial.number for trial in past})
        for name, value in proposal.params.items():
            assert space[name].contains(value)
        resumed.close()
