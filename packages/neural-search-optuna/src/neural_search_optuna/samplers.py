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

from neural.errors import NeuralError, unknown_name_hint
from neural.search.base import SearchSettings
from neural.space.params import Param
from neural_search_optuna.distributions import grid_search_space

if TYPE_CHECKING:
    from optuna.samplers import BaseSampler

#: The ``sampler`` names ``search_method: "bayesian"`` accepts (``tpe`` is the default).
BAYESIAN_SAMPLERS = ("tpe", "gp", "cmaes")

#: TPE settings passed to ``TPESampler`` (the Optuna 5 defaults, held so an upgrade cannot move them).
TPE_SETTINGS: dict[str, Any] = {
    "n_startup_trials": 10,
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
    "n_startup_trials": 10,
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


def sampler_name(settings: SearchSettings) -> str:
    """The sampler a method uses: ``random``, ``grid``, or one of :data:`BAYESIAN_SAMPLERS`.

    Raises :class:`NeuralError` for an unknown sampler, or a sampler given with a
    method other than ``bayesian``.
    """
    requested = settings.sampler.lower() if settings.sampler else None
    if settings.method == "bayesian":
        name = requested or "tpe"
        if name not in BAYESIAN_SAMPLERS:
            hint = unknown_name_hint(name, BAYESIAN_SAMPLERS, "samplers")
            raise NeuralError(
                f"unknown sampler '{settings.sampler}' for search_method 'bayesian'; {hint} "
                f"(set it with `sampler:` in the train block or --sampler)"
            )
        return name
    if settings.method in ("random", "grid"):
        if requested not in (None, settings.method):
            raise NeuralError(
                f"sampler '{settings.sampler}' only applies to search_method 'bayesian', not "
                f"'{settings.method}'; remove the sampler or set search_method: \"bayesian\""
            )
        return settings.method
    raise NeuralError(
        f"the optuna searcher has no search_method '{settings.method}'; use one of: bayesian, grid, random"
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
        return optuna.samplers.RandomSampler(seed=seed), {"name": "RandomSampler", "seed": seed}
    if name == "grid":
        space = grid_search_space(params, settings.grid_points)
        description = {"name": "GridSampler", "seed": seed, "grid_points": settings.grid_points}
        return _ask_tell_grid_sampler(space, seed), description
    if name == "tpe":
        tpe = optuna.samplers.TPESampler(seed=seed, **TPE_SETTINGS)
        return tpe, {"name": "TPESampler", "seed": seed, **TPE_SETTINGS, **TPE_FIXED}
    if name == "gp":
        _require("scipy", "the 'gp' sampler", "scipy")
        _require("torch", "the 'gp' sampler", "torch")
        gp = optuna.samplers.GPSampler(seed=seed, **GP_SETTINGS)
        return gp, {"name": "GPSampler", "seed": seed, **GP_SETTINGS}
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


def _ask_tell_grid_sampler(space: dict[str, list[Any]], seed: int) -> BaseSampler:
    """A ``GridSampler`` that does not call ``study.stop()`` when the grid is used up.

    ``stop`` only works inside ``study.optimize`` and raises with ask-and-tell;
    the searcher's own budget (at most the grid size) ends a grid search instead.
    """
    import optuna

    class AskTellGridSampler(optuna.samplers.GridSampler):
        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            return None

    return AskTellGridSampler(space, seed=seed)


def _require(module: str, what: str, package: str) -> None:
    """Raise a :class:`NeuralError` with a pip hint when ``module`` cannot be imported."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise NeuralError(
            f"{what} needs the '{package}' package, which is not installed; pip install {package}"
        )
