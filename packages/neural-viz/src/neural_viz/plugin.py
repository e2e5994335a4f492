"""Hook implementations of the ``neural-viz`` plugin (entry point ``neural``).

This package provides no features yet, so this module registers nothing.
When the HTML visualizers land, the hook goes here, importing the heavy
library only inside the hook function::

    from neural.plugins import hookimpl

    @hookimpl
    def neural_register_visualizers():
        from neural_viz.html import HtmlVisualizer
        return [HtmlVisualizer]
"""

from __future__ import annotations
