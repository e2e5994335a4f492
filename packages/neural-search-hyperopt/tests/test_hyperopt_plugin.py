"""The plugin module registers the searcher without importing hyperopt; `neural plugins` lists it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from neural.search.base import Searcher

NEURAL = Path(sys.executable).with_name("neural")


def test_the_hook_registers_the_hyperopt_searcher_for_random_bayesian_and_anneal() -> None:
    from neural_search_hyperopt import plugin

    [searcher] = plugin.neural_register_searchers()
    assert issubclass(searcher, Searcher)
    assert searcher.name == "hyperopt"
    assert searcher.methods == {"random", "bayesian", "anneal"}
    assert 0 < searcher.priority < 10  # above core's searchers, below Optuna's


def test_loading_the_plugin_module_does_not_import_hyperopt() -> None:
    code = "import sys, neural_search_hyperopt.plugin; print('hyperopt' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_neural_plugins_lists_the_hyperopt_searcher_and_its_methods() -> None:
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run([str(NEURAL), "plugins"], capture_output=True, text=True, check=True, env=env)
    line = next(line for line in result.stdout.splitlines() if "neural-search-hyperopt" in line)
    assert "loaded" in line, result.stdout
    assert "hyperopt (anneal, bayesian, random)" in result.stdout, result.stdout
