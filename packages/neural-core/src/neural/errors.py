"""Errors a user sees, and how they are rendered (DESIGN.md §7).

Every user-facing problem with a source location is a :class:`Diagnostic`.
Checks collect diagnostics and raise one :class:`DiagnosticsError` holding all
of them, so several errors in one file are reported together. Problems that
have no source location (a missing data file, an unknown plugin) are plain
:class:`NeuralError` instances whose message already says how to fix them.

Rendered form::

    model.neural:4:11: error: unknown layer 'Dens'
        Dens(64)
        ^^^^
    hint: did you mean 'Dense'?
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A region of source text. Lines and columns are 1-based; ends are exclusive.

    ``start``/``end`` are 0-based character offsets into the source, used to
    replace an expression in place (the ``.best.neural`` write-back).
    """

    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> Span:
        return cls(**data)


#: Used where a node was built by code, not parsed from text.
NO_SPAN = Span(0, 0, 0, 0, 0, 0)


def span_field() -> Span:
    """A dataclass field for a source span that is excluded from equality and repr."""
    return field(default=NO_SPAN, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Diagnostic:
    """One located problem in a source file.

    ``severity`` is ``"error"`` or ``"warning"``. ``hint`` is one sentence that
    says how to fix it (expected tokens in the user's words, "did you mean").
    """

    message: str
    span: Span = NO_SPAN
    hint: str | None = None
    severity: str = "error"

    def render(self, source: str, filename: str) -> str:
        """Return the ``FILE:LINE:COL: error: ...`` text with the line and a caret."""
        return render_diagnostic(self, source, filename)


class NeuralError(Exception):
    """Base class of every error meant for the user: shown without a traceback.

    The CLI prints ``str(error)`` and exits 1.
    """


class DiagnosticsError(NeuralError):
    """One or more located diagnostics in one source file."""

    def __init__(
        self, diagnostics: Sequence[Diagnostic], source: str = "", filename: str = "<string>"
    ) -> None:
        self.diagnostics = tuple(diagnostics)
        self.source = source
        self.filename = filename
        super().__init__(self.render())

    def render(self) -> str:
        """All diagnostics rendered, in source order, with a closing count line."""
        parts = [d.render(self.source, self.filename) for d in sorted_diagnostics(self.diagnostics)]
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        if errors > 1:
            parts.append(f"{errors} errors in {self.filename}")
        return "\n".join(parts)

    def with_source(self, source: str, filename: str) -> DiagnosticsError:
        """A copy that renders against ``source``/``filename`` (for errors raised without them)."""
        return DiagnosticsError(self.diagnostics, source, filename)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics ordered by position in the file (stable for equal positions)."""
    return sorted(diagnostics, key=lambda d: (d.span.line, d.span.column))


def render_diagnostic(diagnostic: Diagnostic, source: str, filename: str) -> str:
    """Render one diagnostic: header, the source line, a caret under the span, the hint.

    A span on line 0 (no location) renders as ``FILE: error: message``.
    """
    span = diagnostic.span
    if span.line <= 0:
        header = f"{filename}: {diagnostic.severity}: {diagnostic.message}"
        return header + (f"\n    hint: {diagnostic.hint}" if diagnostic.hint else "")
    header = f"{filename}:{span.line}:{span.column}: {diagnostic.severity}: {diagnostic.message}"
    lines = source.split("\n")  # as the parser counts lines; splitlines() also splits at \f, \x1c, U+2028...
    out = [header]
    if 0 < span.line <= len(lines):
        text = lines[span.line - 1].expandtabs(4).rstrip()
        prefix = lines[span.line - 1][: max(span.column - 1, 0)].expandtabs(4)
        if span.end_line == span.line and span.end_column > span.column:
            width = span.end_column - span.column
        else:
            width = max(len(text) - len(prefix), 1)
        out.append(f"    {text}")
        out.append("    " + " " * len(prefix) + "^" * max(width, 1))
    if diagnostic.hint:
        out.append(f"    hint: {diagnostic.hint}")
    return "\n".join(out)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """Return ``"did you mean 'X'?"`` for the closest candidate, or None.

    Used by every unknown-name error (layers, parameters, plugins, train keys).
    A candidate is close when difflib finds it similar, when it is one typo away
    or when it differs only in case; the closest is the one fewest edits away
    (a swap of two neighbouring letters counts as one edit: ``Adma`` → ``Adam``,
    not ``Adamax``), then the one sharing the longest start with ``name``.
    """
    matches = closest_names(name, candidates)
    return f"did you mean '{matches[0]}'?" if matches else None


def closest_names(name: str, candidates: Iterable[str], limit: int = 1) -> list[str]:
    """Up to ``limit`` candidates close to ``name``, the closest first (see :func:`did_you_mean`)."""
    options = list(dict.fromkeys(candidates))
    lowered = name.lower()
    similar = set(difflib.get_close_matches(name, options, n=len(options) or 1, cutoff=0.6))
    typo_budget = 0 if len(name) < 3 else 1 if len(name) <= 6 else 2
    ranked = []
    for option in options:
        distance = edit_distance(lowered, option.lower())
        if option in similar or distance <= typo_budget or lowered == option.lower():
            prefix = _shared_start(lowered, option.lower())
            ratio = difflib.SequenceMatcher(None, name, option).ratio()
            ranked.append((distance, -prefix, -ratio, option))
    return [option for *_, option in sorted(ranked)[:limit]]


def _shared_start(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share."""
    count = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        count += 1
    return count


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning ``a`` into ``b`` (optimal string alignment)."""
    if abs(len(a) - len(b)) > 8:  # far apart anyway; keep long candidate lists cheap
        return abs(len(a) - len(b))
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def unknown_name_hint(name: str, candidates: Iterable[str], what: str) -> str:
    """A hint for an unknown name: "did you mean" when close, else the known names."""
    options = sorted(candidates)
    suggestion = did_you_mean(name, options)
    if suggestion:
        return suggestion
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"known {what}: {shown}"
