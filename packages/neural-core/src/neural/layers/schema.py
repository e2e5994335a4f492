"""Parameter schemas: what a call accepts, and how a given value is normalized.

One machinery serves every call of the language: layers (``Dense(64, "relu")``),
optimizers, learning-rate schedules and the train block. A :class:`ParamSpec`
describes one parameter (kind, default, bounds, allowed strings);
:meth:`ParamSpec.validate` turns a user value into its normalized form or raises
:class:`ParamError` with a user-facing sentence. A :class:`CallSpec` groups the
parameters of one callable with their positional order.

The checker calls these once per argument (to locate each error at its value)
and :meth:`CallSpec.normalize` once per call (to fill defaults). Nothing here
imports a heavy library.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neural.errors import NeuralError, did_you_mean, unknown_name_hint
from neural.model import ScheduleConfig


class _Required:
    """The type of :data:`REQUIRED`; prints as ``REQUIRED``; copies and pickles as itself."""

    def __repr__(self) -> str:
        return "REQUIRED"

    def __reduce__(self) -> str:
        return "REQUIRED"


#: The default of a parameter the user must give.
REQUIRED: Any = _Required()

#: Activation names, lower case (``none`` / ``None`` normalize to None).
ACTIVATIONS: tuple[str, ...] = (
    "relu", "sigmoid", "tanh", "softmax", "linear", "elu", "selu", "gelu",
    "leaky_relu", "swish", "softplus",
)  # fmt: skip

#: The parameter kinds :meth:`ParamSpec.validate` understands.
KINDS: tuple[str, ...] = (
    "int", "float", "number", "str", "bool", "activation", "int_tuple", "optional_int_tuple", "any",
    "device",
)  # fmt: skip


class ParamError(NeuralError):
    """A parameter value (or a missing / unknown parameter) the schema rejects.

    ``message`` is one sentence for the user; ``param`` the parameter's name
    (None when the problem is not about one parameter); ``hint`` how to fix it.
    """

    def __init__(self, message: str, param: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep param and hint when a worker process sends the error back.
        return (type(self), (self.message, self.param, self.hint))


class ShapeError(NeuralError):
    """An impossible tensor shape (a kernel larger than its input, Dense on an image)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.hint))


class UnknownNameError(NeuralError, KeyError):
    """A layer, optimizer or schedule name that is not in its catalogue.

    Also a ``KeyError``, so ``except KeyError`` works; ``hint`` says "did you
    mean" or lists the known names.
    """

    def __init__(self, message: str, name: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.name, self.hint))

    def __str__(self) -> str:
        return self.message


