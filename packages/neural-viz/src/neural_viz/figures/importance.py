"""Parameter importance by a PED-ANOVA-style quantile method: fast at any number of trials.

PED-ANOVA (Watanabe et al., 2023; ``optuna.importance.PedAnovaImportanceEvaluator``)
scores a parameter by how far the distribution of its values among the best
trials (the top quantile ``γ``) is from its distribution among all trials,
measured by the Pearson χ² divergence. Here both distributions are histograms
over the parameter's options, or over equal-width bins of its range (in log
space for ``log_range``), with a small pseudo-count so an empty bin is no
division by zero. One pass over the trials per parameter, so 10,000 trials ×
20 parameters take milliseconds (fANOVA needs a minute and a half there).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neural_viz.figures.common import empty_figure, layout, text
from neural_viz.study import ParamSpec, Study, Trial

METHOD = (
    "PED-ANOVA-style quantile importance: Pearson χ² divergence of the best 10% of trials from all trials"
)
#: The share of complete trials that counts as "the best" (PED-ANOVA's γ).
TOP_SHARE = 0.1
#: Fewest complete trials for which the score means anything.
MIN_TRIALS = 4
PSEUDO_COUNT = 0.5


def importance_info(study: Study) -> dict[str, Any]:
    """Each parameter's share of the total divergence (they sum to 1), most important first."""
    complete = study.complete()
    base = {"method": METHOD, "top_share": TOP_SHARE, "trials_used": len(complete)}
    if len(complete) < MIN_TRIALS or not study.params:
        return {
            **base,
            "params": [],
            "importances": [],
            "note": f"needs at least {MIN_TRIALS} complete trials",
        }
    values = np.array([t.value for t in complete], dtype=float)
    top_count = max(1, math.ceil(TOP_SHARE * len(values)))
    order = np.argsort(-values if study.maximize else values, kind="stable")
    top = np.zeros(len(values), dtype=bool)
    top[order[:top_count]] = True
    scores = {param.name: _divergence(_bins(param, complete), top) for param in study.params}
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return {
        **base,
        "params": [name for name, _ in ranked],
        "importances": [round(score / total, 6) if total > 0 else 0.0 for _, score in ranked],
        "note": None if total > 0 else "every parameter is spread alike among the best trials and all trials",
    }


def _bins(param: ParamSpec, trials: list[Trial]) -> np.ndarray:
    """Each trial's bin on ``param`` (-1 where it lacks the parameter)."""
    positions = np.array(
        [
            np.nan
            if (v := param.numeric(t.params.get(param.name))) is None
            else (math.log10(v) if param.log else v)
            for t in trials
        ],
        dtype=float,
    )
    missing = np.isnan(positions)
    if param.is_categorical:
        bins = np.where(missing, -1, np.nan_to_num(positions, nan=-1)).astype(int)
        return bins
    present = positions[~missing]
    if present.size == 0:
        return np.full(len(trials), -1)
    low, high = float(present.min()), float(present.max())
    count = int(min(20, max(2, math.isqrt(len(present)))))
    if high <= low:
        return np.where(missing, -1, 0)
    scaled = np.floor((np.nan_to_num(positions, nan=low) - low) / (high - low) * count).clip(0, count - 1)
    return np.where(missing, -1, scaled.astype(int))


def _divergence(bins: np.ndarray, top: np.ndarray) -> float:
    """Pearson χ² divergence of the top trials' bin histogram from all trials' (pseudo-counted)."""
    known = bins >= 0
    if not known.any():
        return 0.0
    size = int(bins[known].max()) + 1
    all_counts = np.bincount(bins[known], minlength=size) + PSEUDO_COUNT
    top_counts = np.bincount(bins[known & top], minlength=size) + PSEUDO_COUNT
    p_all = all_counts / all_counts.sum()
    p_top = top_counts / top_counts.sum()
    return float(np.sum(p_top**2 / p_all) - 1.0)


def importance_figure(info: dict[str, Any]) -> dict[str, Any]:
    """Horizontal bars, most important on top, the method named in the title."""
    title = "Parameter importance — a longer bar: the best trials differ more from the rest on that parameter"
    if not info["params"]:
        return empty_figure(title, f"importance {info['note']} ({info['trials_used']} so far)")
    names = [text(name) for name in info["params"]][::-1]
    shares = info["importances"][::-1]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": shares,
                "y": names,
                "text": [f"{share:.1%}" for share in shares],
                "textposition": "auto",
                "marker": {"color": "#1f77b4"},
                "hovertemplate": "%{y}: %{x:.1%}<extra></extra>",
            }
        ],
        "layout": layout(
            title,
            height=max(260, 120 + 26 * len(names)),
            margin={"l": 200, "r": 30, "t": 60, "b": 70},
            xaxis={
                "title": {"text": f"share of importance — method: {text(info['method'])}"},
                "tickformat": ".0%",
                "gridcolor": "#eee",
            },
            yaxis={"automargin": True},
        ),
    }
