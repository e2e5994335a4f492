"""Shared by the tests of neural-search-optuna and by the study driver they start.

Spaces are built from DSL text by the real front end (``neural.program``), and
the test objectives come from ``bench/bench_sample_efficiency.py`` so the tests
and the benchmark measure the same thing.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from neural.testing.files import import_file

REPO = Path(__file__).resolve().parents[3]
ADVANCED_EXAMPLE = REPO / "examples" / "advanced_hpo.neural"


def load_bench(name: str) -> ModuleType:
    """Import ``bench/<name>.py`` (the bench folder is not a package)."""
    return import_file(REPO / "bench" / f"{name}.py")


def advanced_space() -> Any:
    """The search space of the seed's advanced example."""
    from neural.program import load_program

    return load_program(str(ADVANCED_EXAMPLE)).space


def space_of(source: str) -> Any:
    """The search space of a DSL source text."""
    from neural.program import compile_source

    return compile_source(source, "<test>").space
