"""Validating one ``HPO(...)`` expression into an (unnamed) :class:`Param`.

Called by the search-space builder for every HPO expression of a file. It
checks the HPO function and its arguments (bounds, steps, options) on their
own; whether the values fit the parameter where the HPO stands is checked by
the checker, using the :class:`HpoOption` list returned here (every option of
a choice/custom, both reachable ends of a range), each with its source span.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from neural.errors import Diagnostic, Span, unknown_name_hint
from neural.lang.ir import DictValue, HpoCall, Keyword, Value
from neural.lang.values import (
    NotPlainValue,
    format_value,
    is_number,
    iter_hpo_calls,
    located,
    plain_value,
    span_of,
    value_kind,
    value_label,
)
from neural.limits import MAX_GRID_STEPS
from neural.space.params import CHOICE, CUSTOM, LOG_RANGE, RANGE, Param, count_steps

HPO_FUNCTIONS = (CHOICE, RANGE, LOG_RANGE, CUSTOM)
CHOICE_KINDS = ("number", "string", "bool", "tuple", "none")
_BOUND_ALIASES = {"low": "low", "min": "low", "high": "high", "max": "high", "step": "step"}
_EXAMPLES = {
    CHOICE: "HPO(choice(64, 128, 256))",
    RANGE: "HPO(range(0.1, 0.5, step=0.1))",
    LOG_RANGE: "HPO(log_range(1e-4, 1e-2))",
    CUSTOM: 'HPO(custom({"small": 32, "big": 64}))',
}


@dataclass(frozen=True)
class HpoOption:
    """A value the HPO can take that must fit the parameter's schema.

    ``node`` is the IR node it was written as (a custom option's dict keeps its
    entries, so a bad key can be located); ``span`` is where an error goes.
    """

    value: Any
    span: Span
    node: Value | None = None
    label: str = ""


@dataclass(frozen=True)
class HpoDefinition:
    """A valid HPO expression: its parameter (``name`` still empty) and the values to check."""

    param: Param
    options: tuple[HpoOption, ...]


def define_hpo(call: HpoCall) -> tuple[HpoDefinition | None, list[Diagnostic]]:
    """Validate ``call``; return its definition (None when invalid) and every problem found."""
    diagnostics = [
        Diagnostic(
            "HPO expressions cannot be nested",
            inner.span,
            hint=f"write one HPO(...) that lists every option, e.g. {_EXAMPLES[CHOICE]}",
        )
        for value in (*call.args, *(k.value for k in call.kwargs))
        for inner in iter_hpo_calls(value)
    ]
    if diagnostics:
        return None, diagnostics
    if call.function not in HPO_FUNCTIONS:
        hint = unknown_name_hint(call.function, HPO_FUNCTIONS, "HPO functions")
        return None, [Diagnostic(f"unknown HPO function '{call.function}'", call.function_span, hint=hint)]
    if call.function in (CHOICE, CUSTOM):
        return _define_categorical(call)
    return _define_range(call)


# --------------------------------------------------------------------------- choice / custom


def _define_categorical(call: HpoCall) -> tuple[HpoDefinition | None, list[Diagnostic]]:
    diagnostics = [
        Diagnostic(
            f"{call.function} takes no keyword arguments",
            located(kw.name_span, kw.span),
            hint=f"write the options as positional arguments, e.g. {_EXAMPLES[call.function]}",
        )
        for kw in call.kwargs
    ]
    if call.function == CHOICE:
        definition = _define_choice(call, diagnostics)
    else:
        definition = _define_custom(call, diagnostics)
    return (definition if not diagnostics else None), diagnostics


def _define_choice(call: HpoCall, diagnostics: list[Diagnostic]) -> HpoDefinition | None:
    if not call.args:
        diagnostics.append(
            Diagnostic(
                "choice needs at least one option",
                call.span,
                hint=f"list the values to try, e.g. {_EXAMPLES[CHOICE]}",
            )
        )
        return None
    options: list[HpoOption] = []
    seen_keys: set[Any] = set()
    for node in call.args:
        value = _plain_option(node, "choice", diagnostics)
        if value is _INVALID:
            continue
        kind = value_kind(value)
        if kind not in CHOICE_KINDS:
            diagnostics.append(
                Diagnostic(
                    f"a choice option must be a number, string, boolean, tuple or none, not a {kind}",
                    span_of(node),
                    hint=f"use custom(...) for structured options: {_EXAMPLES[CUSTOM]}",
                )
            )
            continue
        if options and value_kind(options[0].value) != kind:
            first = options[0].value
            diagnostics.append(
                Diagnostic(
                    f"choice mixes a {value_kind(first)} ({format_value(first)}) and a {kind} ({format_value(value)})",
                    span_of(node),
                    hint="give every option of one choice the same kind of value",
                )
            )
            continue
        if _seen_before(value, options, seen_keys):
            diagnostics.append(
                Diagnostic(
                    f"choice lists {format_value(value)} twice",
                    span_of(node),
                    hint="remove the repeated option",
                )
            )
            continue
        options.append(HpoOption(value, span_of(node), node, value_label(value)))
    if diagnostics:
        return None
    return _categorical(call, CHOICE, options)


def _define_custom(call: HpoCall, diagnostics: list[Diagnostic]) -> HpoDefinition | None:
    hint = f"pass one dict of named options, e.g. {_EXAMPLES[CUSTOM]}"
    if len(call.args) != 1 or not isinstance(call.args[0], DictValue) or not call.args[0].entries:
        where = call.args[1].span if len(call.args) > 1 else (call.args[0].span if call.args else call.span)
        diagnostics.append(Diagnostic("custom takes one non-empty dict of named options", where, hint=hint))
        return None
    options: list[HpoOption] = []
    seen: set[str] = set()
    for entry in call.args[0].entries:
        if entry.key in seen:
            diagnostics.append(
                Diagnostic(
                    f"custom option '{entry.key}' is given twice",
                    entry.span,
                    hint="give every option a different name",
                )
            )
            continue
        seen.add(entry.key)
        value = _plain_option(entry.value, "custom", diagnostics)
        if value is not _INVALID:
            options.append(HpoOption(value, span_of(entry.value), entry.value, entry.key))
    if diagnostics:
        return None
    return _categorical(call, CUSTOM, options)


def _categorical(call: HpoCall, kind: str, options: list[HpoOption]) -> HpoDefinition:
    """The definition of a valid ``choice`` or ``custom``: one option per value, with its label."""
    param = Param(
        name="",
        kind=kind,
        choices=tuple(o.value for o in options),
        labels=tuple(o.label for o in options),
        span=call.span,
    )
    return HpoDefinition(param, tuple(options))


_INVALID = object()


def _plain_option(node: Value, function: str, diagnostics: list[Diagnostic]) -> Any:
    try:
        return plain_value(node)
    except NotPlainValue as problem:
        bad = problem.node
        diagnostics.append(
            Diagnostic(
                f"a {function} option must be a plain value, not the call {getattr(bad, 'name', 'HPO')}(...)",
                bad.span,
                hint="write the value itself: a number, string, boolean, tuple, list or dict",
            )
        )
        return _INVALID


def _same_option(a: Any, b: Any) -> bool:
    return value_kind(a) == value_kind(b) and a == b


def _seen_before(value: Any, options: list[HpoOption], seen_keys: set[Any]) -> bool:
    """Whether a choice already lists ``value``; adds it to ``seen_keys``.

    A set lookup (options of one choice are of one kind, so equal means the
    same option), so a choice of 20,000 options checks in linear time; an
    unhashable option falls back to comparing with each earlier one.
    """
    try:
        key = (value_kind(value), value)
        if key in seen_keys:
            return True
        seen_keys.add(key)
        return False
    except TypeError:
        return any(_same_option(value, seen.value) for seen in options)


# --------------------------------------------------------------------------- range / log_range


def _define_range(call: HpoCall) -> tuple[HpoDefinition | None, list[Diagnostic]]:
    function = call.function
    is_log = function == LOG_RANGE
    slots = ("low", "high") if is_log else ("low", "high", "step")
    diagnostics: list[Diagnostic] = []
    given: dict[str, Value] = {}
    for index, node in enumerate(call.args):
        if index >= len(slots):
            diagnostics.append(
                Diagnostic(
                    f"{function} takes at most {len(slots)} positional arguments, got {len(call.args)}",
                    span_of(node),
                    hint=f"write {function}({', '.join(slots)})",
                )
            )
            break
        given[slots[index]] = node
    for keyword in call.kwargs:
        _bind_range_keyword(function, keyword, slots, given, diagnostics)
    bounds: dict[str, Any] = {}
    for slot, node in given.items():
        value = _plain_option(node, function, diagnostics)
        if value is _INVALID:
            continue
        if not is_number(value):
            diagnostics.append(
                Diagnostic(
                    f"{function} {slot} must be a number, got {format_value(value)}",
                    span_of(node),
                    hint=f"write numbers, e.g. {_EXAMPLES[function]}",
                )
            )
            continue
        bounds[slot] = value
    missing = [slot for slot in ("low", "high") if slot not in given]
    if missing:
        diagnostics.append(
            Diagnostic(
                f"{function} needs a low and a high bound",
                call.span,
                hint=f"write e.g. {_EXAMPLES[function]}",
            )
        )
    if diagnostics:
        return None, diagnostics
    low, high, step = bounds["low"], bounds["high"], bounds.get("step")
    if step is not None and step <= 0:
        diagnostics.append(
            Diagnostic(
                f"range step must be positive, got {format_value(step)}",
                span_of(given["step"]),
                hint="use a step above 0, e.g. step=0.1",
            )
        )
    if is_log:
        for slot in ("low", "high"):
            if bounds[slot] <= 0:
                diagnostics.append(
                    Diagnostic(
                        f"log_range bounds must be positive, got {format_value(bounds[slot])}",
                        span_of(given[slot]),
                        hint="a log scale needs 0 < low < high, e.g. log_range(1e-4, 1e-2)",
                    )
                )
    if low >= high:
        diagnostics.append(
            Diagnostic(
                f"{function} low bound {format_value(low)} must be below its high bound {format_value(high)}",
                call.span,
                hint=f"write the smaller bound first, e.g. {function}({format_value(min(low, high))}, "
                f"{format_value(max(low, high))})"
                if low != high
                else "give two different bounds",
            )
        )
    if not diagnostics:
        diagnostics.extend(_range_size_problems(call, low, high, step, given))
    if diagnostics:
        return None, diagnostics
    is_int = not is_log and all(isinstance(v, int) for v in (low, high, step) if v is not None)
    if is_log:
        low, high = float(low), float(high)
    param = Param(
        name="",
        kind=LOG_RANGE if is_log else RANGE,
        low=low,
        high=high,
        step=step,
        log=is_log,
        is_int=is_int,
        span=call.span,
    )
    top = param.snap(low + param.grid_steps() * step) if step is not None else param.snap(high)
    options = (
        HpoOption(param.snap(low), span_of(given["low"]), given["low"]),
        HpoOption(top, span_of(given["high"]), given["high"]),
    )
    return HpoDefinition(param, options), []


def _range_size_problems(
    call: HpoCall, low: Any, high: Any, step: Any, given: dict[str, Value]
) -> list[Diagnostic]:
    """A range too wide for floating point, or with more steps than :data:`MAX_GRID_STEPS`."""
    if not math.isfinite(float(high) - float(low)):
        return [
            Diagnostic(
                f"{call.function}({format_value(low)}, {format_value(high)}) is too wide to draw numbers from",
                call.span,
                hint="keep high - low below about 1.8e308",
            )
        ]
    if step is not None and count_steps(low, high, step) > MAX_GRID_STEPS:
        return [
            Diagnostic(
                f"range step {format_value(step)} makes {count_steps(low, high, step):,} steps; "
                f"a stepped range has at most {MAX_GRID_STEPS:,}",
                span_of(given["step"]),
                hint="use a larger step, or a range without a step (continuous)",
            )
        ]
    return []


def _bind_range_keyword(
    function: str,
    keyword: Keyword,
    slots: tuple[str, ...],
    given: dict[str, Value],
    diagnostics: list[Diagnostic],
) -> None:
    slot = _BOUND_ALIASES.get(keyword.name)
    if slot is None or slot not in slots:
        if keyword.name == "step":
            hint = "a log scale has no step; use range(low, high, step=...) for a stepped grid"
        else:
            accepted = [name for name, target in _BOUND_ALIASES.items() if target in slots]
            hint = unknown_name_hint(keyword.name, accepted, f"{function} keywords")
        diagnostics.append(
            Diagnostic(
                f"{function} has no keyword '{keyword.name}'",
                located(keyword.name_span, keyword.span),
                hint=hint,
            )
        )
        return
    if slot in given:
        diagnostics.append(
            Diagnostic(
                f"{function} {slot} bound is given twice",
                located(keyword.name_span, keyword.span),
                hint=f"give each of {', '.join(slots)} once",
            )
        )
        return
    given[slot] = keyword.value


def named(definition: HpoDefinition, name: str) -> HpoDefinition:
    """The same definition with its parameter called ``name`` (given by the space builder)."""
    return replace(definition, param=replace(definition.param, name=name))
