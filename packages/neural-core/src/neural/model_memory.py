"""How much memory one training step of a model needs, against what the machine has.

Called by ``neural check`` (which prints the figure and refuses a model that
cannot fit), by ``neural run`` and ``neural compile --hpo`` before anything
trains, and by the trial runner before each trial (a point too large for the
machine is a failed trial with the figure, not an allocation error deep in a
framework). The estimate is float32 throughout: the parameters four times
(weights, gradients, two optimizer moments, as Adam keeps) plus, per sample of
the batch, every layer's output twice (kept for the backward pass, and its
gradient). It is a lower bound of what a framework allocates, so a model it
refuses cannot run; one it warns about may not.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from neural.errors import NO_SPAN, Diagnostic, DiagnosticsError, Span
from neural.model import ConcreteModel

if TYPE_CHECKING:
    from neural.program import Program

_FLOAT_BYTES = 4
#: Parameter copies a training step holds: weights, gradients, two optimizer moments.
_PARAMETER_COPIES = 4
#: Activation copies per sample: each output kept for the backward pass, and its gradient.
_ACTIVATION_COPIES = 2


@dataclass(frozen=True)
class MemoryEstimate:
    """The memory of one training step: ``parameter_bytes`` + ``activation_bytes`` (for ``batch_size``)."""

    parameter_bytes: int
    activation_bytes: int
    batch_size: int

    @property
    def total(self) -> int:
        """Bytes for one training step (parameters, their gradients and optimizer state, activations)."""
        return self.parameter_bytes + self.activation_bytes

    def describe(self) -> str:
        """``about 1.2 GiB per training step (batch 32: 1.1 GiB activations, 96.0 MiB parameters and state)``."""
        return (
            f"about {format_bytes(self.total)} per training step (batch {self.batch_size}: "
            f"{format_bytes(self.activation_bytes)} activations, "
            f"{format_bytes(self.parameter_bytes)} parameters with gradients and optimizer state)"
        )


def estimate_memory(model: ConcreteModel) -> MemoryEstimate:
    """The :class:`MemoryEstimate` of ``model`` at its train block's batch size (exact integers, no overflow)."""
    values = math.prod(model.input_shape) + sum(math.prod(layer.output_shape) for layer in model.layers)
    batch = model.train.batch_size
    return MemoryEstimate(
        parameter_bytes=_FLOAT_BYTES * _PARAMETER_COPIES * model.param_count,
        activation_bytes=_FLOAT_BYTES * _ACTIVATION_COPIES * batch * values,
        batch_size=batch,
    )


def format_bytes(count: int) -> str:
    """``512 B``, ``1.5 KiB``, ``18.2 PiB`` (binary units, as ``free -h``)."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024 or unit == "EiB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def physical_memory() -> int | None:
    """The machine's RAM in bytes (None where the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def available_memory() -> int | None:
    """RAM available to a new process now (``MemAvailable`` on Linux; None elsewhere)."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_diagnostic(model: ConcreteModel, span: Span = NO_SPAN) -> Diagnostic | None:
    """An error when one training step of ``model`` needs more than the machine's RAM; a warning past what is free.

    ``span`` locates it (the network's name). None when it fits.
    """
    estimate = estimate_memory(model)
    total, free = physical_memory(), available_memory()
    hint = "use a smaller input, fewer units or filters, or a smaller batch_size"
    if total is not None and estimate.total > total:
        return Diagnostic(
            f"network {model.name} needs {estimate.describe()}; this machine has {format_bytes(total)}",
            span,
            hint=hint,
        )
    if free is not None and estimate.total > free:
        return Diagnostic(
            f"network {model.name} needs {estimate.describe()}; only {format_bytes(free)} is free now",
            span,
            hint=hint,
            severity="warning",
        )
    return None


def require_memory(program: Program, model: ConcreteModel) -> list[Diagnostic]:
    """Raise :class:`DiagnosticsError` when ``model`` (of ``program``) cannot fit in RAM; return the warning when it may not."""
    diagnostic = memory_diagnostic(model, program.network.name_span)
    if diagnostic is None:
        return []
    if diagnostic.severity == "error":
        raise DiagnosticsError([diagnostic], program.source, program.filename)
    return [diagnostic]


__all__ = [
    "MemoryEstimate",
    "available_memory",
    "estimate_memory",
    "format_bytes",
    "memory_diagnostic",
    "physical_memory",
    "require_memory",
]
