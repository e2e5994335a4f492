"""Where the CLI writes: results to stdout, errors and warnings to stderr.

Commands print through :func:`stdout` and :func:`stderr`; both are built per
call so they follow ``sys.stdout``/``sys.stderr`` when those are swapped
(click's test runner). User errors end in :func:`exit_with_error`: the message
without a traceback (``--debug`` adds it), then exit status 1.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
import traceback
from typing import NoReturn, TextIO

from rich.console import Console
from rich.text import Text

from neural.errors import DiagnosticsError, NeuralError

#: Width used when the output is not a terminal (a pipe, a file, a test), so tables do not wrap at 80.
PIPE_WIDTH = 120


def _console(stream: TextIO) -> Console:
    is_terminal = hasattr(stream, "isatty") and stream.isatty()
    width = None if is_terminal or "COLUMNS" in os.environ else PIPE_WIDTH
    # soft_wrap: long lines (diagnostics, paths) are never broken; tables still fit the width.
    return Console(file=stream, width=width, highlight=False, soft_wrap=True)


ESCAPE_ERRORS = "neural-escape"


def _escape_unencodable(error: UnicodeError) -> tuple[str | bytes, int]:
    """Encode what the stream cannot: a file name's undecodable bytes as they were, anything else escaped.

    So a lone surrogate in a custom label (``"\\ud800"``) prints as ``\\ud800``
    and a non-UTF-8 file name prints as its own bytes, instead of failing the command.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    try:
        return codecs.lookup_error("surrogateescape")(error)
    except UnicodeEncodeError:
        return codecs.lookup_error("backslashreplace")(error)


codecs.register_error(ESCAPE_ERRORS, _escape_unencodable)


def tolerate_unencodable_output() -> None:
    """Make stdout and stderr print any string (called once by the ``neural`` entry point)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors in ("strict", "surrogateescape"):
            stream.reconfigure(errors=ESCAPE_ERRORS)


def stdout() -> Console:
    """The console for results (tables, what was written)."""
    return _console(sys.stdout)


def stderr() -> Console:
    """The console for errors, warnings and progress notes."""
    return _console(sys.stderr)


def styled_report(text: str) -> Text:
    """Rendered diagnostics with colour: headers by severity, hints dimmed.

    The text is never read as rich markup: a message may hold ``[1, 2]``.
    """
    styled = Text()
    for line in text.splitlines(keepends=True):
        if ": error:" in line or line.startswith("error:"):
            styled.append(line, style="bold red")
        elif ": warning:" in line or line.startswith("warning:"):
            styled.append(line, style="bold yellow")
        elif line.lstrip().startswith("hint:"):
            styled.append(line, style="cyan")
        else:
            styled.append(line)
    return styled


def print_error(error: BaseException, *, debug: bool = False) -> None:
    """Print a user error on stderr: every diagnostic of a :class:`DiagnosticsError`,
    else ``error: MESSAGE``. With ``debug`` the traceback (and its causes) comes first."""
    console = stderr()
    if debug:
        console.print(Text("".join(traceback.format_exception(error)), style="dim"))
    text = str(error) if isinstance(error, DiagnosticsError) else f"error: {error}"
    console.print(styled_report(text))


def warn(message: str) -> None:
    """Print ``warning: MESSAGE`` on stderr."""
    stderr().print(styled_report(f"warning: {message}"))


def exit_with_error(error: NeuralError, *, debug: bool = False) -> NoReturn:
    """Print ``error`` (see :func:`print_error`) and exit with status 1."""
    print_error(error, debug=debug)
    sys.exit(1)
