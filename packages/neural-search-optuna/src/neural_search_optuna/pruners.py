"""Optuna pruners for the train block's ``pruner`` key.

Steps are 0-based epochs (the backends' ``on_epoch_end(epoch, ...)``), and a
search here usually trains a few epochs, so the median pruner starts judging
early: after 3 finished trials, from the second epoch on (the first epoch's
value is mostly noise). ``settings.options`` may override both with
``pruner_startup_trials`` and ``pruner_warmup_steps``.

``asha`` (the searcher's default when the train block names no pruner and the
budget pays for it, see ``neural.search.defaults``) is asynchronous successive
halving: at the rungs after epochs 2, 4, 10 (steps 1, 3, 9: ``min_resource``
1, reduction factor 3) a trial goes on only if it is among the best third of
the trials that reached that rung. Unlike the median pruner it needs no
finished trials to start judging, and unlike Hyperband it keeps one bracket,
so TPE models every trial rather than a bracket's share of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError, unknown_name_hint
from neural.search.base import SearchSettings

if TYPE_CHECKING:
    from optuna.pruners import BasePruner

PRUNERS = ("asha", "median", "hyperband", "none")

MEDIAN_STARTUP_TRIALS = 3
MEDIAN_WARMUP_STEPS = 1
HYPERBAND_REDUCTION_FACTOR = 3
ASHA_MIN_RESOURCE = 1
ASHA_REDUCTION_FACTOR = 3


def asha_rungs(max_epochs: int) -> list[int]:
    """The 1-based epochs after which ASHA judges a trial (those before a trial's last epoch)."""
    rungs, step = [], ASHA_MIN_RESOURCE
    while step + 1 < max_epochs:
        rungs.append(step + 1)
        step *= ASHA_REDUCTION_FACTOR
    return rungs


def pruner_line(settings: SearchSettings) -> str | None:
    """The search header's line about pruning (None when nothing prunes)."""
    name = (settings.pruner or "none").lower()
    default = "pruner" in settings.defaulted
    if name == "none":
        return "pruning: off (trials too short or too few to pay)" if default else None
    how = {
        "asha": "after epochs "
        + ", ".join(str(e) for e in asha_rungs(settings.max_epochs))
        + " a trial goes on only among the best third",
        "median": f"from epoch {MEDIAN_WARMUP_STEPS + 1}, after {MEDIAN_STARTUP_TRIALS} finished trials, "
        "a trial worse than their median stops",
        "hyperband": f"Hyperband over 1..{settings.max_epochs} epochs, reduction factor {HYPERBAND_REDUCTION_FACTOR}",
    }[name]
    if default:
        return f'pruning: {name} by default ({how}); pruner: "none" turns it off'
    return f"pruning: {name} ({how})"


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
    if name == "asha":
        asha = optuna.pruners.SuccessiveHalvingPruner(
            min_resource=ASHA_MIN_RESOURCE, reduction_factor=ASHA_REDUCTION_FACTOR, min_early_stopping_rate=0
        )
        return asha, {
            "name": "SuccessiveHalvingPruner",
            "min_resource": ASHA_MIN_RESOURCE,
            "reduction_factor": ASHA_REDUCTION_FACTOR,
            "min_early_stopping_rate": 0,
            "default": "pruner" in settings.defaulted,
        }
    if name == "none":
        return optuna.pruners.NopPruner(), {"name": "NopPruner"}
    hint = unknown_name_hint(name, PRUNERS, "pruners")
    raise NeuralError(f"unknown pruner '{settings.pruner}'; {hint} (set `pruner:` in the train block)")
