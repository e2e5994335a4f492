"""The CLI fuzz pass: many ``.neural`` files through ``neural check``/``neural compile`` in one process.

Run as ``python -m neural.testing.cli_fuzz COMMAND FILE... [-- EXTRA ARGS]`` by
the CLI fuzz test (a few subprocesses, each a fresh interpreter, instead of
one per file: a start-up per input would cost more than the checks). Each file
is run through the real ``neural`` entry point (:func:`neural.cli.main.main`,
standalone mode, so click's own exit handling applies) with stdout and stderr
captured; one JSON line per file says its exit code and whether a traceback
was printed or an exception escaped the CLI.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback
from collections.abc import Sequence
from typing import Any


def run_cli(args: Sequence[str]) -> dict[str, Any]:
    """Run ``neural ARGS`` in this process; its exit code, output and any escaped exception."""
    from neural.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    escaped = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as done:
            code = done.code
        except BaseException:  # a foreign exception that escaped the CLI: the bug the pass looks for
            escaped = traceback.format_exc()
            code = None
    if code is None and escaped is None:
        code = 0
    text = out.getvalue() + err.getvalue()
    return {
        "code": code if isinstance(code, int) or code is None else 1,
        "traceback": escaped or ("Traceback (most recent call last)" in text and text[-2000:]) or None,
        "first_line": (err.getvalue() or out.getvalue()).strip().split("\n", 1)[0][:300],
    }


def main(argv: Sequence[str]) -> None:
    """``COMMAND FILE... [-- EXTRA]``: one JSON line per file on the real stdout."""
    command, *rest = argv
    extra: list[str] = []
    if "--" in rest:
        split = rest.index("--")
        rest, extra = rest[:split], rest[split + 1 :]
    real_stdout = sys.stdout
    for file in rest:
        result = run_cli([command, file, *extra])
        real_stdout.write(json.dumps({"file": file, **result}) + "\n")
        real_stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
