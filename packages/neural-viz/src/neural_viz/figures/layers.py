"""Parameters per layer: a bar per layer of the architecture (the model report's figure)."""

from __future__ import annotations

from typing import Any

from neural_viz.figures.common import layout, text

TITLE = "Parameters per layer — where the model's weights are; orange bars have a hyperparameter"


def layers_figure(architecture: dict[str, Any]) -> dict[str, Any]:
    """Horizontal bars of each layer's parameter count, layers top to bottom as in the file."""
    layers = [layer for layer in architecture["layers"] if layer["kind"] != "Input"]
    names = [text(f"{layer['index']}. {layer['name']} ({layer['kind']})") for layer in layers]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [layer["params"] for layer in layers],
                "y": names,
                "text": [text(layer["shape"]) for layer in layers],
                "marker": {"color": ["#ff7f0e" if layer["hpo"] else "#1f77b4" for layer in layers]},
                "hovertemplate": "%{y}<br>output %{text}<br>%{x:,} parameters<extra></extra>",
            }
        ],
        "layout": layout(
            TITLE,
            height=max(260, 120 + 24 * len(layers)),
            margin={"l": 240, "r": 30, "t": 60, "b": 60},
            xaxis={"title": {"text": "parameters"}, "gridcolor": "#eee"},
            yaxis={"autorange": "reversed", "automargin": True},
        ),
    }