def format_value(value: Any) -> str:
    """Render a value as the user writes it in a ``.neural`` file (for messages)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(format_value(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    return str(value)


def _number(bound: float) -> str:
    """A bound as text: ``0`` rather than ``0.0``, ``1e-07`` as is."""
    return str(int(bound)) if float(bound).is_integer() else repr(float(bound))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer, optimizer, schedule or the train block.

    ``kind`` is one of :data:`KINDS`: ``int`` refuses floats and booleans;
    ``float`` / ``number`` take ints too and return floats; ``str`` is
    case-sensitive; ``activation`` is lower-cased. ``default`` is :data:`REQUIRED` or the
    normalized default (a default of None also lets the user write ``none``).
    ``choices`` lists the allowed strings; ``minimum``/``maximum`` bound
    numbers (and each element of an int tuple), exclusive when the flags say
    so. ``rank`` is the length of an ``int_tuple``: an int ``k`` becomes
    ``(k,) * rank``. ``default_from`` names the parameter whose normalized
    value replaces a None here (pooling ``strides`` → ``pool_size``).
    ``accepts_schedule`` lets a :class:`~neural.model.ScheduleConfig` through
    (an optimizer's ``learning_rate``). ``identifier`` makes a ``str`` accept
    only name-like text (``search_method``). ``device`` takes a device name
    (``auto``, ``cpu``, ``cuda``, ``cuda:N``; :mod:`neural.devices`).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    rank: int = 0
    doc: str = ""
    default_from: str | None = None
    accepts_schedule: bool = False
    identifier: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r} for {self.name!r}")
        if self.kind in ("int_tuple", "optional_int_tuple") and self.rank < 1:
            raise ValueError(f"int tuple parameter {self.name!r} needs a rank")

    @property
    def required(self) -> bool:
        """True when the user must give this parameter."""
        return self.default is REQUIRED

    def validate(self, value: Any) -> Any:
        """Return ``value`` normalized for this parameter, or raise :class:`ParamError`.

        Called by the checker on every given argument (and on every option of
        an HPO expression standing here) and by :meth:`CallSpec.normalize`.
        """
        if self.accepts_schedule and isinstance(value, ScheduleConfig):
            return value
        if value is None and self.default is None:
            return None
        return _VALIDATORS[self.kind](self, value)

    def error(self, message: str, hint: str | None = None) -> ParamError:
        """A :class:`ParamError` about this parameter."""
        return ParamError(message, param=self.name, hint=hint)

    # ------------------------------------------------------------ bounds text

    def bounds_phrase(self) -> str:
        """The allowed interval in words: ``"between 0 and 1 (1 excluded)"``, ``"positive"``."""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            excluded = [
                _number(b)
                for b, flag in ((low, self.exclusive_minimum), (high, self.exclusive_maximum))
                if flag
            ]
            note = (
                " (both excluded)" if len(excluded) == 2 else f" ({excluded[0]} excluded)" if excluded else ""
            )
            return f"between {_number(low)} and {_number(high)}{note}"
        if low is not None:
            if low == 0 or (low == 1 and self.kind in ("int", "int_tuple", "optional_int_tuple")):
                return "positive" if self.exclusive_minimum or low == 1 else "non-negative"
            return f"greater than {_number(low)}" if self.exclusive_minimum else f"at least {_number(low)}"
        if high is not None:
            return f"less than {_number(high)}" if self.exclusive_maximum else f"at most {_number(high)}"
        return ""

    def describe(self, noun: str) -> str:
        """``noun`` with its bounds: ``"a positive integer"``, ``"a number between 0 and 1"``."""
        phrase = self.bounds_phrase()
        if not phrase:
            return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"
        if phrase in ("positive", "non-negative"):
            return f"a {phrase} {noun}"
        return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun} {phrase}"

    def in_bounds(self, number: float) -> bool:
        """Whether ``number`` lies within ``minimum``/``maximum``."""
        low, high = self.minimum, self.maximum
        below = low is not None and (number < low or (self.exclusive_minimum and number == low))
        above = high is not None and (number > high or (self.exclusive_maximum and number == high))
        return not (below or above)


# ------------------------------------------------------------------ validators


def _validate_int(spec: ParamSpec, value: Any) -> int:
    if not _is_int(value) or not spec.in_bounds(value):
        raise spec.error(f"{spec.name} must be {spec.describe('integer')}, got {format_value(value)}")
    return int(value)


def _validate_float(spec: ParamSpec, value: Any) -> float:
    if not _is_real(value) or not math.isfinite(value):
        raise spec.error(f"{spec.name} must be {spec.describe('number')}, got {format_value(value)}")
    if not spec.in_bounds(value):
        phrase = spec.bounds_phrase()
        wanted = spec.describe("number") if phrase in ("positive", "non-negative") else phrase
        raise spec.error(f"{spec.name} must be {wanted}, got {format_value(value)}")
    return float(value)


def _choices_text(choices: tuple[Any, ...]) -> str:
    shown = [format_value(c) for c in choices]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _validate_str(spec: ParamSpec, value: Any) -> str:
    if spec.choices is not None:
        if not isinstance(value, str) or value not in spec.choices:
            hint = did_you_mean(value, [str(c) for c in spec.choices]) if isinstance(value, str) else None
            prefix = "" if len(spec.choices) <= 2 else "one of "
            message = f"{spec.name} must be {prefix}{_choices_text(spec.choices)}, got {format_value(value)}"
            raise spec.error(message, hint)
        return value
    if not isinstance(value, str) or not value:
        raise spec.error(f"{spec.name} must be a non-empty string, got {format_value(value)}")
    if spec.identifier and not _IDENTIFIER.fullmatch(value):
        message = f"{spec.name} must be a name (letters, digits, '_' or '-'), got {format_value(value)}"
        raise spec.error(message)
    return value


def _validate_bool(spec: ParamSpec, value: Any) -> bool:
    if not isinstance(value, bool):
        raise spec.error(f"{spec.name} must be true or false, got {format_value(value)}")
    return value


def _validate_activation(spec: ParamSpec, value: Any) -> str | None:
    if isinstance(value, str):
        lowered = value.lower()
        if lowered == "none" and spec.default is None:
            return None
        if lowered in ACTIVATIONS:
            return lowered
        hint = unknown_name_hint(lowered, ACTIVATIONS, "activations")
        raise spec.error(f"unknown activation {format_value(value)} for {spec.name}", hint)
    raise spec.error(
        f"{spec.name} must be an activation name such as 'relu', got {format_value(value)}",
        hint="known activations: " + ", ".join(ACTIVATIONS),
    )


def _validate_int_tuple(spec: ParamSpec, value: Any) -> tuple[int, ...]:
    if _is_int(value):
        items: tuple[Any, ...] = (value,) * spec.rank
    elif isinstance(value, (tuple, list)) and len(value) == spec.rank and all(_is_int(v) for v in value):
        items = tuple(value)
    else:
        noun = "integer" if spec.rank == 1 else "integers"
        message = (
            f"{spec.name} must be an integer or a tuple of {spec.rank} {noun}, got {format_value(value)}"
        )
        raise spec.error(message)
    if not all(spec.in_bounds(v) for v in items):
        phrase = spec.bounds_phrase()
        noun = "integers" if spec.rank > 1 else "integer"
        wanted = f"{phrase} {noun}" if phrase in ("positive", "non-negative") else f"integers {phrase}"
        raise spec.error(f"{spec.name} must hold {wanted}, got {format_value(value)}")
    return tuple(int(v) for v in items)


def _validate_any(spec: ParamSpec, value: Any) -> Any:
    return value


def _validate_device(spec: ParamSpec, value: Any) -> str:
    """A device name (``auto``, ``cpu``, ``cuda``, ``cuda:N``), normalized by :func:`neural.devices.normalize_device`."""
    from neural.devices import DeviceSpecError, normalize_device

    try:
        return normalize_device(value)
    except DeviceSpecError as error:
        raise spec.error(f"{spec.name} {error.message}", error.hint) from None


_VALIDATORS: dict[str, Callable[[ParamSpec, Any], Any]] = {
    "int": _validate_int,
    "float": _validate_float,
    "number": _validate_float,
    "str": _validate_str,
    "bool": _validate_bool,
    "activation": _validate_activation,
    "int_tuple": _validate_int_tuple,
    "optional_int_tuple": _validate_int_tuple,
    "any": _validate_any,
    "device": _validate_device,
}


# ---------------------------------------------------------------- call schemas


@dataclass(frozen=True)
class CallSpec:
    """The schema of one callable: an optimizer, a schedule, the train block.

    ``positional`` names the parameters that may be given without a keyword,
    in order; every other one is keyword-only. ``check``, when set, runs on
    the normalized values to reject combinations (raises :class:`ParamError`).
    """

    name: str
    params: tuple[ParamSpec, ...]
    positional: tuple[str, ...] = ()
    doc: str = ""
    check: Callable[[dict[str, Any]], None] | None = field(default=None, compare=False, repr=False)
    _by_name: dict[str, ParamSpec] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_name = {p.name: p for p in self.params}
        if len(by_name) != len(self.params):
            raise ValueError(f"{self.name}: duplicate parameter names")
        unknown = [n for n in self.positional if n not in by_name]
        if unknown:
            raise ValueError(f"{self.name}: positional names {unknown} are not parameters")
        object.__setattr__(self, "_by_name", by_name)

    @property
    def names(self) -> tuple[str, ...]:
        """Every parameter name, in schema order."""
        return tuple(self._by_name)

    def param(self, name: str) -> ParamSpec | None:
        """The parameter called ``name``, or None."""
        return self._by_name.get(name)

    def signature(self) -> str:
        """How to call it, for hints: ``Dense(units, activation, use_bias=true)``."""
        parts = [
            name if self._by_name[name].required else f"{name}={format_value(self._by_name[name].default)}"
            for name in self.positional
        ]
        parts += [
            f"{p.name}={'...' if p.required else format_value(p.default)}"
            for p in self.params
            if p.name not in self.positional
        ]
        return f"{self.name}({', '.join(parts)})"

    def unknown_param_error(self, name: str) -> ParamError:
        """The error for a parameter this call does not have (with "did you mean")."""
        if not self.params:
            return ParamError(
                f"{self.name} takes no parameters, got {name}", param=name, hint=f"write {self.name}()"
            )
        hint = unknown_name_hint(name, self.names, f"parameters of {self.name}")
        return ParamError(f"{self.name} has no parameter '{name}'", param=name, hint=hint)

    def normalize(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter of the schema, validated, with defaults filled in.

        ``values`` maps parameter names to user values (positional arguments
        already assigned to names). Raises :class:`ParamError` for an unknown
        name, a bad value, a missing required parameter or a bad combination.
        """
        for name in values:
            if name not in self._by_name:
                raise self.unknown_param_error(name)
        result: dict[str, Any] = {}
        for spec in self.params:
            if spec.name in values:
                result[spec.name] = spec.validate(values[spec.name])
            elif spec.required:
                raise ParamError(
                    f"{self.name} needs {spec.name}", param=spec.name, hint=f"write {self.signature()}"
                )
            else:
                result[spec.name] = spec.default
        for spec in self.params:
            if spec.default_from is not None and result[spec.name] is None:
                result[spec.name] = result[spec.default_from]
        if self.check is not None:
            self.check(result)
        return result
