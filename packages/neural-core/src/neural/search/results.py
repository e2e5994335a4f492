"""``hpo_results.json``: the record of a search (DESIGN.md §6).

The trial runner keeps one :class:`StudyRecord` in memory and calls
:meth:`StudyRecord.save` after every trial starts and ends; the file is
replaced atomically (a temp file in the same folder, fsync, ``os.replace``:
``neural.search.atomic_write``), so whatever moment the process dies at, the
file on disk is a complete, valid document. ``--resume`` reads it back with
:func:`load_results` (``json`` only — nothing a user hands us is ever
unpickled).

The layout of the document and its JSON Schema are in
``neural.search.results_schema``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neural.errors import NeuralError
from neural.search.atomic_write import BackgroundWriter
from neural.search.results_schema import RUNNING, SCHEMA_ID, validate_results

RESULTS_FILENAME = "hpo_results.json"

#: The error text of trials that were running when the search was interrupted.
INTERRUPTED = "interrupted"


def now_iso() -> str:
    """The current UTC time as ISO-8601 text to the millisecond (``2026-01-02T03:04:05.678+00:00``).

    Sub-second, so two trials' ``started``/``finished`` tell whether they overlapped;
    ``datetime.fromisoformat`` reads it, and the second-precision text of older files.
    """
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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
    per-epoch metric dicts; ``error`` one line, ``traceback`` the full text;
    ``gpus`` the GPU ids its process was given (``CUDA_VISIBLE_DEVICES``) and
    ``device`` where the backend trained (``"cpu"``, ``"cuda:0"``; None when
    unknown, as in files written before they were recorded).
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
    gpus: list[str] = field(default_factory=list)
    device: str | None = None

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
            "gpus": list(self.gpus),
            "device": self.device,
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
            gpus=[str(gpu) for gpu in data.get("gpus") or []],
            device=data.get("device"),
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


#: A lone UTF-16 surrogate: a custom label written "\ud800", a file name that is not UTF-8 (surrogateescape).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _dump(value: Any) -> str:
    """``value`` as JSON text, readable (non-ASCII kept) and always encodable as UTF-8.

    A lone surrogate cannot be written as UTF-8, so it is written as its JSON
    escape (``\\ud800``), which ``json.loads`` reads back as the same string.
    """
    text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# ----------------------------------------------------------------------------- reading


def _refuse_constant(name: str) -> float:
    """``json.loads`` calls this for ``NaN``/``Infinity``: the runner never writes them (allow_nan=False)."""
    raise ValueError(f"{name} is not a JSON number")


def load_results(path: Path) -> dict[str, Any]:
    """Read and validate a results file; NeuralError when it is unreadable or malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise NeuralError(
            f"{path} is not a readable results file (nested too deeply); pass --force to start a new search"
        ) from None
    except FileNotFoundError:
        raise NeuralError(
            f"no results file at {path}; run the search without --resume to start one"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise NeuralError(
            f"{path} is not a readable results file ({error}); pass --force to start a new search"
        ) from None
    problems = validate_results(data)
    if problems:
        raise NeuralError(
            f"{path} is not a valid results file ({problems[0]}); pass --force to start a new search"
        )
    return data
