"""``neural plugins``: every installed plugin, its version, status and what it provides."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from neural.cli import output
from neural.plugins.manager import KINDS

if TYPE_CHECKING:
    from neural.plugins.manager import PluginHost, PluginInfo

_STATUS_STYLE = {"loaded": "green", "failed": "bold red", "blocked": "yellow"}


@click.command("plugins")
def plugins_command() -> None:
    """List installed plugins and what each provides.

    Shows each plugin's version and status (loaded, failed, or blocked by
    NEURAL_DISABLE_PLUGINS=name,...) and the backends, searchers (with their
    search methods), datasets, visualizers and commands it provides; then
    which searcher each search method runs by default.
    """
    from neural.plugins import manager

    host = manager.host()
    report = host.plugin_report()
    console = output.stdout()
    console.print(plugins_table(host, report))
    console.print(default_searchers_line(host), highlight=False, soft_wrap=True)
    failed = [info.name for info in report if info.status == "failed"]
    if failed:
        console.print(
            f"{len(failed)} plugin(s) failed: {', '.join(failed)}; "
            f"to silence them set {manager.DISABLE_ENV}={','.join(failed)}"
        )


def default_searchers_line(host: PluginHost) -> str:
    """``search methods (default searcher): bayesian → optuna, grid → grid, random → random``.

    The default is what a train block's ``search_method`` runs without
    ``--searcher``: the highest ``priority`` among the searchers listing the
    method (ties: the alphabetically first name).
    """
    from neural.errors import NeuralError

    methods = sorted({method for cls in host.searchers().values() for method in cls.methods})
    pairs = []
    for method in methods:
        try:
            pairs.append(f"{method} → {host.searcher_for(method).name}")
        except NeuralError:
            pairs.append(f"{method} → (none usable)")
    return "search methods (default searcher; --searcher NAME picks another): " + (", ".join(pairs) or "none")


def plugins_table(host: PluginHost, report: list[PluginInfo]) -> Table:
    """The table ``neural plugins`` prints: plugin, version, status, provides."""
    table = Table(title="Plugins", title_justify="left")
    table.add_column("plugin")
    table.add_column("version")
    table.add_column("status")
    table.add_column("provides")
    for info in report:
        status = Text(info.status, style=_STATUS_STYLE.get(info.status, ""))
        table.add_row(info.name, info.version, status, describe_provides(host, info))
    return table


def describe_provides(host: PluginHost, info: PluginInfo) -> Text:
    """One line per kind (``searchers: optuna (bayesian, grid, random)``); the error of a failed plugin."""
    lines = []
    backends = host.backends()
    searchers = host.searchers()
    for kind in KINDS:
        names = info.provides.get(kind, [])
        if not names:
            continue
        shown = []
        for name in names:
            if (kind == "backends" and name not in backends) or (kind == "searchers" and name not in searchers):
                shown.append(f"{name} (unusable: provided twice)")
            elif kind == "backends" and backends[name].aliases:
                shown.append(f"{name} (alias {', '.join(backends[name].aliases)})")
            elif kind == "searchers":
                shown.append(f"{name} ({', '.join(sorted(searchers[name].methods))})")
            else:
                shown.append(name)
        lines.append(f"{kind}: {', '.join(shown)}")
    if not lines and info.status == "loaded":
        lines.append("nothing yet")
    text = Text("\n".join(lines))
    if info.status == "blocked":
        text.append("disabled by NEURAL_DISABLE_PLUGINS", style="yellow")
    if info.error:
        text.append(("\n" if lines else "") + info.error, style="red")
    return text
