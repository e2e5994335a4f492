"""The search space of one file, and binding a point of it into a :class:`ConcreteModel`.

A :class:`SearchSpace` is built by the checker (``neural.lang.checker``) from
the file's HPO expressions: one :class:`~neural.space.params.Param` each, in
source order, plus the checked model as a template. Searchers read
:attr:`SearchSpace.params`; the trial runner calls :meth:`SearchSpace.bind`
with each proposed point. A point maps parameter names to values: the option
itself for ``choice``, the option *name* for ``custom``, the number for ranges.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from neural.errors import NO_SPAN, Diagnostic, DiagnosticsError, NeuralError, unknown_name_hint
from neural.lang.values import CallTemplate, ModelTemplate, format_value, refs_in, substitute
from neural.layers.registry import ParamError, ShapeError, get_layer
from neural.model import ConcreteModel, LayerConfig, OptimizerConfig, ScheduleConfig, Shape, TrainConfig
from neural.space.builder import copy_name
from neural.space.params import CHOICE, CUSTOM, Param

_TRAIN_FIELDS = frozenset(f.name for f in dataclasses.fields(TrainConfig))


class SearchSpace:
    """The named parameters of a file and the model they are bound into.

    ``params`` are in source order. ``template`` is the checked model (None for
    a space built by hand, e.g. in a searcher's tests: such a space cannot
    :meth:`bind`). ``source``/``filename`` let bind errors render their location.
    """

    def __init__(
        self,
        params: Sequence[Param] = (),
        template: ModelTemplate | None = None,
        source: str = "",
        filename: str = "<string>",
    ) -> None:
        self.params: tuple[Param, ...] = tuple(params)
        self.template = template
        self.source = source
        self.filename = filename
        self._by_name = {param.name: param for param in self.params}
        self._nominal_model: ConcreteModel | None = None
        if len(self._by_name) != len(self.params):
            raise ValueError("parameter names must be unique")

    # ------------------------------------------------------------- container

    @property
    def names(self) -> tuple[str, ...]:
        """Every parameter name, in source order."""
        return tuple(self._by_name)

    def __getitem__(self, name: str) -> Param:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __len__(self) -> int:
        return len(self.params)

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    def __repr__(self) -> str:
        return f"SearchSpace({', '.join(self.names)})"

    # --------------------------------------------------------------- queries

    def size(self, grid_points: int = 5) -> int:
        """How many points a grid search visits: the product of every dimension's cardinality."""
        return math.prod(param.cardinality(grid_points) for param in self.params)

    def nominal_point(self) -> dict[str, Any]:
        """Every choice/custom at its first option, every range at its low bound.

        ``neural check`` infers and prints the shapes at this point.
        """
        return {param.name: nominal_value(param) for param in self.params}

    def validate_point(self, point: Mapping[str, Any]) -> None:
        """Raise :class:`NeuralError` when ``point`` has an unknown or missing name or an illegal value."""
        unknown = [name for name in point if name not in self._by_name]
        if unknown:
            hint = (
                unknown_name_hint(unknown[0], self.names, "parameters")
                if self.params
                else "the space is empty"
            )
            raise NeuralError(f"unknown search-space parameter '{unknown[0]}'; {hint}")
        missing = [name for name in self.names if name not in point]
        if missing:
            raise NeuralError(f"the point gives no value for {', '.join(missing)}; every parameter needs one")
        for param in self.params:
            if not param.contains(coerce_value(param, point[param.name])):
                raise NeuralError(
                    f"{format_value(point[param.name])} is not a value of {param.name} "
                    f"({describe_domain(param)})"
                )

    def values_at(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """The value each HPO expression takes at ``point`` (a custom option's value, not its name)."""
        values = {}
        for param in self.params:
            value = coerce_value(param, point[param.name])
            values[param.name] = param.choices[param.labels.index(value)] if param.kind == CUSTOM else value
        return values

    def bind(self, point: Mapping[str, Any]) -> ConcreteModel:
        """The concrete model at ``point``.

        Raises :class:`NeuralError` for a malformed point and :class:`DiagnosticsError`
        when the model is invalid there (an impossible shape, a value the
        schema rejects): the trial runner records that as a failed trial.
        """
        if self.template is None:
            raise NeuralError("this search space was built without a model, so it cannot bind points")
        self.validate_point(point)
        if self._nominal_model is not None and self._is_nominal(point):
            return self._nominal_model
        model, diagnostics = self.resolve(point)
        if model is None:
            raise DiagnosticsError(diagnostics, self.source, self.filename)
        return model

    def remember_nominal(self, model: ConcreteModel) -> None:
        """Keep the model the checker built at the nominal point, so binding that point is free."""
        self._nominal_model = model

    def _is_nominal(self, point: Mapping[str, Any]) -> bool:
        nominal = self.nominal_point()
        return all(repr(coerce_value(p, point[p.name])) == repr(nominal[p.name]) for p in self.params)

    def resolve(self, point: Mapping[str, Any]) -> tuple[ConcreteModel | None, list[Diagnostic]]:
        """The model at a valid ``point``, or None and the diagnostics saying why there is none."""
        assert self.template is not None
        labels = {param.name: coerce_value(param, point[param.name]) for param in self.params}
        return resolve_model(self.template, self.values_at(point), labels, self._alternatives)

    def _alternatives(self, name: str) -> tuple[Any, ...]:
        """A few values of parameter ``name`` (as HPO values), to find which ones change a shape."""
        param = self._by_name[name]
        if param.kind == CUSTOM:
            return param.choices
        if param.step is not None and not param.is_categorical:
            assert param.low is not None
            steps = param.grid_steps()
            return tuple(param.snap(param.low + k * param.step) for k in (0, steps // 2, steps))
        return param.grid_values(3)

    def to_dict(self) -> list[dict[str, Any]]:
        """Every parameter's description for the results file (DESIGN.md §6)."""
        return [param.to_dict() for param in self.params]


def nominal_value(param: Param) -> Any:
    """A parameter's value at the nominal point: first option (custom: its name) or low bound."""
    if param.kind == CHOICE:
        return param.choices[0]
    if param.kind == CUSTOM:
        return param.labels[0]
    assert param.low is not None
    return param.snap(param.low)


def coerce_value(param: Param, value: Any) -> Any:
    """Undo what a JSON round trip does to a point's value (lists for tuples, 16.0 for 16)."""
    if param.kind == CHOICE and isinstance(value, list):
        return tuple(coerce_value(param, item) if isinstance(item, list) else item for item in value)
    if param.is_int and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def describe_domain(param: Param) -> str:
    """The legal values of a parameter in words, for messages."""
    if param.kind == CHOICE:
        return "one of " + ", ".join(format_value(c) for c in param.choices)
    if param.kind == CUSTOM:
        return "one of the options " + ", ".join(repr(label) for label in param.labels)
    step = f" in steps of {param.step}" if param.step is not None else ""
    kind = "an integer" if param.is_int else "a number"
    return f"{kind} from {param.low} to {param.high}{step}"


# --------------------------------------------------------------------------- binding


def resolve_model(
    template: ModelTemplate,
    values: Mapping[str, Any],
    labels: Mapping[str, Any],
    alternatives: Callable[[str], tuple[Any, ...]] | None = None,
) -> tuple[ConcreteModel | None, list[Diagnostic]]:
    """Build the concrete model with each HPO expression at ``values``.

    ``labels`` is the point as the user sees it (custom option names), for
    messages; ``alternatives(name)`` gives other values of a parameter, used to
    name the HPO values behind an impossible shape. Returns the model, or None
    and the diagnostics explaining why there is none (the first layer whose
    shape or values fail stops it).
    """
    layers: list[LayerConfig] = []
    shape: Shape = template.input_shape
    built: list[tuple[CallTemplate, Shape, Shape]] = []  # (call, input, output) of each statement
    for call in template.layers:
        spec = get_layer(call.kind)
        try:
            params = spec.normalize(call.values(values))
        except ParamError as error:
            return None, [_param_diagnostic(call, error, labels)]
        for copy in range(call.repeat):
            try:
                output = spec.output_shape(shape, params)
                count = spec.param_count(shape, params)
            except ShapeError as error:
                names = _shape_params(built, values, alternatives) + call.hpo_names() if alternatives else []
                note = _hpo_note(list(dict.fromkeys(names)), labels)
                return None, [Diagnostic(error.message + note, call.name_span, error.hint)]
            layers.append(
                LayerConfig(
                    call.kind, copy_name(call.name, copy), dict(params), shape, output, count, span=call.span
                )
            )
            if copy == 0:
                built.append((call, shape, output))
            shape = output
    try:
        optimizer = _resolve_optimizer(template.optimizer, values)
    except ParamError as error:
        return None, [_param_diagnostic(template.optimizer, error, labels)]
    train, problem = _resolve_train(template.train, values)
    if train is None:
        return None, [problem] if problem else []
    model = ConcreteModel(
        template.name, template.input_shape, tuple(layers), optimizer, template.loss, template.metrics, train
    )
    return model, []


def _resolve_optimizer(call: CallTemplate, values: Mapping[str, Any]) -> OptimizerConfig:
    from neural.lang.catalogue import get_optimizer, get_schedule

    raw = call.values(values)
    schedule = raw.get("learning_rate")
    if isinstance(schedule, CallTemplate):
        schedule_params = get_schedule(schedule.kind).normalize(schedule.values(values))
        raw["learning_rate"] = ScheduleConfig(schedule.kind, schedule_params)
    return OptimizerConfig(call.kind, get_optimizer(call.kind).normalize(raw))


def _resolve_train(
    entries: tuple[tuple[str, Any], ...], values: Mapping[str, Any]
) -> tuple[TrainConfig | None, Diagnostic | None]:
    from neural.lang.catalogue import TRAIN_KEYS

    settings = {}
    for key, value in entries:
        try:
            settings[key] = TRAIN_KEYS[key].validate(substitute(value, values))
        except ParamError as error:
            refs = refs_in(value)
            return None, Diagnostic(error.message, refs[0].span if refs else NO_SPAN, error.hint)
    train = TrainConfig(**{key: value for key, value in settings.items() if key in _TRAIN_FIELDS})
    return train.without_validation_fallback(), None


def _shape_changing(
    call: CallTemplate,
    input_shape: Shape,
    output: Shape,
    values: Mapping[str, Any],
    alternatives: Callable[[str], tuple[Any, ...]],
) -> list[str]:
    """The HPO parameters of ``call`` whose other values give a different output shape."""
    spec = get_layer(call.kind)
    changing = []
    for name in call.hpo_names():
        for other in alternatives(name):
            try:
                other_params = spec.normalize(call.values({**values, name: other}))
                if spec.output_shape(input_shape, other_params) != output:
                    changing.append(name)
                    break
            except (ParamError, ShapeError):
                changing.append(name)
                break
    return changing


def _shape_params(
    built: list[tuple[CallTemplate, Shape, Shape]],
    values: Mapping[str, Any],
    alternatives: Callable[[str], tuple[Any, ...]],
) -> list[str]:
    """The HPO parameters of earlier layers that change some output shape (on the error path only)."""
    return [
        name
        for call, input_shape, output in built
        for name in _shape_changing(call, input_shape, output, values, alternatives)
    ]


def _hpo_note(names: list[str], labels: Mapping[str, Any]) -> str:
    """`` (with conv2d_1.kernel_size = (5, 5))`` for the HPO values a layer was built with."""
    if not names:
        return ""
    return " (with " + ", ".join(f"{name} = {format_value(labels[name])}" for name in names) + ")"


def _param_diagnostic(call: CallTemplate, error: ParamError, labels: Mapping[str, Any]) -> Diagnostic:
    """Locate a bind-time value error at the HPO expression behind it, else at the call."""
    span = call.name_span
    for name, value in call.arguments:
        refs = refs_in(value)
        if name == error.param and refs and refs[0].span.line > 0:
            span = refs[0].span
    if call.spread is not None and error.param not in dict(call.arguments):
        span = call.spread.span
    return Diagnostic(error.message + _hpo_note(call.hpo_names(), labels), span, error.hint)


__all__ = ["SearchSpace", "coerce_value", "describe_domain", "nominal_value", "resolve_model"]
