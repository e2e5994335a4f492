"""Reading ``hpo_results.json`` into the plain data every figure of the report is drawn from.

Called once per report (``neural visualize``, and after every trial of a search
run with ``--report``). :func:`load_study` reads a file, :func:`study_from_data`
takes the document already in memory; both check it is a results document this
version understands and return a :class:`Study`. Anything else — unreadable
text, a JSON file of another kind, a newer schema version, a study without
trials — is a one-line :class:`~neural.errors.NeuralError`.

Only ``json`` is used to read: nothing in a results file is ever executed or
unpickled, so a file copied from another machine is safe to open.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neural.errors import NeuralError
from neural.search.results_schema import SCHEMA_ID, validate_results

SCHEMA_FAMILY, _, _VERSION_TEXT = SCHEMA_ID.rpartition("/")
SCHEMA_VERSION = int(_VERSION_TEXT)


@dataclass(frozen=True)
class ParamSpec:
    """One dimension of the space as the results file describes it.

    ``labels`` are the options as written in the source (``(3, 3)``, ``'same'``,
    a custom option's name); trial values of a categorical parameter map onto
    them by position (:meth:`index_of`).
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple[Any, ...] = ()
    labels: tuple[str, ...] = ()
    line: int | None = None
    column: int | None = None

    @property
    def is_categorical(self) -> bool:
        return self.kind in ("choice", "custom")

    def index_of(self, value: Any) -> int | None:
        """The option index of a trial's value of a categorical parameter (None if it is none of them)."""
        if self.kind == "custom":
            return self.labels.index(value) if value in self.labels else None
        for index, choice in enumerate(self.choices):
            if choice == value and type(choice) is type(value):
                return index
        for index, choice in enumerate(self.choices):
            if choice == value:
                return index
        return None

    def label(self, value: Any) -> str:
        """A trial's value as the user wrote it (``(3, 3)``, ``'same'``, ``0.0012``)."""
        if self.is_categorical:
            index = self.index_of(value)
            if index is not None and index < len(self.labels):
                return self.labels[index]
        return format_number(value) if isinstance(value, (int, float)) else str(value)

    def numeric(self, value: Any) -> float | None:
        """A trial's value on this parameter's axis: the option index for categories, else the number."""
        if self.is_categorical:
            index = self.index_of(value)
            return None if index is None else float(index)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        if self.log and value <= 0:
            return None
        return float(value)

    def describe(self) -> str:
        """The space of this parameter in one line: ``choice of 32, 64`` / ``log_range 0.0001 … 0.01``."""
        if self.is_categorical:
            return f"{self.kind} of {', '.join(self.labels)}"
        text = f"{self.kind} {format_number(self.low)} … {format_number(self.high)}"
        if self.step is not None:
            text += f" step {format_number(self.step)}"
        return text + (" (integers)" if self.integer and self.step is None else "")


@dataclass(frozen=True)
class Trial:
    """One trial: its state (complete, pruned, failed, running), point, value and per-epoch values."""

    number: int
    state: str
    params: dict[str, Any]
    value: float | None
    intermediate: tuple[float, ...] = ()
    duration: float | None = None
    error: str | None = None
    started: str | None = None
    finished: str | None = None


@dataclass
class Study:
    """A whole results document, checked: what every ``*_info`` function reads."""

    data: dict[str, Any]
    params: list[ParamSpec]
    trials: list[Trial]
    direction: str
    metric: str
    source_label: str = "hpo_results.json"
    folder: Path | None = None
    _best: Trial | None = field(default=None, init=False, repr=False)

    @property
    def maximize(self) -> bool:
        return self.direction == "maximize"

    def complete(self) -> list[Trial]:
        """The trials with a finite objective value, in trial order."""
        return [t for t in self.trials if t.state == "complete" and t.value is not None]

    def best(self) -> Trial | None:
        """The best complete trial (lowest number on ties), or None when none completed."""
        if self._best is None:
            complete = self.complete()
            if complete:
                sign = -1.0 if self.maximize else 1.0
                self._best = min(complete, key=lambda t: (sign * float(t.value or 0.0), t.number))
        return self._best

    def better(self, a: float, b: float) -> bool:
        """Whether objective value ``a`` beats ``b`` in this study's direction."""
        return a > b if self.maximize else a < b

    def counts(self) -> dict[str, int]:
        """How many trials are in each state (every state listed, zeros included)."""
        counts = {state: 0 for state in ("complete", "pruned", "failed", "running")}
        for trial in self.trials:
            counts[trial.state] = counts.get(trial.state, 0) + 1
        return counts


def format_number(value: Any) -> str:
    """A number compactly: integers as they are, floats with 4 significant digits (``0.0012``, ``3.2e-05``)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    return f"{value:.3g}"


# ----------------------------------------------------------------------------- reading


def load_study(path: Path) -> Study:
    """Read and check the results file at ``path``; NeuralError (one line) when it cannot be shown."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NeuralError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise NeuralError(f"{path} cannot be read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NeuralError(
            f"{path} is not JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "pass the hpo_results.json a search wrote"
        ) from None
    return study_from_data(data, label=str(path), folder=path.parent)


def study_from_data(data: Any, *, label: str = "hpo_results.json", folder: Path | None = None) -> Study:
    """Check an in-memory results document and return it as a :class:`Study` (NeuralError if it cannot be shown)."""
    schema = data.get("schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or not schema.startswith(SCHEMA_FAMILY + "/"):
        raise NeuralError(
            f'{label} is not a Neural HPO results file (no "schema": "{SCHEMA_ID}"); '
            "pass the hpo_results.json a search wrote"
        )
    version = schema.rpartition("/")[2]
    if not version.isdigit() or int(version) != SCHEMA_VERSION:
        newer = version.isdigit() and int(version) > SCHEMA_VERSION
        raise NeuralError(
            f"{label} has results schema {schema}, which this neural-viz cannot read (it reads {SCHEMA_ID})"
            + ("; upgrade neural-viz" if newer else "")
        )
    problems = validate_results(data)
    if problems:
        raise NeuralError(f"{label} is not a valid results file: {problems[0]}")
    if not data["trials"]:
        raise NeuralError(f"{label} holds no trials yet, so there is nothing to show; run the search first")
    params = [_param(item) for item in data["space"]]
    trials = [_trial(item) for item in data["trials"]]
    trials.sort(key=lambda t: t.number)
    objective = data["objective"]
    return Study(
        data=data,
        params=params,
        trials=trials,
        direction=objective["direction"],
        metric=str(objective["metric"]),
        source_label=label,
        folder=folder,
    )


def _param(item: dict[str, Any]) -> ParamSpec:
    def number(key: str) -> float | None:
        value = item.get(key)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    return ParamSpec(
        name=str(item["name"]),
        kind=str(item["kind"]),
        low=number("low"),
        high=number("high"),
        step=number("step"),
        log=bool(item.get("log")) or item["kind"] == "log_range",
        integer=bool(item.get("integer")),
        choices=tuple(item.get("choices") or ()),
        labels=tuple(str(label) for label in item.get("labels") or ()),
        line=item.get("line") if isinstance(item.get("line"), int) else None,
        column=item.get("column") if isinstance(item.get("column"), int) else None,
    )


def _trial(item: dict[str, Any]) -> Trial:
    value = item.get("value")
    finite = float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None
    return Trial(
        number=int(item["number"]),
        state=str(item["state"]),
        params=dict(item["params"]),
        value=finite,
        intermediate=tuple(float(v) for v in item.get("intermediate_values") or () if math.isfinite(v)),
        duration=float(item["duration"]) if isinstance(item.get("duration"), (int, float)) else None,
        error=str(item["error"]) if item.get("error") is not None else None,
        started=item.get("started") if isinstance(item.get("started"), str) else None,
        finished=item.get("finished") if isinstance(item.get("finished"), str) else None,
    )
