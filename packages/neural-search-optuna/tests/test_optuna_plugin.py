"""The plugin module registers the searcher without importing Optuna."""

from __future__ import annotations

import subprocess
import sys

from neural.search.base import Searcher


def test_the_hook_registers_the_optuna_searcher_for_random_bayesian_and_grid() -> None:
    from neural_search_optuna import plugin

    [searcher] = plugin.neural_register_searchers()
    assert issubclass(searcher, Searcher)
    assert searcher.name == "optuna"
    assert searcher.methods == {"random", "bayesian", "grid"}
    assert searcher.priority > 0  # preferred over core's random and grid searchers


def test_loading_the_plugin_module_does_not_import_optuna() -> None:
    code = "import sys, neural_search_optuna.plugin; print('optuna' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
