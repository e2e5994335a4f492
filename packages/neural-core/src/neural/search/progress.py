"""What the user watches during a search: a live display, one line per trial, a final table.

The trial runner calls :class:`SearchProgress` as trials start, report epochs
and end. On a terminal a rich ``Live`` panel shows trials done / total, the
running trials with their current epoch, the best value so far and its
parameters, failures, elapsed and estimated remaining time. Every finished
trial also prints one line (above the live panel, or alone when stdout is not
a terminal, so logs show progress). :func:`results_table` is the final table
of the best trials.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from neural.search.results import TrialRecord

_STATE_STYLES = {"complete": "green", "pruned": "yellow", "failed": "red", "running": "cyan"}


def format_value(value: Any) -> str:
    """A compact rendering of a parameter or metric value (4 significant digits for floats)."""
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1e5:
            return f"{value:.4g}"
        return f"{value:.3e}"
    if isinstance(value, list):
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    return str(value)


def format_params(params: dict[str, Any]) -> str:
    """``name=value`` pairs of a point, space-separated."""
    return "  ".join(f"{name}={format_value(value)}" for name, value in params.items())


def format_duration(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a number of seconds."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class _Running:
    number: int
    params: dict[str, Any]
    started: float
    epoch: int = 0
    value: float | None = None


class SearchProgress:
    """Live progress of one search; use as a context manager around the trial loop."""

    def __init__(
        self,
        console: Console,
        *,
        total: int,
        objective: str,
        direction: str,
        epochs: int,
        parallel: int = 1,
        live: bool | None = None,
    ) -> None:
        self.console = console
        self.total = total
        self.objective = objective
        self.direction = direction
        self.epochs = epochs
        self.parallel = max(1, parallel)
        self.started = time.monotonic()
        self.done = 0
        self.failed = 0
        self.pruned = 0
        self.best: TrialRecord | None = None
        self._durations: list[float] = []
        self._running: dict[int, _Running] = {}
        use_live = console.is_terminal if live is None else live
        self._live = Live(self, console=console, refresh_per_second=4, transient=True) if use_live else None

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> SearchProgress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()

    # ------------------------------------------------------------------ events from the runner

    def restored(self, trials: list[TrialRecord], best: TrialRecord | None) -> None:
        """Count trials finished in an earlier run (``--resume``)."""
        for trial in trials:
            self._count(trial)
        self.best = best
        if trials:
            self.console.print(f"resuming: {len(trials)} trial(s) already finished")

    def trial_started(self, number: int, params: dict[str, Any]) -> None:
        self._running[number] = _Running(number, params, time.monotonic())

    def epoch(self, number: int, epoch: int, value: float) -> None:
        running = self._running.get(number)
        if running is not None:
            running.epoch, running.value = epoch + 1, value

    def trial_finished(self, trial: TrialRecord, best: TrialRecord | None) -> None:
        """Print the trial's line and update the counters."""
        self._running.pop(trial.number, None)
        self._count(trial)
        if trial.duration is not None:
            self._durations.append(trial.duration)
        is_new_best = best is not None and best.number == trial.number
        self.best = best
        self.console.print(self._trial_line(trial, is_new_best), highlight=False)

    def _count(self, trial: TrialRecord) -> None:
        self.done += 1
        if trial.state == "failed":
            self.failed += 1
        elif trial.state == "pruned":
            self.pruned += 1

    def _trial_line(self, trial: TrialRecord, is_new_best: bool) -> Text:
        line = Text(f"trial {trial.number:>3} ")
        line.append(f"{trial.state:<8}", style=_STATE_STYLES.get(trial.state, ""))
        if trial.value is not None:
            line.append(f" {self.objective}={format_value(trial.value)}")
        if is_new_best:
            line.append(" (best so far)", style="bold green")
        if trial.duration is not None:
            line.append(f"  {trial.duration:.1f}s")
        if trial.error:
            line.append(f"  {trial.error}", style="red")
        line.append(f"  {format_params(trial.params)}", style="dim")
        return line

    # ------------------------------------------------------------------ the live panel

    def remaining_seconds(self) -> float | None:
        """Estimated time left: mean trial duration × trials left ÷ parallel workers."""
        if not self._durations:
            return None
        left = max(0, self.total - self.done)
        return sum(self._durations) / len(self._durations) * math.ceil(left / self.parallel)

    def __rich__(self) -> RenderableType:
        elapsed = time.monotonic() - self.started
        remaining = self.remaining_seconds()
        header = Text()
        header.append(f"trials {self.done}/{self.total}", style="bold")
        header.append(f"  running {len(self._running)}")
        header.append(f"  failed {self.failed}", style="red" if self.failed else "")
        if self.pruned:
            header.append(f"  pruned {self.pruned}", style="yellow")
        header.append(f"  elapsed {format_duration(elapsed)}")
        header.append(
            f"  remaining ~{format_duration(remaining)}" if remaining is not None else "  remaining ?"
        )
        parts: list[RenderableType] = [header]
        if self.best is not None and self.best.value is not None:
            best = Text(f"best {self.objective}={format_value(self.best.value)} (trial {self.best.number})  ")
            best.append(format_params(self.best.params), style="dim")
            parts.append(best)
        if self._running and all(running.epoch == 0 for running in self._running.values()):
            parts.append(Text("waiting for the first epoch (a new worker imports its framework first)", style="dim"))
        if self._running:
            table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
            table.add_column("trial", justify="right")
            table.add_column("epoch")
            table.add_column(self.objective)
            table.add_column("params", overflow="ellipsis", no_wrap=True)
            for running in sorted(self._running.values(), key=lambda r: r.number):
                table.add_row(
                    str(running.number),
                    f"{running.epoch}/{self.epochs}",
                    "" if running.value is None else format_value(running.value),
                    format_params(running.params),
                )
            parts.append(table)
        return Group(*parts)


def results_table(trials: list[TrialRecord], *, objective: str, direction: str, top: int = 5) -> Table:
    """The final table: the ``top`` complete trials, best first, with their parameters."""
    complete = [t for t in trials if t.state == "complete" and t.value is not None]
    sign = -1.0 if direction == "maximize" else 1.0
    ranked = sorted(complete, key=lambda t: (sign * float(t.value or 0.0), t.number))[:top]
    counts = {
        "complete": sum(1 for t in trials if t.state == "complete"),
        "pruned": sum(1 for t in trials if t.state == "pruned"),
        "failed": sum(1 for t in trials if t.state == "failed" and t.is_finished),
        "interrupted": sum(1 for t in trials if not t.is_finished),
    }
    caption = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    table = Table(title=f"best trials ({direction} {objective})", caption=caption or None)
    table.add_column("trial", justify="right")
    table.add_column(objective, justify="right")
    table.add_column("parameters")
    table.add_column("time", justify="right")
    for trial in ranked:
        table.add_row(
            str(trial.number),
            format_value(trial.value),
            "\n".join(f"{name}={format_value(value)}" for name, value in trial.params.items()),
            "" if trial.duration is None else f"{trial.duration:.1f}s",
        )
    return table
