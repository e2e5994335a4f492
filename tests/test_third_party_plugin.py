"""A third-party plugin installed with pip is found, listed and usable; a broken one is contained.

The working plugin is the complete example of ``docs/plugins.md`` (every code
block there that starts with ``# file: PATH``), so the documentation is
tested as written. The broken plugin's ``plugin`` module raises ImportError.
Both are installed with ``pip install --target`` into a temporary folder that
the ``neural`` subprocesses get on ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "plugins.md"

BROKEN_PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.20"]
build-backend = "hatchling.build"

[project]
name = "neural-broken-demo"
version = "6.6.6"
requires-python = ">=3.11"

[project.entry-points.neural]
neural-broken-demo = "neural_broken_demo.plugin"

[tool.hatch.build.targets.wheel]
packages = ["src/neural_broken_demo"]
"""

BROKEN_PLUGIN = """\
raise ImportError("neural_broken_demo needs libfrobnicate 2.0, which is not installed")
"""


def documented_files(markdown: str) -> dict[str, str]:
    """The fenced code blocks whose first line is ``# file: PATH``, by path."""
    files = {}
    for block in re.findall(r"```[a-z]*\n(.*?)```", markdown, re.DOTALL):
        first = block.partition("\n")[0]
        if first.startswith("# file: "):
            files[first.removeprefix("# file: ").strip()] = block
    return files


def write_package(folder: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build and install both plugins into one ``--target`` folder."""
    base = tmp_path_factory.mktemp("third_party")
    documented = documented_files(DOCS.read_text())
    assert {"pyproject.toml", "src/neural_halton/plugin.py", "tests/test_halton.py"} <= set(documented)
    halton = write_package(base / "neural-halton", {**documented, "src/neural_halton/__init__.py": ""})
    broken = write_package(
        base / "neural-broken-demo",
        {
            "pyproject.toml": BROKEN_PYPROJECT,
            "src/neural_broken_demo/__init__.py": "",
            "src/neural_broken_demo/plugin.py": BROKEN_PLUGIN,
        },
    )
    site = base / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(halton),
            str(broken),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return {"site": site, "halton": halton}


def neural(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "160"}
    env.pop("NEURAL_DISABLE_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-m", "neural.cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_neural_plugins_lists_the_installed_plugin_and_what_it_provides(plugin_site: dict[str, Path]) -> None:
    done = neural(plugin_site["site"], "plugins")

    assert done.returncode == 0, done.stderr
    assert re.search(r"│ neural-halton\s+│ 0\.1\.0\s+│ loaded\s+│ searchers: halton \(random\)", done.stdout)
    assert "datasets: blobs" in done.stdout


def test_a_broken_plugin_is_reported_as_failed_and_neural_keeps_working(plugin_site: dict[str, Path]) -> None:
    plugins = neural(plugin_site["site"], "plugins")
    check = neural(plugin_site["site"], "check", "examples/basic_hpo.neural")

    assert plugins.returncode == 0, plugins.stderr
    assert re.search(r"│ neural-broken-demo\s+│ 6\.6\.6\s+│ failed", plugins.stdout)
    assert "libfrobnicate 2.0" in plugins.stdout
    assert plugins.stderr.count("plugin 'neural-broken-demo' 6.6.6 failed") == 1
    assert "NEURAL_DISABLE_PLUGINS=neural-broken-demo" in plugins.stderr
    assert check.returncode == 0, check.stderr
    assert "grid size 100" in check.stdout
    assert "plugin 'neural-broken-demo'" in check.stderr
    assert "Traceback" not in check.stderr


def test_disabling_the_broken_plugin_silences_it(plugin_site: dict[str, Path]) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(plugin_site["site"]),
        "COLUMNS": "160",
        "NEURAL_DISABLE_PLUGINS": "neural-broken-demo",
    }
    done = subprocess.run(
        [sys.executable, "-m", "neural.cli.main", "plugins"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0
    assert re.search(r"│ neural-broken-demo\s+│ 6\.6\.6\s+│ blocked", done.stdout)
    assert "neural-broken-demo" not in done.stderr


def test_the_plugins_searcher_and_dataset_are_usable_through_the_manager(
    plugin_site: dict[str, Path],
) -> None:
    probe = (
        "from pathlib import Path\n"
        "from neural.plugins import manager\n"
        "print(manager.searcher_for('random', 'halton').__name__)\n"
        "print(manager.searcher_for('random').name)\n"
        "bundle = manager.get_dataset('blobs:4').load('4', cache_dir=Path('.'), input_shape=(5,))\n"
        "print(bundle.x.shape, bundle.num_classes)\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(plugin_site["site"]),
        "NEURAL_DISABLE_PLUGINS": "neural-broken-demo",
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    halton, default_random, shape = done.stdout.split("\n")[:3]
    assert halton == "HaltonSearcher"
    assert default_random != "halton"  # priority -1: it never takes over search_method "random"
    assert shape == "(400, 5) 4"


def test_the_documented_plugin_passes_the_searcher_conformance_suite(plugin_site: dict[str, Path]) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(plugin_site["site"]),
        "NEURAL_DISABLE_PLUGINS": "neural-broken-demo",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_halton.py"],
        cwd=plugin_site["halton"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b\d+ passed", done.stdout)
