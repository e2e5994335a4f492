"""Fixtures of the report tests: real searches run once per session, and one headless Chromium.

The browser is Debian's ``chromium`` (installed with apt-get here when it is
missing) driven by playwright through the DevTools protocol; playwright's own
browser downloads are never used. Every page is opened with the network
blocked: any request that is not a ``file:`` URL is aborted and counted.
Screenshots go to ``test-artifacts/viz/`` at the repository root (or
``$NEURAL_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import viz_models as models
from viz_browser import BROWSER_ARGS, CHROMIUM, ensure_chromium

#: The real searches the ``searches`` fixture runs, by case name: (source, searcher, trial budget or None).
PLANS: dict[str, tuple[str, str, int | None]] = {
    "random": (models.THREE_PARAMS, "random", None),
    "grid": (models.GRID, "grid", None),
    "optuna": (models.THREE_PARAMS, "optuna", None),
    "pruned": (models.PRUNED, "random", None),
    "some_fail": (models.SOME_FAIL, "random", None),
    "all_fail": (models.ALL_FAIL, "random", None),
    "one_trial": (models.THREE_PARAMS, "random", 1),
    "one_param": (models.ONE_PARAM, "random", None),
    "fifteen": (models.FIFTEEN_PARAMS, "random", None),
    "every_form": (models.EVERY_FORM, "random", None),
}
#: The case names, for ``pytest.mark.parametrize``.
CASES = list(PLANS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield instance
        instance.close()


# ----------------------------------------------------------------------------- real searches


def run_real_search(folder: Path, source: str, *, searcher: str, trials: int | None = None) -> Path:
    """Run a real search of ``source`` (PyTorch, synthetic data) into ``folder``; return its results file."""
    from rich.console import Console

    from neural.errors import NeuralError
    from neural.plugins.manager import get_backend
    from neural.program import load_program
    from neural.search.driver import HpoOptions, run_search

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.neural"
    path.write_text(source)
    console = Console(file=io.StringIO(), width=160)
    options = HpoOptions(out_dir=folder, searcher=searcher, trials=trials, force=True)
    # "no trial completed" raises, but the results file is still written, which is what is tested
    with contextlib.suppress(NeuralError):
        run_search(load_program(path), backend=get_backend("pytorch"), options=options, console=console)
    return folder / "hpo_results.json"


@pytest.fixture(scope="session")
def searches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Results files of real searches, by name (run once per session; a few seconds each).

    The ``optuna`` one only when neural-search-optuna is installed (:func:`search_of` skips without it).
    """
    import torch

    torch.set_num_threads(1)
    base = tmp_path_factory.mktemp("searches")
    cwd = Path.cwd()
    os.chdir(base)  # the results record the source path as given: relative, like a user's
    try:
        plans = dict(PLANS)
        from neural.plugins import manager

        if "optuna" not in manager.searchers():  # e.g. nox's neural-viz session: core and torch only
            del plans["optuna"]
        found = {}
        for name, (source, searcher, trials) in plans.items():
            found[name] = run_real_search(Path(name), source, searcher=searcher, trials=trials).resolve()
    finally:
        os.chdir(cwd)
    return found


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def search_of(searches: dict[str, Path], case: str) -> Path:
    """The results file of search ``case``; skips the test when its searcher is not installed."""
    if case not in searches:
        pytest.skip(f"the {case} searcher is not installed (pip install neural-search-optuna)")
    return searches[case]
