"""Optuna pruners for the train block's ``pruner`` key.

Steps are 0-based epochs (the backends' ``on_epoch_end(epoch, ...)``), and a
search here usually trains a few epochs, so the median pruner starts judging
early: after 3 finished trials, from the second epoch on (the first epoch's
value is mostly noise). ``settings.options`` may override both with
``pruner_startup_trials`` and ``pruner_warmup_steps``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError, unknown_name_hint
from neural.search.base import SearchSettings

if TYPE_CHECKING:
    from optuna.pruners import BasePruner

PRUNERS = ("median", "hyperband", "none")

MEDIAN_STARTUP_TRIALS = 3
MEDIAN_WARMUP_STEPS = 1
HYPERBAND_REDUCTION_FACTOR = 3


def make_pruner(settings: SearchSettings) -> tuple[BasePruner, dict[str, Any]]:
    """Build the pruner named by ``settings.pruner``.

    Called once when the searcher opens its study. Returns the pruner and a
    JSON-ready description of its settings for the results file. Raises
    :class:`NeuralError` for an unknown pruner name.
    """
    import optuna

    name = (settings.pruner or "none").lower()
    if name == "median":
        startup = int(settings.options.get("pruner_startup_trials", MEDIAN_STARTUP_TRIALS))
        # With two epochs or fewer there is nothing to save after the first: judge from epoch 0.
        default_warmup = MEDIAN_WARMUP_STEPS if settings.max_epochs > 2 else 0
        warmup = int(settings.options.get("pruner_warmup_steps", default_warmup))
        median = optuna.pruners.MedianPruner(
            n_startup_trials=startup, n_warmup_steps=warmup, interval_steps=1
        )
        return median, {
            "name": "MedianPruner",
            "n_startup_trials": startup,
            "n_warmup_steps": warmup,
            "interval_steps": 1,
        }
    if name == "hyperband":
        max_resource = max(int(settings.max_epochs), 1)
        hyperband = optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max_resource, reduction_factor=HYPERBAND_REDUCTION_FACTOR
        )
        return hyperband, {
            "name": "HyperbandPruner",
            "min_resource": 1,
            "max_resource": max_resource,
            "reduction_factor": HYPERBAND_REDUCTION_FACTOR,
        }
    if name == "none":
        return optuna.pruners.NopPruner(), {"name": "NopPruner"}
    hint = unknown_name_hint(name, PRUNERS, "pruners")
    raise NeuralError(f"unknown pruner '{settings.pruner}'; {hint} (set `pruner:` in the train block)")
