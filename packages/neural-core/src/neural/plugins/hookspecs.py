# Specifications have a docstring and no body, as pluggy expects.
# mypy: disable-error-code="empty-body"
"""The hooks a Neural plugin can implement.

Every hook is called by :mod:`neural.plugins.host`, never directly. The
``neural_register_*`` hooks are collectors: each plugin returns a list of
classes, the manager concatenates the lists of every installed plugin and
indexes them by the class's ``name``. Two classes with the same name (or a
name clashing with another's alias) are an error naming both plugins, so a
plugin can never silently shadow another.

Each hook is called at most once per process, the first time a command needs
what it provides: ``neural check`` never calls ``neural_register_backends``.
Implementations must import heavy libraries (torch, tensorflow, optuna, ...)
inside the hook function, or in the module that defines the returned class,
never at the top of the ``plugin`` module.

A hook that raises is reported like a plugin that fails to import (once, on
stderr, with how to disable the plugin); what other plugins provide stays
available.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neural.plugins import hookspec

if TYPE_CHECKING:
    import click

    from neural.backends.base import Backend
    from neural.datasets.base import Dataset
    from neural.search.base import Searcher
    from neural.search.executor import ExecutorPlugin


@hookspec
def neural_register_backends() -> list[type[Backend]]:
    """Return the :class:`~neural.backends.base.Backend` subclasses this plugin provides.

    Called the first time a command needs a backend (``neural compile``,
    ``neural run``, ``neural plugins``). Each class's ``name`` and ``aliases``
    are what ``--backend`` accepts; they must be unique among all installed
    plugins.

    :return: a list of backend classes (not instances); an empty list when
        the plugin provides none.

    Results of all plugins are concatenated.
    """


@hookspec
def neural_register_searchers() -> list[type[Searcher]]:
    """Return the :class:`~neural.search.base.Searcher` subclasses this plugin provides.

    Called the first time a search needs a searcher, or by ``neural plugins``.
    Each class carries a unique ``name`` (what ``--searcher NAME`` picks), the
    set of ``methods`` (``search_method`` values) it implements and a
    ``priority``: for a method, the installed searcher with the highest
    priority is used unless ``--searcher`` names one. Core's own ``random``
    and ``grid`` searchers have priority 0.

    :return: a list of searcher classes; an empty list when none.

    Results of all plugins are concatenated.
    """


@hookspec
def neural_register_visualizers() -> list[type]:
    """Return visualizer classes: each has a unique ``name`` (the ``--format`` it
    writes, e.g. ``"html"``) and a ``render`` method (see :mod:`neural.cli.visualize`).

    Called by ``neural visualize`` and ``neural plugins``.

    :return: a list of visualizer classes; an empty list when none.

    Results of all plugins are concatenated.
    """


@hookspec
def neural_register_datasets() -> list[type[Dataset]]:
    """Return the :class:`~neural.datasets.base.Dataset` subclasses this plugin provides.

    Called the first time data is loaded (``--data NAME`` or the train block's
    ``dataset``), or by ``neural plugins``. Each class's ``name`` must be
    unique among installed plugins.

    :return: a list of dataset classes; an empty list when none.

    Results of all plugins are concatenated.
    """


@hookspec
def neural_register_executors() -> list[type[ExecutorPlugin]]:
    """Return the :class:`~neural.search.executor.ExecutorPlugin` subclasses this plugin provides.

    Called when a search starts (``neural run/compile --hpo``; ``--executor
    NAME`` picks one, core's ``local`` by default), or by ``neural plugins``.
    Each class's ``name`` must be unique among installed plugins. The class is
    built in the search process with the command line's
    :class:`~neural.search.executor.ExecutorSettings`; the executor it starts
    only runs trials: the searcher, results file and progress stay with core.

    :return: a list of executor plugin classes; an empty list when none.

    Results of all plugins are concatenated.
    """


@hookspec
def neural_register_commands(cli: click.Group) -> None:
    """Add command-line commands to the ``neural`` group.

    Called once per process, when the ``neural`` command first resolves or
    lists its subcommands (including for ``neural --help``), so keep the
    plugin module light. Call ``cli.add_command(command)``; a command name
    that another plugin already added is an error naming both plugins.

    :param cli: the root ``neural`` click group.

    The return value is ignored.
    """
