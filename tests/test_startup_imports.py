"""``neural --help``, ``--version`` and ``check`` stay light: no heavy framework is imported.

Each command runs in a fresh interpreter that then lists which heavy modules
ended up in ``sys.modules``. The wall time is printed (run with ``-s``), not
asserted: speed targets live in ``bench/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "tensorflow", "keras", "optuna", "hyperopt", "plotly", "sklearn", "ray")

PROBE = f"""
import sys, time
started = time.perf_counter()
from neural.cli.main import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit as exit:
    code = exit.code
else:
    code = 0
elapsed = time.perf_counter() - started
heavy = sorted(name for name in {HEAVY!r} if name in sys.modules)
print(f"@@exit={{code}} heavy={{','.join(heavy)}} seconds={{elapsed:.3f}}")
"""


def run_probe(*args: str) -> tuple[str, str, float]:
    """Run ``neural ARGS`` in a new interpreter; return (exit code, heavy modules, seconds)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    fields = dict(part.split("=", 1) for part in last.removeprefix("@@").split())
    return fields["exit"], fields["heavy"], float(fields["seconds"])


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("check", "examples/basic_hpo.neural"),
        ("check", "examples/advanced_hpo.neural"),
    ],
    ids=["help", "version", "check-basic", "check-advanced"],
)
def test_light_commands_import_no_heavy_library(args: tuple[str, ...]) -> None:
    code, heavy, seconds = run_probe(*args)
    print(f"neural {' '.join(args)}: {seconds:.3f} s in process")
    assert code in ("0", "None")
    assert heavy == "", f"neural {' '.join(args)} imported {heavy}"


def test_help_wall_time_is_printed() -> None:
    """The whole ``neural --help`` process, interpreter start-up included (for the log)."""
    import time

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "neural.cli.main", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    print(f"neural --help: {elapsed:.3f} s wall")
    assert done.returncode == 0 and "Commands:" in done.stdout
