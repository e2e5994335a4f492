"""Hook implementations of the ``neural-viz`` plugin (entry point ``neural``).

Registers the ``html``, ``json`` and ``terminal`` visualizers. The classes'
module imports nothing heavy; plotly is imported only when a page is made.
"""

from __future__ import annotations

from neural.plugins import hookimpl


@hookimpl
def neural_register_visualizers() -> list[type]:
    from neural_viz.visualizers import HtmlVisualizer, JsonVisualizer, TerminalVisualizer

    return [HtmlVisualizer, JsonVisualizer, TerminalVisualizer]
