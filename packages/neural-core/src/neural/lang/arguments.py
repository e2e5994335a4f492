"""Binding a call's arguments to its schema: the argument half of the semantic checker.

:class:`ArgumentBinder` is the base of the network checker in
:mod:`neural.lang.checker`, which calls :meth:`~ArgumentBinder._call` for every
layer and optimizer call and :meth:`~ArgumentBinder._check_argument` for each
train value. It maps positional and keyword arguments onto a
:class:`~neural.layers.registry.CallSpec`, spreads a ``custom({...})`` whose
options are dicts into keyword arguments, binds a schedule call where the
schema takes one, validates every value (each option of an HPO expression, at
that option), and reports missing required parameters. Errors collect in
``errors``; HPO expressions go to ``space``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neural.errors import NO_SPAN, Diagnostic, Span
from neural.lang.catalogue import get_schedule
from neural.lang.ir import Call, Keyword, Value
from neural.lang.values import (
    CallTemplate,
    HpoRef,
    NotPlainValue,
    format_value,
    iter_hpo_calls,
    located,
    refs_in,
    span_of,
    substitute,
)
from neural.layers.registry import CallSpec, ParamError, ParamSpec, UnknownNameError
from neural.space.builder import INVALID, SpaceBuilder, contains_invalid
from neural.space.params import CUSTOM


class ArgumentBinder:
    """Checks calls' arguments against their schemas, collecting errors and the HPO expressions met."""

    def __init__(self) -> None:
        self.errors: list[Diagnostic] = []
        self.space = SpaceBuilder()

    def error(self, message: str, span: Span, hint: str | None = None) -> None:
        self.errors.append(Diagnostic(message, span, hint))

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
            if bad.name != "HPO" and bad.name.lower() == "hpo":
                hint = f"did you mean 'HPO'? a hyperparameter is written HPO(...), in capitals, not {bad.name}(...)"
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


__all__ = ["ArgumentBinder"]
