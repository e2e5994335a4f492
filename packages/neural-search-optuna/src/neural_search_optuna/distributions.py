"""The search space as Optuna distributions, and Optuna's values back as points.

One :class:`~neural.space.params.Param` becomes one Optuna distribution:

==========================  ==============================================
``range`` with ``step``     ``IntDistribution(step=)`` / ``FloatDistribution(step=)``
``range`` without step      ``IntDistribution`` / ``FloatDistribution``
``log_range``               ``FloatDistribution(log=True)`` (``IntDistribution(log=True)``
                            when both bounds are integers); never a step
``choice``                  ``CategoricalDistribution`` over ``Param.labels``
``custom``                  ``CategoricalDistribution`` over the option names
==========================  ==============================================

Categoricals go through the stable string labels so that tuples, booleans and
mixed numbers survive any storage (Optuna's journal and databases keep only
``None``/``bool``/``int``/``float``/``str`` choices); :func:`to_point` maps a
label back to the exact option object, so a tuple stays a tuple.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from neural.space.params import CHOICE, CUSTOM, LOG_RANGE, RANGE, Param

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution


def to_distribution(param: Param) -> BaseDistribution:
    """The Optuna distribution of one parameter. Called once per parameter when a study opens."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if param.kind in (CHOICE, CUSTOM):
        return CategoricalDistribution(list(param.labels))
    if param.kind not in (RANGE, LOG_RANGE):
        raise ValueError(f"parameter {param.name} has unknown kind {param.kind!r}")
    assert param.low is not None and param.high is not None
    log = param.kind == LOG_RANGE or param.log
    # Optuna refuses log together with a step; the DSL never produces a stepped log_range.
    step = None if log else param.step
    if param.is_int:
        return IntDistribution(int(param.low), int(param.high), log=log, step=int(step) if step else 1)
    return FloatDistribution(float(param.low), float(param.high), log=log, step=step)


def to_distributions(params: Iterable[Param]) -> dict[str, BaseDistribution]:
    """``{name: distribution}`` for a whole space, in the space's order (``study.ask`` takes it)."""
    return {param.name: to_distribution(param) for param in params}


def to_value(param: Param, optuna_value: Any) -> Any:
    """One Optuna value (external representation) as the point value ``Param`` defines.

    Categorical labels become the exact option (custom: the option name); numbers
    are snapped onto the step grid and bounds so a float grid yields ``0.3``,
    never ``0.30000000000000004``.
    """
    if param.kind == CHOICE:
        return param.choices[param.labels.index(optuna_value)]
    if param.kind == CUSTOM:
        return str(optuna_value)
    return param.snap(optuna_value)


def to_point(params: Iterable[Param], optuna_params: Mapping[str, Any]) -> dict[str, Any]:
    """The point of an Optuna trial: ``{name: value}`` for every parameter of the space."""
    return {param.name: to_value(param, optuna_params[param.name]) for param in params}


def to_optuna_value(param: Param, value: Any) -> Any:
    """Inverse of :func:`to_value`: a point value as Optuna stores it (a label for categoricals).

    Raises ``ValueError`` when ``value`` is not a legal value of ``param``.
    """
    if not param.contains(value):
        raise ValueError(f"{value!r} is not a value of {param.name}")
    if param.kind == CHOICE:
        exact = param.from_json_value(param.to_json_value(value))
        index = next(i for i, choice in enumerate(param.choices) if choice is exact)
        return param.labels[index]
    if param.kind == CUSTOM:
        return str(value)
    return int(value) if param.is_int else float(value)


def to_optuna_params(params: Iterable[Param], point: Mapping[str, Any]) -> dict[str, Any]:
    """A point as Optuna params (used to add earlier trials to an in-memory study)."""
    return {param.name: to_optuna_value(param, point[param.name]) for param in params}


def grid_search_space(params: Iterable[Param], grid_points: int) -> dict[str, list[Any]]:
    """``GridSampler``'s search space: every grid value of each parameter, labels for categoricals."""
    return {
        param.name: [to_optuna_value(param, value) for value in param.grid_values(grid_points)]
        for param in params
    }
