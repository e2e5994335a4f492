"""``hpo_results.json``: the record of a search (DESIGN.md §6).

The trial runner keeps one :class:`StudyRecord` in memory and calls
:meth:`StudyRecord.save` after every trial starts and ends; the file is
replaced atomically (a temp file in the same folder, fsync, ``os.replace``),
so whatever moment the process dies at, the file on disk is a complete,
valid document. ``--resume`` reads it back with :func:`load_results` (``json``
only — nothing a user hands us is ever unpickled).

Layout (``"schema": "neural.hpo-results/1"``)::

    source      {file, sha256, network}
    backend     {name, distribution}
    searcher    {name, method, settings: searcher.describe()}
    seed, objective {metric, direction}, budget {n_trials, timeout, parallel}
    data        {spec, notes}
    storage     {url, study}   (only for a study shared through --storage; the
                url's password replaced by ***)
    space       [Param.to_dict(), ...]
    trials      [{number, state, params, value, intermediate_values, metrics,
                  seed, duration, error, traceback, started, finished}, ...]
                (a shared study: every finished trial of the study; those other
                processes ran have empty metrics and no duration or timestamps)
    best_trial  {number, value, params} | null
    versions    {python, neural-core, <backend dist>, torch, ...}
    status      running | finished | interrupted | stopped
    started, updated   ISO-8601 UTC timestamps

:data:`RESULTS_SCHEMA` is the JSON Schema of that layout; :func:`validate_results`
checks a document against it with a small hand-written walker, so core needs
no ``jsonschema`` at run time (the tests also check with ``jsonschema``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neural.errors import NeuralError

SCHEMA_ID = "neural.hpo-results/1"
RESULTS_FILENAME = "hpo_results.json"

RUNNING = "running"
TRIAL_STATES = ("complete", "pruned", "failed", RUNNING)
STUDY_STATES = ("running", "finished", "interrupted", "stopped")

#: The error text of trials that were running when the search was interrupted.
INTERRUPTED = "interrupted"

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}
_STRING_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}

RESULTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Neural DSL hyperparameter search results",
    "type": "object",
    "required": [
        "schema",
        "source",
        "backend",
        "searcher",
        "seed",
        "objective",
        "budget",
        "space",
        "trials",
        "best_trial",
        "versions",
        "status",
        "started",
        "updated",
    ],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "source": {
            "type": "object",
            "required": ["file", "sha256"],
            "properties": {
                "file": {"type": "string"},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "network": {"type": "string"},
            },
        },
        "backend": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "searcher": {
            "type": "object",
            "required": ["name", "method", "settings"],
            "properties": {
                "name": {"type": "string"},
                "method": {"type": "string"},
                "settings": {"type": "object"},
            },
        },
        "seed": {"type": "integer"},
        "objective": {
            "type": "object",
            "required": ["metric", "direction"],
            "properties": {
                "metric": {"type": "string"},
                "direction": {"enum": ["minimize", "maximize"]},
            },
        },
        "budget": {
            "type": "object",
            "required": ["n_trials"],
            "properties": {
                "n_trials": {"type": "integer", "minimum": 0},
                "timeout": _NUMBER_OR_NULL,
                "parallel": {"type": "integer", "minimum": 1},
            },
        },
        "data": {"type": "object"},
        "storage": {
            "type": "object",
            "required": ["url", "study"],
            "properties": {"url": {"type": "string"}, "study": _STRING_OR_NULL},
        },
        "space": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "kind"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"enum": ["choice", "range", "log_range", "custom"]},
                },
            },
        },
        "trials": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "number",
                    "state",
                    "params",
                    "value",
                    "intermediate_values",
                    "metrics",
                    "duration",
                    "error",
                ],
                "properties": {
                    "number": {"type": "integer", "minimum": 0},
                    "state": {"enum": list(TRIAL_STATES)},
                    "params": {"type": "object"},
                    "value": _NUMBER_OR_NULL,
                    "intermediate_values": {"type": "array", "items": {"type": "number"}},
                    "metrics": {"type": "array", "items": {"type": "object"}},
                    "seed": {"type": "integer"},
                    "duration": _NUMBER_OR_NULL,
                    "error": _STRING_OR_NULL,
                    "traceback": _STRING_OR_NULL,
                    "started": _STRING_OR_NULL,
                    "finished": _STRING_OR_NULL,
                },
            },
        },
        "best_trial": {
            "type": ["object", "null"],
            "required": ["number", "value", "params"],
            "properties": {
                "number": {"type": "integer"},
                "value": {"type": "number"},
                "params": {"type": "object"},
            },
        },
        "versions": {"type": "object", "additionalProperties": {"type": "string"}},
        "status": {"enum": list(STUDY_STATES)},
        "started": {"type": "string"},
        "updated": {"type": "string"},
    },
}


def now_iso() -> str:
    """The current UTC time as ISO-8601 text (second precision)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def source_sha256(source: str) -> str:
    """The SHA-256 of the model source as UTF-8 (what ``--resume`` compares)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN/inf: map them to None (the trial's error says what happened)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


# ----------------------------------------------------------------------------- trials


@dataclass
class TrialRecord:
    """One trial as the results file holds it.

    ``params`` is the point in JSON form (:meth:`Param.to_json_value`);
    ``intermediate_values`` the objective after each epoch; ``metrics`` the
    per-epoch metric dicts; ``error`` one line, ``traceback`` the full text.
    """

    number: int
    state: str
    params: dict[str, Any]
    value: float | None = None
    intermediate_values: list[float] = field(default_factory=list)
    metrics: list[dict[str, float | None]] = field(default_factory=list)
    seed: int = 0
    duration: float | None = None
    error: str | None = None
    traceback: str | None = None
    started: str | None = None
    finished: str | None = None

    @property
    def is_finished(self) -> bool:
        """Complete, pruned or failed — and not cut short by an interruption."""
        return self.state != RUNNING and not (self.state == "failed" and self.error == INTERRUPTED)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "state": self.state,
            "params": self.params,
            "value": finite_or_none(self.value),
            "intermediate_values": [v for v in self.intermediate_values if math.isfinite(v)],
            "metrics": [{k: finite_or_none(v) for k, v in epoch.items()} for epoch in self.metrics],
            "seed": self.seed,
            "duration": None if self.duration is None else round(self.duration, 4),
            "error": self.error,
            "traceback": self.traceback,
            "started": self.started,
            "finished": self.finished,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrialRecord:
        return cls(
            number=int(data["number"]),
            state=str(data["state"]),
            params=dict(data["params"]),
            value=data.get("value"),
            intermediate_values=[float(v) for v in data.get("intermediate_values") or []],
            metrics=[dict(m) for m in data.get("metrics") or []],
            seed=int(data.get("seed") or 0),
            duration=data.get("duration"),
            error=data.get("error"),
            traceback=data.get("traceback"),
            started=data.get("started"),
            finished=data.get("finished"),
        )


def best_record(trials: list[TrialRecord], direction: str) -> TrialRecord | None:
    """The complete trial with the best value (lowest number on ties), or None."""
    complete = [t for t in trials if t.state == "complete" and t.value is not None and math.isfinite(t.value)]
    if not complete:
        return None
    sign = -1.0 if direction == "maximize" else 1.0
    return min(complete, key=lambda t: (sign * float(t.value), t.number))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the study


@dataclass
class StudyRecord:
    """The whole results document: a fixed header plus the trials, saved after each change.

    Saving is cheap enough to do after every trial: the header and every trial
    are serialized once and cached (a trial again only when it changes), and
    the atomic write (temp file, fsync, rename) happens on a background thread
    that always writes the latest version. :meth:`flush` waits for it; the
    runner flushes at the end and on Ctrl-C.
    """

    path: Path
    header: dict[str, Any]
    direction: str
    trials: dict[int, TrialRecord] = field(default_factory=dict)
    status: str = "running"
    started: str = field(default_factory=now_iso)
    _header_text: list[str] | None = field(default=None, init=False, repr=False)
    _trial_text: dict[int, str] = field(default_factory=dict, init=False, repr=False)
    _writer: BackgroundWriter | None = field(default=None, init=False, repr=False)

    def put(self, trial: TrialRecord) -> None:
        """Add or replace a trial (by number)."""
        self.trials[trial.number] = trial
        self._trial_text.pop(trial.number, None)

    def ordered_trials(self) -> list[TrialRecord]:
        return [self.trials[number] for number in sorted(self.trials)]

    def best(self) -> TrialRecord | None:
        return best_record(list(self.trials.values()), self.direction)

    def to_json(self) -> dict[str, Any]:
        """The document as data (what :meth:`render` writes)."""
        return json.loads(self.render())

    def render(self) -> str:
        """The document as JSON text: one line per top-level key and one line per trial."""
        if self._header_text is None:
            header = {"schema": SCHEMA_ID, **self.header}
            self._header_text = [f"{json.dumps(k)}: {_dump(v)}" for k, v in header.items()]
        trials = []
        for number in sorted(self.trials):
            text = self._trial_text.get(number)
            if text is None:
                text = self._trial_text[number] = _dump(self.trials[number].to_json())
            trials.append(text)
        best = self.best()
        tail = {
            "best_trial": None
            if best is None
            else {"number": best.number, "value": best.value, "params": best.params},
            "status": self.status,
            "started": self.started,
            "updated": now_iso(),
        }
        lines = [*self._header_text, '"trials": [\n' + ",\n".join(trials) + "\n]"]
        lines += [f"{json.dumps(k)}: {_dump(v)}" for k, v in tail.items()]
        return "{\n" + ",\n".join(lines) + "\n}\n"

    def save(self, *, wait: bool = False) -> None:
        """Write the document atomically (in the background unless ``wait``).

        A reader sees the old file or the new one, never a mix.
        """
        if self._writer is None:
            self._writer = BackgroundWriter(self.path)
        self._writer.submit(self.render())
        if wait:
            self._writer.flush()

    def flush(self) -> None:
        """Wait until the latest saved version is on disk; re-raise a write error."""
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        """Flush and stop the background writer (called once when the search ends)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _dump(value: Any) -> str:
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


