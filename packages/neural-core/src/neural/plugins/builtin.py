"""Core's own features, registered through the same hooks as any plugin.

Loaded by :mod:`neural.plugins.manager` under the name ``neural-core`` (its
entry point in core's ``pyproject.toml``); it is always loaded and cannot be
disabled. Each hook imports what it registers, so a module that fails to
import only loses that hook's features.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neural.plugins import hookimpl

if TYPE_CHECKING:
    import click

    from neural.datasets.base import Dataset
    from neural.search.base import Searcher
    from neural.search.executor import ExecutorPlugin

#: Core's commands: name → ``module:attribute`` of the click command, imported on first use.
CORE_COMMANDS: dict[str, str] = {
    "check": "neural.cli.check:check_command",
    "compile": "neural.cli.compile:compile_command",
    "run": "neural.cli.run:run_command",
    "visualize": "neural.cli.visualize:visualize_command",
    "plugins": "neural.cli.plugins_cmd:plugins_command",
}


@hookimpl
def neural_register_searchers() -> list[type[Searcher]]:
    """Core's ``random`` and ``grid`` searchers (priority 0: any plugin's searcher for the same method wins)."""
    from neural.search.grid_search import GridSearcher
    from neural.search.random_search import RandomSearcher

    return [RandomSearcher, GridSearcher]


@hookimpl
def neural_register_datasets() -> list[type[Dataset]]:
    """Core's datasets (``mnist5k``, ``digits``, ``npz``, ``csv``, ``synthetic``, ...)."""
    from neural.datasets.builtin import BUILTIN_DATASETS

    return list(BUILTIN_DATASETS)


@hookimpl
def neural_register_executors() -> list[type[ExecutorPlugin]]:
    """Core's ``local`` executor: the search process or worker processes on this machine."""
    from neural.search.local_executor import LocalExecutors

    return [LocalExecutors]


@hookimpl
def neural_register_commands(cli: click.Group) -> None:
    """Core's commands, added lazily: ``neural --help`` imports none of their dependencies."""
    from neural.cli.main import add_lazy_command

    for name, import_path in CORE_COMMANDS.items():
        add_lazy_command(cli, name, import_path)
