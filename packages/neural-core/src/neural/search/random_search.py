"""The built-in ``random`` searcher: independent uniform draws, one stream per trial.

Registered by core's internal plugin (``neural.plugins.builtin``). Trial ``k``
draws its point from a random stream seeded by (study seed, ``k``), so the
point of a trial depends only on the seed and its number: a resumed study
proposes exactly what an uninterrupted one would, and with ``--parallel N``
the order in which trials finish changes nothing. With ``settings.first_point``
(train block ``first_trial: "nominal"``) trial 0 evaluates that point instead.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from neural.search.numbering import NumberedSearcher
from neural.search.sampling import sample_point
from neural.search.seeds import derive_seed


class RandomSearcher(NumberedSearcher):
    """Proposes uniformly drawn points (log-uniform on ``log_range``) until the budget is used."""

    name: ClassVar[str] = "random"
    methods: ClassVar[frozenset[str]] = frozenset({"random"})
    priority: ClassVar[int] = 0
    takes_first_point: ClassVar[bool] = True

    def point_for(self, number: int) -> dict[str, Any]:
        """Trial ``number``'s point, drawn from the stream seeded by (study seed, ``number``)
        (trial 0: ``settings.first_point`` when there is one)."""
        if number == 0 and self.settings.first_point is not None:
            return dict(self.settings.first_point)
        rng = random.Random(derive_seed(self.settings.seed, number, "sample"))
        return sample_point(tuple(self.space.params), rng)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "sampling": "independent per trial, seeded by (seed, trial number)"}
