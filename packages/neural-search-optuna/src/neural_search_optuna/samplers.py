"""Optuna samplers for the search methods, with their settings held explicitly.

Optuna 5 changed TPE's defaults for single-objective studies (multivariate TPE
and the constant liar are now on; Optuna 4 had both off) and deprecated the
Parzen-estimator knobs (``consider_prior``, ``prior_weight``,
``consider_magic_clip``, ``consider_endpoints``, ``gamma``, ``weights``), which
now warn when passed. So the tunable defaults are passed explicitly here, and
the fixed ones are recorded: :func:`make_sampler` returns a description of
every setting that shapes the search, which lands in ``hpo_results.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural.search.base import SearchSettings
from neural.search.sampler_choice import resolve_sampler
from neural.space.params import Param

if TYPE_CHECKING:
    from optuna.samplers import BaseSampler

#: The system attribute holding a grid trial's index in core's grid order.
GRID_INDEX_ATTR = "neural:grid_index"

#: The ``sampler`` names ``search_method: "bayesian"`` accepts (``tpe`` is the default).
BAYESIAN_SAMPLERS = ("tpe", "gp", "cmaes")

#: TPE settings passed to ``TPESampler`` (the Optuna 5 defaults, held so an upgrade cannot move them),
#: except ``n_startup_trials``, which :func:`startup_trials` fits to the budget.
TPE_SETTINGS: dict[str, Any] = {
    "n_ei_candidates": 24,
    "multivariate": True,
    "group": False,
    "constant_liar": True,
}

#: TPE settings Optuna 5 fixes (deprecated as arguments): recorded, not passed.
TPE_FIXED: dict[str, Any] = {
    "consider_prior": True,
    "prior_weight": 1.0,
    "consider_magic_clip": True,
    "consider_endpoints": False,
    "gamma": "min(ceil(0.1 * n), 25)",
    "weights": "flat for the 25 newest trials, linear ramp before",
}

GP_SETTINGS: dict[str, Any] = {
    "deterministic_objective": False,
    "warn_independent_sampling": False,
}

CMAES_SETTINGS: dict[str, Any] = {
    "n_startup_trials": 1,
    "consider_pruned_trials": False,
    "use_separable_cma": False,
    "with_margin": False,
    "lr_adapt": False,
    "warn_independent_sampling": False,
}


#: The most random start-up trials a fitted budget gets (Optuna's own default).
MAX_STARTUP_TRIALS = 10
#: The fewest, so the model has something to learn from.
MIN_STARTUP_TRIALS = 3
#: The start-up of a search whose budget is its --timeout (the trial count is unknown).
OPEN_ENDED_STARTUP_TRIALS = 5


def startup_trials(settings: SearchSettings) -> int:
    """Random trials before TPE or GP model the results: the train block's ``startup_trials``,
    else a quarter of the trial budget between 3 and 10 (10 trials: 3; 40 or more: 10), or 5
    for a budget that is the ``--timeout``.

    Optuna's default of 10 would make the guide's 10-trial "bayesian" search random from
    its first trial to its last.
    """
    if settings.startup_trials is not None:
        return int(settings.startup_trials)
    if settings.open_ended:
        return OPEN_ENDED_STARTUP_TRIALS
    return max(MIN_STARTUP_TRIALS, min(MAX_STARTUP_TRIALS, int(settings.n_trials) // 4))


def sampler_line(settings: SearchSettings) -> str | None:
    """The search header's line about a model-based sampler's random start-up (None for others)."""
    name = sampler_name(settings)
    if name not in ("tpe", "gp"):
        return None
    count = startup_trials(settings)
    budget = "the --timeout" if settings.open_ended else f"{settings.n_trials} trial(s)"
    how = "fitted to a budget of " + budget if "startup_trials" in settings.defaulted else "startup_trials"
    return f"sampler: {name.upper()}, its first {count} trial(s) random ({how}); startup_trials: N sets it"


def sampler_name(settings: SearchSettings) -> str:
    """The sampler a method uses: ``random``, ``grid``, or one of :data:`BAYESIAN_SAMPLERS`.

    Raises :class:`NeuralError` for an unknown sampler, or a sampler given with a
    method other than ``bayesian``.
    """
    return resolve_sampler(
        settings, searcher="optuna", methods=("random", "grid"), bayesian_samplers=BAYESIAN_SAMPLERS
    )


def make_sampler(settings: SearchSettings, params: Sequence[Param]) -> tuple[BaseSampler, dict[str, Any]]:
    """Build the sampler for ``settings`` (seeded by ``settings.seed``).

    Called once when the searcher opens its study. Returns the sampler and a
    JSON-ready description of its settings for the results file.
    """
    import optuna

    name = sampler_name(settings)
    seed = settings.seed
    if name == "random":
        description = {
            "name": "RandomSampler",
            "seed": seed,
            "stream": "one per (seed, trial number, parameter)",
        }
        return per_trial_random_sampler(seed), description
    if name == "grid":
        description = {
            "name": "IndexedGridSampler",
            "order": "lowest grid index not yet in the study (itertools.product order, as core's grid)",
            "grid_points": settings.grid_points,
        }
        return indexed_grid_sampler(params, settings.grid_points), description
    if name == "tpe":
        startup = startup_trials(settings)
        tpe = optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup, **TPE_SETTINGS)
        return tpe, {"name": "TPESampler", "seed": seed, "n_startup_trials": startup, **TPE_SETTINGS, **TPE_FIXED}
    if name == "gp":
        _require("scipy", "the 'gp' sampler", "scipy")
        _require("torch", "the 'gp' sampler", "torch")
        startup = startup_trials(settings)
        gp = optuna.samplers.GPSampler(seed=seed, n_startup_trials=startup, **GP_SETTINGS)
        return gp, {"name": "GPSampler", "seed": seed, "n_startup_trials": startup, **GP_SETTINGS}
    _require("cmaes", "the 'cmaes' sampler", "cmaes")
    cmaes = optuna.samplers.CmaEsSampler(
        seed=seed, independent_sampler=optuna.samplers.RandomSampler(seed=seed), **CMAES_SETTINGS
    )
    description = {
        "name": "CmaEsSampler",
        "seed": seed,
        "independent_sampler": "RandomSampler (categorical parameters)",
        **CMAES_SETTINGS,
    }
    return cmaes, description


def per_trial_random_sampler(seed: int) -> BaseSampler:
    """Optuna's ``RandomSampler`` with each value drawn from a stream seeded by (seed, trial number, parameter).

    Optuna's own draws from one stream in the order trials are asked, so a
    resumed study (whose sampler cannot restore that stream's state) would draw
    other points than an uninterrupted one. Here trial ``k``'s point depends on
    the seed and ``k`` only: a resumed random search equals the uninterrupted
    one, as core's random searcher does, and the order of parallel asks
    changes nothing.
    """
    import numpy as np
    import optuna
    from optuna._transform import _SearchSpaceTransform  # the transform RandomSampler itself uses

    from neural.search.seeds import derive_seed

    class PerTrialRandomSampler(optuna.samplers.RandomSampler):
        def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any) -> Any:
            rng = np.random.RandomState(derive_seed(seed, trial.number, f"optuna-random:{param_name}"))
            transform = _SearchSpaceTransform({param_name: param_distribution})
            drawn = rng.uniform(transform.bounds[:, 0], transform.bounds[:, 1])
            return transform.untransform(drawn)[param_name]

    return PerTrialRandomSampler(seed=seed)


def indexed_grid_sampler(params: Sequence[Param], grid_points: int) -> BaseSampler:
    """A sampler that gives each new trial the lowest grid index no trial of the study holds yet.

    Optuna's ``GridSampler`` lists the whole Cartesian product when it is made
    (a 500,000,000-point grid exhausts the machine before trial 0); this one
    computes each point from its index with core's
    :class:`~neural.search.grid_axes.GridAxes`, as core's grid searcher does, in
    the same order. The index is kept as the trial's ``neural:grid_index``
    system attribute, so processes sharing a study (asking under the budget
    lock) and a resumed study (its restored trials are found by their params)
    skip the cells already taken. Never calls ``study.stop()``: the searcher's
    own budget, at most the grid size, ends the search.
    """
    import threading

    import optuna

    from neural.search.grid_axes import GridAxes
    from neural_search_optuna.distributions import to_optuna_value, to_point

    grid = GridAxes(params, grid_points)
    by_name = {param.name: param for param in params}

    class IndexedGridSampler(optuna.samplers.BaseSampler):
        def __init__(self) -> None:
            self._lock = threading.Lock()
            self._points: dict[int, dict[str, Any]] = {}

        def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, Any]:
            return {}

        def sample_relative(self, study: Any, trial: Any, search_space: Any) -> dict[str, Any]:
            return {}

        def before_trial(self, study: Any, trial: Any) -> None:
            if GRID_INDEX_ATTR in trial.system_attrs:
                return
            with self._lock:
                taken = self._taken(study, trial.number)
                index = next(i for i in range(len(taken) + 1) if i not in taken)
                study._storage.set_trial_system_attr(trial._trial_id, GRID_INDEX_ATTR, index)

        def _taken(self, study: Any, current: int) -> set[int]:
            taken: set[int] = set()
            for other in study.get_trials(deepcopy=False):
                if other.number == current:
                    continue
                if GRID_INDEX_ATTR in other.system_attrs:
                    taken.add(int(other.system_attrs[GRID_INDEX_ATTR]))
                elif set(other.params) == set(by_name):
                    found = grid.index_of(to_point(params, other.params))
                    if found is not None:
                        taken.add(found)
            return taken

        def sample_independent(self, study: Any, trial: Any, param_name: str, param_distribution: Any) -> Any:
            index = int(trial.system_attrs[GRID_INDEX_ATTR]) % max(grid.size, 1)
            point = self._points.get(index)
            if point is None:
                point = self._points[index] = grid.point(index)
            return to_optuna_value(by_name[param_name], point[param_name])

    return IndexedGridSampler()


def _require(module: str, what: str, package: str) -> None:
    """Raise a :class:`NeuralError` with a pip hint when ``module`` cannot be imported."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise NeuralError(
            f"{what} needs the '{package}' package, which is not installed; pip install {package}"
        )
