"""Hyperopt's suggest functions for the search methods, with their settings held explicitly.

=================================  ================================================
``search_method`` / ``sampler``    suggest function
=================================  ================================================
``random``                         ``hyperopt.rand.suggest``
``bayesian`` (``sampler: "tpe"``)  ``hyperopt.tpe.suggest`` (the default sampler)
``bayesian``, ``sampler: "atpe"``  ``hyperopt.atpe.suggest`` (adaptive TPE; needs lightgbm)
``anneal``                         ``hyperopt.anneal.suggest``
=================================  ================================================

The tunable settings are passed explicitly (so an upgrade of hyperopt cannot
move them) and recorded in ``hpo_results.json``. TPE starts with 10 random
trials, not hyperopt's 20: a search here is usually tens of trials long.
``settings.options`` may override any of them by name (``n_startup_jobs``,
``gamma``, ``n_ei_candidates``, ``prior_weight``, ``avg_best_idx``,
``shrink_coef``).

Every function here is called as ``suggest([tid], domain, trials, seed)`` and
returns hyperopt trial documents. ATPE ignores the ``seed`` argument and draws
from the global ``random`` and ``numpy.random`` streams, so
:func:`_seeded_atpe` seeds those from it for the call and puts them back after
(and hands ATPE only the finished trials, which is all it can read).
"""

from __future__ import annotations

import functools
import importlib.util
import random
from collections.abc import Callable
from typing import Any

from neural.errors import NeuralError
from neural.search.base import SearchSettings
from neural.search.sampler_choice import resolve_sampler

#: The methods this searcher implements.
METHODS = ("anneal", "bayesian", "random")
#: The ``sampler`` names ``search_method: "bayesian"`` accepts (``tpe`` is the default).
BAYESIAN_SAMPLERS = ("tpe", "atpe")

#: TPE settings passed to ``tpe.suggest`` (hyperopt's defaults, but 10 start-up trials instead of 20).
TPE_SETTINGS: dict[str, Any] = {
    "n_startup_jobs": 10,
    "gamma": 0.25,
    "n_ei_candidates": 24,
    "prior_weight": 1.0,
}
#: Annealing settings passed to ``anneal.suggest`` (hyperopt's defaults).
ANNEAL_SETTINGS: dict[str, Any] = {"avg_best_idx": 2.0, "shrink_coef": 0.1}

Suggest = Callable[[list[int], Any, Any, int], list[dict[str, Any]]]


def algorithm_name(settings: SearchSettings) -> str:
    """``random``, ``tpe``, ``atpe`` or ``anneal`` for ``settings``.

    Raises :class:`NeuralError` for a method this searcher lacks, an unknown
    sampler, or a sampler given with a method other than ``bayesian``.
    """
    return resolve_sampler(
        settings,
        searcher="hyperopt",
        methods=("random", "anneal"),
        bayesian_samplers=BAYESIAN_SAMPLERS,
        hint_what="hyperopt samplers",
        unknown_suffix=" with the hyperopt searcher",
    )


def make_algorithm(settings: SearchSettings) -> tuple[Suggest, dict[str, Any]]:
    """The suggest function for ``settings`` and a JSON-ready description of its settings.

    Called once when the searcher is built. Raises :class:`NeuralError` for a
    bad method, sampler or setting, and when ATPE's extra packages are missing.
    """
    name = algorithm_name(settings)
    if name == "random":
        from hyperopt import rand

        return rand.suggest, {"name": "hyperopt.rand.suggest"}
    if name == "anneal":
        from hyperopt import anneal

        values = _settings(settings, ANNEAL_SETTINGS)
        return functools.partial(anneal.suggest, **values), {"name": "hyperopt.anneal.suggest", **values}
    if name == "tpe":
        from hyperopt import tpe

        values = _settings(settings, TPE_SETTINGS)
        suggest = functools.partial(
            tpe.suggest,
            n_startup_jobs=values["n_startup_jobs"],
            gamma=values["gamma"],
            n_EI_candidates=values["n_ei_candidates"],
            prior_weight=values["prior_weight"],
            verbose=False,
        )
        return suggest, {"name": "hyperopt.tpe.suggest", **values}
    for module, package in (("lightgbm", "lightgbm"), ("sklearn", "scikit-learn")):
        if importlib.util.find_spec(module) is None:
            raise NeuralError(
                f"sampler 'atpe' (adaptive TPE) needs the '{package}' package, which is not installed; "
                f'pip install lightgbm scikit-learn, or use sampler: "tpe"'
            )
    # ATPE imports these on its first call, and importing them draws from the global random
    # streams it was just seeded with: imported here, the first proposal is repeatable too.
    import lightgbm  # noqa: F401
    import sklearn.preprocessing  # noqa: F401

    return _seeded_atpe, {
        "name": "hyperopt.atpe.suggest",
        "seeding": "global random and numpy.random seeded from the trial's seed for each call",
    }


def _settings(settings: SearchSettings, defaults: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` with the overrides of ``settings.options`` (numbers only)."""
    values = dict(defaults)
    for key, default in defaults.items():
        if key not in settings.options:
            continue
        given = settings.options[key]
        kind = int if isinstance(default, int) else float
        try:
            values[key] = kind(given)
        except (TypeError, ValueError):
            raise NeuralError(
                f"hyperopt setting {key}={given!r} is not a number; give e.g. {key}={default!r}"
            ) from None
        if values[key] < 0 or (key == "gamma" and not 0 < values[key] < 1):
            raise NeuralError(f"hyperopt setting {key}={given!r} is out of range (e.g. {key}={default!r})")
    return values


def _seeded_atpe(new_ids: list[int], domain: Any, trials: Any, seed: int) -> list[dict[str, Any]]:
    """``atpe.suggest`` made repeatable: seeded global streams, and a history it can read.

    ATPE reads every trial's loss and ``book_time - refresh_time``, so it fails
    on running trials (``--parallel``) and on documents without times; it gets a
    copy of the finished trials, in trial order, with a fixed time (the
    duration it derives is not one of its model's inputs). Its warnings about
    constant columns (a parameter every trial shares) are silenced.
    """
    import warnings

    import numpy as np
    from hyperopt import atpe

    python_state = random.getstate()
    numpy_state = np.random.get_state()
    try:
        random.seed(seed)
        np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            docs: list[dict[str, Any]] = atpe.suggest(new_ids, domain, _finished_view(trials), seed)
        return docs
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _finished_view(trials: Any) -> Any:
    """A new ``Trials`` holding copies of the finished trials of ``trials``, in trial order, with fixed times."""
    import datetime

    from hyperopt import Trials
    from hyperopt.base import JOB_STATE_DONE

    fixed = datetime.datetime(2000, 1, 1)
    view = Trials()
    finished = sorted(
        (doc for doc in trials.trials if doc["state"] == JOB_STATE_DONE), key=lambda d: d["tid"]
    )
    view._dynamic_trials = [{**doc, "book_time": fixed, "refresh_time": fixed} for doc in finished]
    view.refresh()
    return view
