"""Core's check of what a searcher hands back from ``ask``.

The trial runner owns the study, so it does not trust a trial number it did
not check: a number already used would overwrite a finished trial in
``hpo_results.json`` and a searcher repeating one forever would loop. Called
by ``neural.search.runner.TrialRunner`` for every proposal and by
``neural.testing.SearcherSuite``, so a plugin's own tests catch it first.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.search.base import Proposal

if TYPE_CHECKING:
    from neural.search.base import Searcher


class SearcherError(NeuralError):
    """A searcher plugin broke the searcher protocol (a bad proposal); the message names it."""


def searcher_label(searcher: Searcher) -> str:
    """``searcher "optuna" (neural_search_optuna.searcher.OptunaSearcher)``: the plugin in a message."""
    cls = type(searcher)
    return f'searcher "{getattr(cls, "name", "?")}" ({cls.__module__}.{cls.__qualname__})'


def check_proposal(searcher: Searcher, proposal: Any, used: Container[int]) -> Proposal:
    """Return ``proposal`` when it is a :class:`Proposal` with a fresh trial number.

    ``used`` holds the numbers of the study's trials (finished, restored and
    running). Raises :class:`SearcherError` naming the searcher's class
    otherwise: the search cannot go on with a searcher that breaks the protocol.
    """
    report = "; this is a bug in the searcher plugin: report it to its authors or pick another with --searcher"
    if not isinstance(proposal, Proposal):
        raise SearcherError(
            f"{searcher_label(searcher)} returned {type(proposal).__name__} from ask(), "
            f"not a Proposal or None{report}"
        )
    number = proposal.number
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise SearcherError(
            f"{searcher_label(searcher)} proposed trial number {number!r}; "
            f"trial numbers are integers from 0{report}"
        )
    if number in used:
        raise SearcherError(
            f"{searcher_label(searcher)} proposed trial number {number}, which the study already has, "
            f"so it would overwrite that trial{report}"
        )
    return proposal
