"""Core owns trial numbers: a searcher that hands back a number the study already has is stopped
with an error naming it, and the searcher conformance suite catches it first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from neural.search.base import Proposal
from neural.search.proposals import SearcherError
from neural.search.random_search import RandomSearcher
from neural_backend_torch.backend import TorchBackend

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (importlib mode)
from search_support import TINY, search, write_model


class RepeatingSearcher(RandomSearcher):
    """A broken plugin's searcher: every proposal is trial 0."""

    name = "repeating"
    methods = frozenset({"random"})

    def ask(self) -> Proposal | None:
        proposal = super().ask()
        return None if proposal is None else Proposal(number=0, params=proposal.params)


def test_a_searcher_repeating_a_trial_number_is_stopped_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neural.plugins import manager

    monkeypatch.setattr(manager, "searcher_for", lambda method, name=None: RepeatingSearcher)
    model = write_model(tmp_path, TINY)
    run = search(model, TorchBackend(), tmp_path / "out", expect_error=True)
    assert isinstance(run.error, SearcherError)
    message = str(run.error)
    assert 'searcher "repeating"' in message and "RepeatingSearcher" in message
    assert "trial number 0, which the study already has" in message
    assert [t["number"] for t in run.results["trials"]] == [0]
    assert run.results["trials"][0]["state"] == "complete"  # the finished trial was not overwritten


def test_searcher_suite_catches_a_repeated_trial_number() -> None:
    from neural.testing import SearcherSuite

    class TestRepeating(SearcherSuite):
        searcher_class = RepeatingSearcher

    with pytest.raises(SearcherError, match="trial number 0"):
        TestRepeating().test_trial_numbers_are_unique("random")
