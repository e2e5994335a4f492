"""Which values of a hyperparameter make some layer's shape impossible, found before any trial.

``neural check`` binds the nominal point only; a ``Conv2D(kernel_size=HPO(choice((1,1),(3,3))))``
after three pooling blocks checks clean, then most trials fail. :func:`infeasible_value_warnings`
(called by ``neural check``) moves one parameter at a time away from the nominal point, through
its values (every option of a choice; a bounded sample of a range), and re-infers the shapes of
the layers that parameter reaches. Each parameter whose values break a layer gets one warning
located at its ``HPO(...)`` expression, naming the values (or the part of the range) and the
layer. The search needs none of this: binding such a point fails in milliseconds, so the trial
is recorded as failed with the reason and nothing trains.

Cost: a probe re-infers only from the first layer using the parameter until the shapes are the
nominal ones again after its last use, and the total work is capped (:data:`LAYER_BUDGET`), so a
10,000-layer file still checks in well under a second; what the cap leaves out is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from neural.errors import Diagnostic
from neural.lang.values import format_value
from neural.layers.registry import ParamError, ShapeError, get_layer
from neural.space.params import CUSTOM, Param

if TYPE_CHECKING:
    from neural.model import ConcreteModel, Shape
    from neural.space.space import SearchSpace

#: At most this many values of one range are probed (evenly spread, both ends included).
RANGE_PROBES = 17
#: At most this many options of one choice are probed.
CHOICE_PROBES = 64
#: At most this many layer shapes are inferred by all probes together.
LAYER_BUDGET = 50_000


@dataclass(frozen=True)
class _Failure:
    value: Any
    message: str


def infeasible_value_warnings(space: SearchSpace, nominal: ConcreteModel) -> list[Diagnostic]:
    """One warning per parameter that has values giving an impossible layer shape (see the module doc)."""
    template = space.template
    if template is None or not space.params:
        return []
    statements = template.layers
    uses: dict[str, list[int]] = {}
    for index, call in enumerate(statements):
        for name in dict.fromkeys(call.hpo_names()):
            uses.setdefault(name, []).append(index)
    inputs, nominal_params = _statement_shapes(statements, nominal)
    nominal_values = space.values_at(space.nominal_point())
    values = dict(nominal_values)
    budget = [LAYER_BUDGET]
    warnings: list[Diagnostic] = []
    skipped = 0
    for param in space.params:
        used = uses.get(param.name)
        if not used:
            continue  # an optimizer or train parameter: its options are checked one by one already
        if budget[0] <= 0:
            skipped += 1
            continue
        failures: list[_Failure] = []
        candidates = probe_values(param)
        for label in candidates:
            value = param.choices[param.labels.index(label)] if param.kind == CUSTOM else label
            if _same_value(value, nominal_values[param.name]):
                continue
            values[param.name] = value  # one parameter moved; restored below (a copy per probe is quadratic)
            try:
                problem = _probe(statements, used, values, inputs, nominal_params, budget)
            finally:
                values[param.name] = nominal_values[param.name]
            if problem is not None:
                failures.append(_Failure(label, problem))
        if failures:
            warnings.append(_warning(param, failures, candidates))
    if skipped:
        warnings.append(
            Diagnostic(
                f"{skipped} hyperparameter(s) were not probed for impossible shapes (the model is large); "
                "a trial at such a point fails in milliseconds, without training",
                severity="warning",
            )
        )
    return warnings


def probe_values(param: Param) -> Sequence[Any]:
    """The values of ``param`` a probe tries, as a point holds them (custom: option names)."""
    if param.kind == CUSTOM:
        return param.labels[:CHOICE_PROBES]
    if param.is_categorical:
        return param.choices[:CHOICE_PROBES]
    axis = param.grid_axis(RANGE_PROBES)
    if len(axis) <= RANGE_PROBES:
        return tuple(axis)
    last = len(axis) - 1
    indexes = sorted({round(k * last / (RANGE_PROBES - 1)) for k in range(RANGE_PROBES)})
    return tuple(axis[index] for index in indexes)


def _statement_shapes(statements: Sequence[Any], nominal: ConcreteModel) -> tuple[list[Shape], list[dict[str, Any]]]:
    """Each layer statement's input shape and normalized params at the nominal point."""
    inputs: list[Shape] = []
    params: list[dict[str, Any]] = []
    position = 0
    for call in statements:
        first = nominal.layers[position]
        position += call.repeat
        inputs.append(first.input_shape)
        params.append(first.params)
    return inputs, params


def _probe(
    statements: Sequence[Any],
    used: list[int],
    values: dict[str, Any],
    inputs: list[Shape],
    nominal_params: list[dict[str, Any]],
    budget: list[int],
) -> str | None:
    """Re-infer shapes from the first statement using the parameter; the reason a layer fails, or None."""
    using = set(used)
    last_use = used[-1]
    shape = inputs[used[0]]
    for index in range(used[0], len(statements)):
        if index > last_use and shape == inputs[index]:
            return None  # back on the nominal shapes, and nothing later uses the parameter
        call = statements[index]
        spec = get_layer(call.kind)
        try:
            params = spec.normalize(call.values(values)) if index in using else nominal_params[index]
            for _ in range(call.repeat):
                budget[0] -= 1
                shape = spec.output_shape(shape, params)
        except (ShapeError, ParamError) as error:
            return f"{call.name} ({call.kind}): {error.message}"
        if budget[0] <= 0:
            return None
    return None


def _warning(param: Param, failures: list[_Failure], probed: Sequence[Any]) -> Diagnostic:
    """The located warning for ``param``'s infeasible values."""
    bad = [failure.value for failure in failures]
    if param.is_categorical:
        shown = " or ".join(format_value(value) for value in bad[:6]) + (" ..." if len(bad) > 6 else "")
        which = f"{param.name} = {shown}"
    else:
        which = f"{param.name} {_range_phrase(bad, list(probed))}"
    total = len(probed)
    every = len(bad) == total - 1  # all but the nominal value
    return Diagnostic(
        f"{which} makes an impossible shape at {failures[0].message}",
        param.span,
        hint=(
            "every value but the nominal one fails: " if every else f"{len(bad)} of {total} probed values fail: "
        )
        + "narrow the search space (trials at those points fail at once, without training)",
        severity="warning",
    )


def _range_phrase(bad: list[Any], probed: list[Any]) -> str:
    """``from 7 up`` (every probed value from 7 to the top) or ``at 3, 5, 9`` for the failing probed values of a range."""
    positions = [probed.index(value) for value in bad if value in probed]
    if positions and positions == list(range(positions[0], len(probed))):
        return f"from {format_value(bad[0])} up"
    shown = ", ".join(format_value(value) for value in bad[:6]) + (" ..." if len(bad) > 6 else "")
    return f"at {shown}"


def _same_value(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
