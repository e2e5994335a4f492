"""Semantic checks of a parsed :class:`~neural.lang.ir.Network`.

Called by :func:`neural.program.compile_source` after parsing. One pass over
the network checks every name (layers, parameters, optimizers, schedules,
losses, metrics, train keys, HPO functions), every argument against its
schema (each option of an HPO expression, at that option), the input shape,
and, at the nominal point of the search space, every layer's shape. It
collects *all* problems and raises one :class:`DiagnosticsError`; on success
it returns the :class:`SearchSpace` (whose template binds points into
concrete models) and the warnings. Binding each call's arguments to its schema
is :class:`~neural.lang.arguments.ArgumentBinder`'s job, the checker's base class.
"""

from __future__ import annotations

import builtins
import keyword as python_keywords
from dataclasses import dataclass
from typing import Any

from neural.errors import Diagnostic, DiagnosticsError, Span, unknown_name_hint
from neural.lang.arguments import ArgumentBinder
from neural.lang.catalogue import (
    CROSS_ENTROPY_LOSSES,
    LOSSES,
    METRICS,
    TRAIN_KEYS,
    canonical_loss,
    default_metrics,
    get_optimizer,
)
from neural.lang.ir import Call, HpoCall, Layer, ListValue, Literal, Network, TupleValue, Value
from neural.lang.values import (
    CallTemplate,
    ModelTemplate,
    NotPlainValue,
    format_value,
    iter_hpo_calls,
    located,
    plain_value,
    span_of,
)
from neural.layers.registry import UnknownNameError, get_layer
from neural.limits import MAX_LAYERS
from neural.model import ConcreteModel
from neural.naming import snake_case
from neural.space.builder import layer_instance_names
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
    """Warnings that need the nominal model: how a linear output meets a cross-entropy loss, no
    validation data, a softmax output or an accuracy objective without cross-entropy."""
    warnings = _logits_warnings(model) + _no_validation_warnings(network, model)
    if model.loss in CROSS_ENTROPY_LOSSES:
        return warnings
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


def reserved_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a network's generated class, or None when it can."""
    if python_keywords.iskeyword(name) or python_keywords.issoftkeyword(name):
        return "is a Python keyword"
    if name.startswith("__") or name.endswith("__"):
        return "is a Python special (dunder) name"
    if name in vars(builtins):
        return "is the name of a Python builtin"
    return None


def _logits_warnings(model: ConcreteModel) -> list[Diagnostic]:
    """Say that a linear last layer feeds a cross-entropy loss raw scores (logits), as every backend takes them."""
    last = model.layers[-1] if model.layers else None
    if last is None or last.kind not in ("Dense", "Output") or last.params.get("activation") not in (None, "linear"):
        return []
    if model.loss == "binary_crossentropy":
        squash, spelled = "sigmoid", f'{last.kind}({last.params["units"]}, "sigmoid")'
    elif model.loss in CROSS_ENTROPY_LOSSES:
        squash, spelled = "softmax", f'{last.kind}({last.params["units"]}, "softmax")'
    else:
        return []
    return [
        Diagnostic(
            f"{last.kind} has no activation, so {model.loss} takes its outputs as logits and applies the "
            f"{squash} itself (the same on every backend)",
            last.span,
            hint=f"that trains well; write {spelled} to make the model output probabilities instead",
            severity="warning",
        )
    ]


def _no_validation_warnings(network: Network, model: ConcreteModel) -> list[Diagnostic]:
    """Say once that ``validation_split: 0`` makes the objective (and monitor) the training metric."""
    if model.train.validation_split > 0:
        return []
    keyword = next((k for k in network.train or () if k.name == "validation_split"), None)
    where = keyword.value.span if keyword is not None else located(network.name_span, network.span)
    return [
        Diagnostic(
            f"validation_split 0 keeps no validation data, so the objective is {model.train.objective!r}, "
            "measured on the training data",
            where,
            hint="keep e.g. validation_split: 0.2 to choose hyperparameters on held-out data",
            severity="warning",
        )
    ]


class _Checker(ArgumentBinder):
    """One pass over a network: errors, warnings, the search space and the model template.

    The sections are checked here; each call's arguments are bound by :class:`ArgumentBinder`.
    """

    def __init__(self, network: Network) -> None:
        super().__init__()
        self.network = network
        self.warnings: list[Diagnostic] = []

    def run(self) -> ModelTemplate | None:
        """Check every section; the template when nothing is wrong, else None."""
        self._network_name()
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

    def _network_name(self) -> None:
        """Refuse a name the generated module cannot use as its class name (a keyword, a builtin, a dunder)."""
        problem = reserved_name_problem(self.network.name)
        if problem:
            self.error(
                f"network name '{self.network.name}' {problem}",
                located(self.network.name_span, self.network.span),
                f"the generated code names its model class after the network; rename it, e.g. network "
                f"{self.network.name.strip('_').capitalize() or 'My'}Net",
            )

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
        if not self._within_layer_limit(layers):
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

    def _within_layer_limit(self, layers: tuple[Layer, ...]) -> bool:
        """False (and an error at the layer that passes it) when the expanded model exceeds MAX_LAYERS."""
        total = 0
        for layer in layers:
            total += layer.repeat
            if total > MAX_LAYERS:
                self.error(
                    f"the model has more than {MAX_LAYERS:,} layers once every '* N' is expanded",
                    located(layer.name_span, layer.span),
                    f"a model has at most {MAX_LAYERS:,} layers; use fewer or smaller repeats",
                )
                return False
        return True

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
