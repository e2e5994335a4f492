"""Shared set-up for the search-engine tests (tiny models, a helper that runs a search)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from neural.backends.base import Backend
from neural.program import load_program
from neural.search.driver import HpoOptions, SearchOutcome, run_search

TINY = """\
# A tiny searchable MLP on synthetic data.
network TinySearch {
  input: (8,)
  layers:
    Dense(HPO(choice(4, 8, 16)), activation="relu")  # width
    Output(3, "softmax")
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-1)))
  loss: "sparse_categorical_crossentropy"
  train {
    epochs: 2
    batch_size: 32
    validation_split: 0.25
    dataset: "synthetic:96,3"
    n_trials: 4
  }
}
"""


@dataclass
class SearchRun:
    """What one search left behind."""

    outcome: SearchOutcome | None
    results: dict[str, Any]
    output: str
    out_dir: Path
    error: BaseException | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def trials(self) -> dict[int, dict[str, Any]]:
        return {t["number"]: t for t in self.results["trials"]}


def write_model(folder: Path, source: str = TINY, name: str = "tiny.neural") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source)
    return path


def search(
    model: Path, backend: Backend, out_dir: Path, *, expect_error: bool = False, **options: Any
) -> SearchRun:
    """Run ``run_search`` on ``model``; return the outcome, the results file and the console text.

    The built-in ``random`` searcher is used unless ``searcher=`` says otherwise.
    """
    options.setdefault("searcher", "random")
    console = Console(file=io.StringIO(), width=200, force_terminal=False)
    error: BaseException | None = None
    outcome = None
    try:
        outcome = run_search(
            load_program(model),
            backend=backend,
            options=HpoOptions(out_dir=out_dir, **options),
            console=console,
        )
    except Exception as problem:
        if not expect_error:
            raise
        error = problem
    results_path = out_dir / "hpo_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    return SearchRun(outcome, results, console.file.getvalue(), out_dir, error)  # type: ignore[attr-defined]


def trial_signature(run: SearchRun) -> list[tuple[int, str, dict[str, Any], float | None]]:
    """(number, state, params, value) of every trial: what must match between equivalent runs."""
    return [(t["number"], t["state"], t["params"], t["value"]) for t in run.results["trials"]]
