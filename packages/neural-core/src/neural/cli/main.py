"""The ``neural`` command: a click group whose subcommands come from plugins.

Core's commands (``check``, ``compile``, ``run``, ``visualize``, ``plugins``)
are registered by core's internal plugin like any plugin's, as *lazy*
commands: a ``module:attribute`` path imported only when the command is run or
listed. So ``neural --version`` loads no plugin at all, and ``neural --help``
and ``neural check`` import none of torch, tensorflow, optuna, hyperopt,
plotly or scikit-learn.

Exit status: 0 success, 1 a user or run error (:class:`NeuralError`, printed
without a traceback unless ``--debug``), 2 bad command-line usage (click).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

import neural
from neural.errors import NeuralError

DEBUG_ENV = "NEURAL_DEBUG"


def load_command(import_path: str) -> click.Command:
    """Import ``"package.module:attribute"`` and return the click command it names.

    Raises :class:`NeuralError` when the module cannot be imported or the
    attribute is not a click command.
    """
    module_name, _, attribute = import_path.partition(":")
    try:
        module = importlib.import_module(module_name)
        command = getattr(module, attribute)
    except Exception as exc:  # a broken command module must not break the other commands
        raise NeuralError(f"cannot load {import_path}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(command, click.Command):
        raise NeuralError(f"{import_path} is not a click command")
    return command


class _UnavailableCommand(click.Command):
    """Stands in for a command that cannot run: a lazy command whose module does not import,
    or a name two plugins add (running it raises the error)."""

    def __init__(self, name: str, error: NeuralError) -> None:
        super().__init__(
            name,
            help=f"(unavailable: {error})",
            short_help=f"(unavailable: {error})",
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},  # say why, whatever follows
        )
        self.error = error

    def invoke(self, ctx: click.Context) -> Any:
        raise NeuralError(f'the "{self.name}" command is unavailable: {self.error}') from self.error


class LazyGroup(click.Group):
    """A click group that imports a command's module only when the command is needed.

    ``lazy_commands`` maps a name to ``module:attribute``. Plugins add their
    commands (lazy or not) on first lookup, through the plugin manager.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}
        self._loaded: dict[str, click.Command] = {}
        self._plugins_host: object | None = None
        self._plugin_commands: set[str] = set()

    def add_lazy_command(self, name: str, import_path: str) -> None:
        """Register ``name`` to be imported from ``import_path`` when first used."""
        self.commands.pop(name, None)
        self._loaded.pop(name, None)
        self.lazy_commands[name] = import_path

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(cmd, name)
        self.lazy_commands.pop(name or cmd.name or "", None)

    def _add_plugin_commands(self) -> None:
        """Register the plugins' commands, again if the plugins were reloaded (``manager.reset``)."""
        from neural.plugins import manager

        current = manager.host()
        if self._plugins_host is current:
            return
        for name in self._plugin_commands:
            self.commands.pop(name, None)
            self.lazy_commands.pop(name, None)
            self._loaded.pop(name, None)
        before = {*self.commands, *self.lazy_commands}
        current.register_commands(self)
        self._plugin_commands = {*self.commands, *self.lazy_commands} - before
        self._plugins_host = current

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._add_plugin_commands()
        if cmd_name in self.lazy_commands:
            if cmd_name not in self._loaded:
                try:
                    self._loaded[cmd_name] = load_command(self.lazy_commands[cmd_name])
                except NeuralError as error:
                    self._loaded[cmd_name] = _UnavailableCommand(cmd_name, error)
            return accept_debug_flag(self._loaded[cmd_name])
        command = super().get_command(ctx, cmd_name)
        return None if command is None else accept_debug_flag(command)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Find the command ``args[0]`` names; an unknown one is a usage error with "did you mean"."""
        name = click.utils.make_str(args[0])
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            from neural.errors import did_you_mean

            suggestion = did_you_mean(name, self.list_commands(ctx))
            known = ", ".join(self.list_commands(ctx))
            ctx.fail(f"no such command '{name}'; " + (suggestion or f"the commands are {known}"))
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the CLI; a :class:`NeuralError` anywhere (also while listing
        commands for ``--help``) is printed without a traceback and exits 1.

        So is an ``OSError`` that no command turned into a NeuralError (a disk
        full, a file made unreadable mid-run): it is about the user's machine,
        not a bug, so the message names the path and the reason.
        """
        from neural.cli import output

        try:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        except NeuralError as error:
            output.exit_with_error(error, debug=debug_requested(args))
        except OSError as error:
            output.exit_with_error(os_error_as_user_error(error), debug=debug_requested(args))


def accept_debug_flag(command: click.Command) -> click.Command:
    """Let ``command`` take ``--debug`` after its name too (``neural run FILE --debug``).

    The flag is hidden and read by :func:`debug_requested` from the arguments;
    a command that declares its own ``--debug`` keeps it.
    """
    if not any("--debug" in getattr(param, "opts", ()) for param in command.params):
        command.params.append(click.Option(["--debug"], is_flag=True, expose_value=False, hidden=True))
    return command


def os_error_as_user_error(error: OSError) -> NeuralError:
    """``error`` as a one-line :class:`NeuralError` naming the path and the reason (cause kept for ``--debug``)."""
    reason = error.strerror or str(error) or type(error).__name__
    what = f"cannot access {error.filename}" if error.filename else "a file operation failed"
    user_error = NeuralError(f"{what}: {reason.lower()}; check the path, its permissions and free space")
    user_error.__cause__ = error
    return user_error


def add_lazy_command(cli: click.Group, name: str, import_path: str) -> None:
    """Add a command by import path: lazily on a :class:`LazyGroup`, else imported now.

    Called by core's internal plugin from ``neural_register_commands``.
    """
    if isinstance(cli, LazyGroup):
        cli.add_lazy_command(name, import_path)
    else:
        cli.add_command(load_command(import_path), name)


def debug_requested(args: Sequence[str] | None = None) -> bool:
    """Whether ``--debug`` was given (before a ``--``) or ``NEURAL_DEBUG`` is set."""
    argv = list(sys.argv[1:] if args is None else args)
    if "--" in argv:
        argv = argv[: argv.index("--")]
    return "--debug" in argv or os.environ.get(DEBUG_ENV, "").lower() in ("1", "true", "yes")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(neural.__version__, "--version", prog_name="neural", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Neural DSL: check, compile and train networks declared in .neural files,
    and search their hyperparameters."""
    ctx.meta["neural.debug"] = debug


def main(args: Sequence[str] | None = None, *, standalone_mode: bool = True) -> Any:
    """The ``neural`` console script."""
    from neural.cli.output import tolerate_unencodable_output

    tolerate_unencodable_output()
    return cli.main(args=args, prog_name="neural", standalone_mode=standalone_mode)


if __name__ == "__main__":
    # ``python -m neural.cli.main`` runs this file as ``__main__``; run the imported
    # ``neural.cli.main`` instead, so plugins see the same LazyGroup class.
    from neural.cli.main import main as canonical_main

    canonical_main()
