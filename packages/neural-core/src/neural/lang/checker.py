"""Semantic checks of a parsed :class:`~neural.lang.ir.Network`.

Called by :func:`neural.program.compile_source` after parsing. One pass over
the network checks every name (layers, parameters, optimizers, schedules,
losses, metrics, train keys, HPO functions), every argument against its
schema (each option of an HPO expression, at that option), the input shape,
and, at the nominal point of the search space, every layer's shape. It
collects *all* problems and raises one :class:`DiagnosticsError`; on success
it returns the :class:`SearchSpace` (whose template binds points into
concrete models) and the warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neural.errors import NO_SPAN, Diagnostic, DiagnosticsError, Span, unknown_name_hint
from neural.lang.catalogue import (
    CROSS_ENTROPY_LOSSES,
    LOSSES,
    METRICS,
    TRAIN_KEYS,
    canonical_loss,
    default_metrics,
    get_optimizer,
    get_schedule,
)
from neural.lang.ir import Call, HpoCall, Keyword, ListValue, Literal, Network, TupleValue, Value
from neural.lang.values import (
    CallTemplate,
    HpoRef,
    ModelTemplate,
    NotPlainValue,
    format_value,
    iter_hpo_calls,
    located,
    plain_value,
    refs_in,
    snake_case,
    span_of,
    substitute,
)
from neural.layers.registry import CallSpec, ParamError, ParamSpec, UnknownNameError, get_layer
from neural.model import ConcreteModel
from neural.space.builder import INVALID, SpaceBuilder, contains_invalid, layer_instance_names
from neural.space.params import CUSTOM
from neural.space.space import SearchSpace

DEFAULT_OPTIMIZER = "Adam"
DEFAULT_LOSS = "sparse_categorical_crossentropy"


@dataclass(frozen=True)
class CheckResult:
    """What a clean check returns: the search space (with the model template) and the warnings."""

    space: SearchSpace
    warnings: tuple[Diagnostic, ...]
    nominal_model: ConcreteModel


def check_network(network: Network, source: str = "", filename: str = "<string>") -> CheckResult:
    """Check ``network``; raise :class:`DiagnosticsError` with every error found.

    ``source``/``filename`` are only used to render diagnostics and bind errors.
    """
    checker = _Checker(network)
    template = checker.run()
    errors = _unique(checker.errors)
    if template is not None and not errors:
        space = SearchSpace(checker.space.params, template, source, filename)
        point = space.nominal_point()
        model, shape_errors = space.resolve(point)
        if model is not None:
            space.remember_nominal(model)
            warnings = _unique(checker.warnings + _model_warnings(network, model))
            return CheckResult(space, tuple(warnings), model)
        errors = shape_errors
    raise DiagnosticsError(errors + _unique(checker.warnings), source, filename)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, int, int]] = set()
    result = []
    for diagnostic in diagnostics:
        key = (diagnostic.message, diagnostic.span.start, diagnostic.span.line)
        if key not in seen:
            seen.add(key)
            result.append(diagnostic)
    return result


def _model_warnings(network: Network, model: ConcreteModel) -> list[Diagnostic]:
    """Warnings that need the nominal model: a softmax output or an accuracy objective without cross-entropy."""
    if model.loss in CROSS_ENTROPY_LOSSES:
        return []
    warnings = []
    last = model.layers[-1] if model.layers else None
    if last is not None and last.params.get("activation") == "softmax":
        where = (
            span_of(network.loss) if network.loss is not None else located(network.name_span, network.span)
        )
        warnings.append(
            Diagnostic(
                f"a softmax output is usually trained with a cross-entropy loss, not '{model.loss}'",
                where,
                hint='use loss: "sparse_categorical_crossentropy" for class labels, '
                "or drop the softmax for regression",
                severity="warning",
            )
        )
    for keyword in network.train or ():
        value = keyword.value
        if (
            keyword.name in ("objective", "monitor")
            and isinstance(value, Literal)
            and "acc" in str(value.value)
        ):
            warnings.append(
                Diagnostic(
                    f"{keyword.name} {format_value(value.value)} needs accuracy, which loss '{model.loss}' does not report",
                    value.span,
                    hint='use "val_loss" for a regression loss',
                    severity="warning",
                )
            )
    return warnings


class _Checker:
    """One pass over a network: errors, warnings, the search space and the model template."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.space = SpaceBuilder()

    def error(self, message: str, span: Span, hint: str | None = None) -> None:
        self.errors.append(Diagnostic(message, span, hint))

    def run(self) -> ModelTemplate | None:
        """Check every section; the template when nothing is wrong, else None."""
        input_shape = self._input_shape()
        layers = self._layers()
        optimizer = self._optimizer()
        loss = self._loss()
        metrics = self._metrics(loss)
        train = self._train()
        self.errors.extend(self.space.diagnostics)
        if self.errors or input_shape is None or optimizer is None or loss is None:
            return None
        return ModelTemplate(self.network.name, input_shape, layers, optimizer, loss, metrics, train)

    # ----------------------------------------------------------------- sections

    def _missing_section(self, section: str, hint: str) -> None:
        where = located(self.network.name_span, self.network.span)
        self.error(f"network '{self.network.name}' has no {section} section", where, hint)

    def _not_here(self, node: Value, place: str, hint: str) -> bool:
        """Report every HPO expression inside ``node`` (not allowed in ``place``); True if any."""
        calls = iter_hpo_calls(node)
        for call in calls:
            self.error(f"HPO is not allowed in {place}", call.span, hint)
        return bool(calls)

    def _input_shape(self) -> tuple[int, ...] | None:
        node = self.network.input_shape
        example = (
            "write one sample's shape without the batch, channels last, e.g. input: (28, 28, 1) or (784,)"
        )
        if node is None:
            self._missing_section("input", "add the shape of one sample, e.g. input: (28, 28, 1)")
            return None
        if self._not_here(node, "input", "the input shape is fixed by the data; " + example):
            return None
        try:
            value = plain_value(node)
        except NotPlainValue as problem:
            self.error("input must be a tuple of positive integers, not a call", problem.node.span, example)
            return None
        items = node.items if isinstance(node, TupleValue) else ()
        if isinstance(value, tuple) and value:
            for item_node, item in zip(items, value, strict=True):
                if not _positive_int(item):
                    self.error(
                        f"input dimensions must be positive integers, got {format_value(item)}",
                        span_of(item_node),
                        example,
                    )
                    return None
            return value
        self.error(
            f"input must be a tuple of positive integers, got {format_value(value)}",
            span_of(node),
            f"write input: ({value},)" if _positive_int(value) else example,
        )
        return None

    def _layers(self) -> tuple[CallTemplate, ...]:
        layers = self.network.layers
        if not layers:
            self._missing_section(
                "layers", 'add a layers section such as: layers: Dense(64, "relu") Output(10, "softmax")'
            )
            return ()
        templates = []
        for index, (layer, instance) in enumerate(zip(layers, layer_instance_names(layers), strict=True)):
            name_span = located(layer.name_span, layer.span)
            if layer.name == "Output" and index < len(layers) - 1:
                self.warnings.append(
                    Diagnostic(
                        "Output is not the last layer",
                        name_span,
                        hint="Output(units, activation) is meant to end the network; use Dense(...) before it",
                        severity="warning",
                    )
                )
            try:
                spec = get_layer(layer.name)
            except UnknownNameError as problem:
                self.error(problem.message, name_span, problem.hint)
                self._discard(layer.args, layer.kwargs, instance)
                continue
            call = self._call(
                spec, layer.args, layer.kwargs, instance, name_span, span=layer.span, repeat=layer.repeat
            )
            if call is not None:
                templates.append(call)
        return tuple(templates)

    def _optimizer(self) -> CallTemplate | None:
        node = self.network.optimizer
        if node is None:
            return CallTemplate(DEFAULT_OPTIMIZER, "optimizer")
        if isinstance(node, HpoCall):
            self.error(
                "HPO is not allowed as the optimizer",
                node.span,
                "choose the optimizer and search its arguments, e.g. Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))",
            )
            return None
        if isinstance(node, Literal) and isinstance(node.value, str):
            spec = self._lookup(get_optimizer, node.value, node.span)
            return CallTemplate(spec.name, "optimizer", span=node.span, name_span=node.span) if spec else None
        if isinstance(node, Call):
            name_span = located(node.name_span, node.span)
            spec = self._lookup(get_optimizer, node.name, name_span)
            if spec is None:
                self._discard(node.args, node.kwargs, "optimizer")
                return None
            return self._call(
                spec, node.args, node.kwargs, "optimizer", name_span, "learning_rate", node.span
            )
        self.error(
            f"optimizer must be a call or a name, got {format_value(_safe_value(node))}",
            span_of(node),
            'write e.g. optimizer: Adam(learning_rate=0.001) or optimizer: "adam"',
        )
        return None

    def _schedule(self, node: Call, name: str) -> Any:
        name_span = located(node.name_span, node.span)
        spec = self._lookup(get_schedule, node.name, name_span)
        if spec is None:
            self._discard(node.args, node.kwargs, name)
            return INVALID
        call = self._call(spec, node.args, node.kwargs, name, name_span, span=node.span)
        return call if call is not None else INVALID

    def _lookup(self, find: Callable[[str], CallSpec], name: str, span: Span) -> CallSpec | None:
        """``find(name)`` (an optimizer or schedule), reporting an unknown name at ``span``."""
        try:
            return find(name)
        except UnknownNameError as problem:
            self.error(problem.message, span, problem.hint)
            return None

    def _loss(self) -> str | None:
        node = self.network.loss
        if node is None:
            return DEFAULT_LOSS
        if self._not_here(node, "loss", 'choose one loss, e.g. loss: "sparse_categorical_crossentropy"'):
            return None
        if isinstance(node, Literal) and isinstance(node.value, str):
            return self._known(
                canonical_loss(node.value.lower()), node.value, LOSSES, "loss", "losses", node.span
            )
        if isinstance(node, Call):
            if node.args or node.kwargs:
                self.error(f"loss {node.name} takes no arguments", node.span, f"write loss: {node.name}()")
                return None
            return self._known(
                canonical_loss(snake_case(node.name)),
                node.name,
                LOSSES,
                "loss",
                "losses",
                located(node.name_span, node.span),
            )
        self.error(
            f"loss must be a name, got {format_value(_safe_value(node))}",
            span_of(node),
            'write e.g. loss: "sparse_categorical_crossentropy"',
        )
        return None

    def _metrics(self, loss: str | None) -> tuple[str, ...]:
        node = self.network.metrics
        if node is None:
            return default_metrics(loss) if loss else ()
        if self._not_here(node, "metrics", 'list the metrics to report, e.g. metrics: ["accuracy"]'):
            return ()
        items = node.items if isinstance(node, (ListValue, TupleValue)) else (node,)
        metrics: list[str] = []
        for item in items:
            if not (isinstance(item, Literal) and isinstance(item.value, str)):
                self.error(
                    f"a metric must be a name, got {format_value(_safe_value(item))}",
                    span_of(item),
                    'write e.g. metrics: ["accuracy"]',
                )
                continue
            metric = self._known(item.value.lower(), item.value, METRICS, "metric", "metrics", item.span)
            if metric and metric not in metrics:
                metrics.append(metric)
        return tuple(metrics)

    def _known(
        self, canonical: str | None, written: str, names: Any, what: str, plural: str, span: Span
    ) -> str | None:
        if canonical is not None and canonical in names:
            return canonical
        self.error(f"unknown {what} '{written}'", span, unknown_name_hint(written, list(names), plural))
        return None

    def _train(self) -> tuple[tuple[str, Any], ...]:
        entries: list[tuple[str, Any]] = []
        for keyword in self.network.train or ():
            key_span = located(keyword.name_span, keyword.span)
            spec = TRAIN_KEYS.get(keyword.name)
            if spec is None:
                self.error(
                    f"unknown train key '{keyword.name}'",
                    key_span,
                    unknown_name_hint(keyword.name, TRAIN_KEYS, "train keys"),
                )
                self._discard((keyword.value,), (), f"train.{keyword.name}")
                continue
            if any(key == keyword.name for key, _ in entries):
                self.error(f"train key '{keyword.name}' is given twice", key_span, "keep one of them")
                continue
            template = self._value(keyword.value, f"train.{keyword.name}", keyword.name)
            self._check_argument(spec, template, keyword.value)
            entries.append((keyword.name, template))
        return tuple(entries)

    # -------------------------------------------------------------------- calls

    def _call(
        self,
        spec: CallSpec,
        args: tuple[Value, ...],
        kwargs: tuple[Keyword, ...],
        name: str,
        name_span: Span,
        schedule_param: str | None = None,
        span: Span = NO_SPAN,
        repeat: int = 1,
    ) -> CallTemplate | None:
        """Check one call's arguments against ``spec``; its template, or None after an error."""
        errors_before = len(self.errors)
        given: dict[str, Value] = {}
        arguments: list[tuple[str, Any]] = []
        spread: HpoRef | None = None
        spread_slot = ""
        positional: set[str] = set()
        for index, node in enumerate(args):
            if spread is not None:
                self.error(
                    "no positional argument may follow a custom(...) that spreads into keyword arguments",
                    span_of(node),
                    "write it as a keyword argument (name=value) after the custom(...)",
                )
                self._discard((node,), (), name)
                continue
            if index >= len(spec.positional):
                self._too_many_positional(spec, args, index)
                self._discard(args[index:], (), name)
                break
            slot = spec.positional[index]
            template = self._value(node, f"{name}.{slot}", slot, schedule_param)
            if isinstance(template, HpoRef) and self._spreads(template):
                spread, spread_slot = template, slot
                continue
            given[slot] = node
            positional.add(slot)
            arguments.append((slot, template))
        for keyword in kwargs:
            key_span = located(keyword.name_span, keyword.span)
            if spec.param(keyword.name) is None:
                problem = spec.unknown_param_error(keyword.name)
                self.error(problem.message, key_span, problem.hint)
                self._discard((keyword.value,), (), name)
                continue
            if keyword.name in given:
                how = "positionally and by keyword" if keyword.name in positional else "twice by keyword"
                self.error(f"{spec.name} gets {keyword.name} {how}", key_span, "give each parameter once")
                continue
            given[keyword.name] = keyword.value
            arguments.append(
                (
                    keyword.name,
                    self._value(keyword.value, f"{name}.{keyword.name}", keyword.name, schedule_param),
                )
            )
        for param_name, template in arguments:
            param = spec.param(param_name)
            assert param is not None
            self._check_argument(param, template, given[param_name])
        if spread is not None:
            self._check_spread(spec, spread, spread_slot, given)
        self._check_required(spec, given, spread, spread_slot, name_span)
        if len(self.errors) > errors_before:
            return None
        return CallTemplate(spec.name, name, tuple(arguments), spread, spread_slot, repeat, span, name_span)

    def _too_many_positional(self, spec: CallSpec, args: tuple[Value, ...], index: int) -> None:
        count = len(spec.positional)
        if not spec.params:
            message, hint = f"{spec.name} takes no arguments, got {len(args)}", f"write {spec.name}()"
        elif count == 0:
            message = f"{spec.name} takes no positional arguments, got {len(args)}"
            hint = f"pass them by keyword: {spec.signature()}"
        else:
            plural = "argument" if count == 1 else "arguments"
            message = f"{spec.name} takes at most {count} positional {plural}, got {len(args)}"
            hint = (
                f"the positional order is {spec.name}({', '.join(spec.positional)}); pass the rest by keyword"
            )
        self.error(message, span_of(args[index]), hint)

    def _value(self, node: Value, name: str, param: str, schedule_param: str | None = None) -> Any:
        """The template of an argument value; a schedule call where ``schedule_param`` takes one."""
        if isinstance(node, Call) and param == schedule_param:
            return self._schedule(node, name)
        try:
            return self.space.template(node, name)
        except NotPlainValue as problem:
            bad = problem.node
            assert isinstance(bad, Call)
            hint = (
                "a schedule goes in learning_rate, e.g. learning_rate=ExponentialDecay(0.01, 1000, 0.9)"
                if schedule_param
                else "write the value itself: a number, string, boolean or tuple"
            )
            self.error(f"{param} takes a value, not the call {bad.name}(...)", bad.span, hint)
            return INVALID

    def _discard(self, args: tuple[Value, ...], kwargs: tuple[Keyword, ...], name: str) -> None:
        """Check the HPO expressions of arguments that cannot be used (their call or slot is wrong)."""
        for index, node in enumerate((*args, *(k.value for k in kwargs))):
            for call in iter_hpo_calls(node):
                self.space.add(call, f"{name}.{index}")

    def _spreads(self, ref: HpoRef) -> bool:
        definition = self.space.definition(ref.name)
        return definition.param.kind == CUSTOM and any(isinstance(o.value, dict) for o in definition.options)

    # ------------------------------------------------------------ value checks

    def _validate(self, param: ParamSpec, value: Any, span: Span) -> None:
        try:
            param.validate(value)
        except ParamError as problem:
            self.error(problem.message, span, problem.hint or _expected_hint(param))

    def _check_argument(self, param: ParamSpec, template: Any, node: Value) -> None:
        """Validate a value against ``param``: each option of each HPO inside, the others at nominal."""
        if contains_invalid(template) or isinstance(template, CallTemplate):
            return
        refs = refs_in(template)
        if not refs:
            self._validate(param, template, span_of(node))
            return
        nominal = {ref.name: self.space.definition(ref.name).options[0].value for ref in refs}
        for ref in refs:
            for option in self.space.definition(ref.name).options:
                self._validate(param, substitute(template, {**nominal, ref.name: option.value}), option.span)

    def _check_spread(self, spec: CallSpec, spread: HpoRef, slot: str, given: dict[str, Value]) -> None:
        """Each dict option of a spreading custom: known keys, not given twice, valid values."""
        for option in self.space.definition(spread.name).options:
            if not isinstance(option.value, dict):
                param = spec.param(slot)
                assert param is not None
                self._validate(param, option.value, option.span)
                continue
            entries = {entry.key: entry for entry in getattr(option.node, "entries", ())}
            for key, value in option.value.items():
                entry = entries.get(key)
                where = located(entry.span, option.span) if entry else option.span
                param = spec.param(key)
                if param is None:
                    problem = spec.unknown_param_error(key)
                    self.error(f"custom option '{option.label}': {problem.message}", where, problem.hint)
                elif key in given:
                    self.error(
                        f"custom option '{option.label}' sets {key}, which {spec.name} also gets directly",
                        where,
                        f"set {key} in one place only",
                    )
                else:
                    self._validate(param, value, located(span_of(entry.value), where) if entry else where)

    def _check_required(
        self, spec: CallSpec, given: dict[str, Value], spread: HpoRef | None, slot: str, name_span: Span
    ) -> None:
        for param in spec.params:
            if not param.required or param.name in given:
                continue
            if spread is None:
                self.error(f"{spec.name} needs {param.name}", name_span, f"write {spec.signature()}")
                continue
            for option in self.space.definition(spread.name).options:
                sets = param.name in option.value if isinstance(option.value, dict) else param.name == slot
                if not sets:
                    self.error(
                        f"custom option '{option.label}' does not set {param.name}, which {spec.name} needs",
                        option.span,
                        f'add "{param.name}": ... to every option, or write {param.name}=...',
                    )


_NOUNS = {"int": "integer", "float": "number", "number": "number"}


def _expected_hint(param: ParamSpec) -> str:
    """A fix for a rejected value when the schema gave none: what the parameter takes."""
    if param.kind in _NOUNS:
        expected = param.describe(_NOUNS[param.kind])
    elif param.kind == "bool":
        expected = "true or false"
    elif param.kind in ("int_tuple", "optional_int_tuple"):
        expected = f"an integer or a tuple of {param.rank} integers"
    else:
        expected = "a " + param.kind.replace("_", " ")
    hint = f"{param.name}: {param.doc}; give {expected}" if param.doc else f"{param.name} takes {expected}"
    if param.required or param.default is None:
        return hint
    return f"{hint}, or leave it out for the default {format_value(param.default)}"


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _safe_value(node: Value) -> Any:
    """The plain value of ``node`` for a message, or a stand-in when it holds a call."""
    try:
        return plain_value(node)
    except NotPlainValue as problem:
        bad = problem.node
        return f"{getattr(bad, 'name', 'HPO')}(...)"


__all__ = ["DEFAULT_LOSS", "DEFAULT_OPTIMIZER", "CheckResult", "check_network"]