class BackgroundWriter:
    """Writes the latest submitted text to ``path`` atomically on a daemon thread.

    Submissions that arrive while a write is in progress are coalesced: only
    the newest text is written next. The file on disk is always a complete
    earlier or current version.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._condition = threading.Condition()
        self._pending: str | None = None
        self._busy = False
        self._closed = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="neural-results-writer", daemon=True)
        self._thread.start()

    def submit(self, text: str) -> None:
        with self._condition:
            self._raise_error()
            self._pending = text
            self._condition.notify_all()

    def flush(self) -> None:
        with self._condition:
            while (self._pending is not None or self._busy) and self._error is None:
                self._condition.wait()
            self._raise_error()

    def close(self) -> None:
        self.flush()
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        self._thread.join()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise NeuralError(f"cannot write {self.path}: {error}") from error

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._closed:
                    self._condition.wait()
                if self._pending is None:
                    return
                text, self._pending, self._busy = self._pending, None, True
            try:
                write_text_atomic(self.path, text)
            except BaseException as error:  # reported to the next submit/flush
                with self._condition:
                    self._error = error
            with self._condition:
                self._busy = False
                self._condition.notify_all()


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, json.dumps(data, indent=1, allow_nan=False))


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a synced temp file in the same folder and ``os.replace``."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


# ----------------------------------------------------------------------------- reading


def load_results(path: Path) -> dict[str, Any]:
    """Read and validate a results file; NeuralError when it is unreadable or malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NeuralError(
            f"no results file at {path}; run the search without --resume to start one"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NeuralError(
            f"{path} is not a readable results file ({error}); pass --force to start a new search"
        ) from None
    problems = validate_results(data)
    if problems:
        raise NeuralError(
            f"{path} is not a valid results file ({problems[0]}); pass --force to start a new search"
        )
    return data


def validate_results(data: Any) -> list[str]:
    """Check ``data`` against :data:`RESULTS_SCHEMA`; return the problems found (empty: valid).

    A small walker over the subset of JSON Schema the schema uses (type,
    required, properties, items, enum, const, minimum, pattern), so core
    needs no ``jsonschema`` at run time.
    """
    problems: list[str] = []
    _check(data, RESULTS_SCHEMA, "$", problems)
    return problems


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    if name in ("number", "integer") and isinstance(value, bool):
        return False
    return isinstance(value, _JSON_TYPES[name])


def _check(value: Any, schema: dict[str, Any], where: str, problems: list[str]) -> None:
    import re

    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, name) for name in names):
            problems.append(f"{where} should be {' or '.join(names)}")
            return
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where} should be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where} should be one of {', '.join(map(str, schema['enum']))}")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        problems.append(f"{where} should be at least {schema['minimum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        problems.append(f"{where} is malformed")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(f"{where} lacks {key!r}")
        for key, subschema in schema.get("properties", {}).items():
            if key in value:
                _check(value[key], subschema, f"{where}.{key}", problems)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, item in value.items():
                if key not in schema.get("properties", {}):
                    _check(item, extra, f"{where}.{key}", problems)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{where}[{index}]", problems)
