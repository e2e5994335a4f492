"""The HTML report of a ``.neural`` file: its architecture (``neural visualize FILE.neural --format html``)."""

from __future__ import annotations

from pathlib import Path

from neural_viz.figures.architecture import source_architecture
from neural_viz.figures.layers import layers_figure
from neural_viz.page import architecture_html, page


def model_page(path: Path) -> str:
    """The page for the model in ``path``: every layer with shape and parameters, the HPO parameters, a bar chart."""
    architecture = source_architecture(path)
    body = (
        '<section id="section-architecture"><h2>Architecture</h2><p class="read">Each layer with its output shape '
        "and parameter count; orange layers have a hyperparameter of their own.</p>"
        f"{architecture_html(architecture)}</section>\n"
        '<section id="section-layers"><h2>Parameters per layer</h2><p class="read">Where the weights are.</p>'
        '<div class="figure" id="fig-layers"></div></section>\n'
    )
    return page(
        title=f"Model: {architecture['network']}",
        subtitle=f"{path} · {architecture['total_params']:,} parameters · {len(architecture['hpo'])} hyperparameter(s)",
        body=body,
        figures=[{"id": "fig-layers", **layers_figure(architecture)}],
    )
