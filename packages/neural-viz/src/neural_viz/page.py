"""The self-contained HTML page: plotly.js inlined once, the data as escaped JSON, user text escaped.

Called by the html visualizer after the report's data and figures are made.
Nothing on the page is fetched: plotly.js is pasted in from the installed
``plotly`` package, there is no ``<script src>``, no stylesheet link and no web
font. User text (names, labels, failure reasons, paths) reaches the page in
only two ways: escaped with :func:`html.escape` in the server-rendered parts,
or inside the JSON data block with ``<``, ``>`` and ``&`` written as ``\\u``
escapes, which the script puts into the page with ``textContent``.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from typing import Any

from neural_viz.page_assets import SCRIPT, STYLE

#: How often a report of a running search reloads itself in the browser.
LIVE_REFRESH_SECONDS = 10


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle of the installed plotly package (imported here, only when a page is made)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def script_json(payload: Any) -> str:
    """``payload`` as JSON that is safe inside a ``<script>`` element (no ``</script>`` can appear)."""
    text = json.dumps(payload, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def escape(value: Any) -> str:
    """Text for the page's HTML."""
    return html.escape(str(value), quote=True)


def page(
    *,
    title: str,
    subtitle: str,
    body: str,
    figures: list[dict[str, Any]],
    table: dict[str, Any] | None = None,
    refresh_seconds: int | None = None,
) -> str:
    """A whole HTML document: header, ``body`` (already-escaped HTML), the data block and the scripts.

    ``figures`` are ``{"id", "data", "layout"}`` dicts, each drawn into the
    element of that id; ``table`` the trials table's data (or None).
    """
    refresh = f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">' if refresh_seconds else ""
    payload = {"figures": figures, "table": table}
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            refresh,
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n",
            f'<script type="text/javascript">{plotly_js()}</script>\n',
            "</head>\n<body>\n",
            f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>\n<main>\n",
            body,
            "\n</main>\n",
            f'<script type="application/json" id="neural-report-data">{script_json(payload)}</script>\n',
            f"<script>{SCRIPT}</script>\n</body>\n</html>\n",
        ]
    )


def key_value_table(rows: list[tuple[str, str]]) -> str:
    """A two-column table of (label, text) rows, both escaped."""
    cells = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in rows)
    return f'<table class="kv">{cells}</table>'


def figure_section(key: str, heading: str, reading: str) -> str:
    """A section holding one figure's element (``fig-KEY``) under its heading and reading hint."""
    return (
        f'<section id="section-{escape(key)}"><h2>{escape(heading)}</h2><p class="read">{escape(reading)}</p>'
        f'<div class="figure" id="fig-{escape(key)}"></div></section>\n'
    )


def architecture_html(architecture: dict[str, Any]) -> str:
    """The layers as a column of boxes (kind, name, output shape, parameters, HPO parameters), then the space."""
    if architecture.get("note"):
        return f'<p class="note">{escape(architecture["note"])}</p>'
    parts = [
        f"<p>network <b>{escape(architecture['network'])}</b> from {escape(architecture['file'])}, "
        f"at {escape(architecture['point'])}: {architecture['total_params']:,} parameters</p>",
        '<div class="arch">',
    ]
    for layer in architecture["layers"]:
        hp = ""
        if layer["hpo"]:
            hp = '<div class="hp">HPO: ' + escape(", ".join(layer["hpo"])) + "</div>"
        parts.append(
            f'<div class="layer{" hpo" if layer["hpo"] else ""}"><span class="kind">{escape(layer["kind"])}</span> '
            f'{escape(layer["name"])}<span class="shape">{escape(layer["shape"])} · {layer["params"]:,} params</span>'
            f"{hp}</div>"
        )
    parts.append("</div>")
    if architecture["hpo"]:
        rows = "".join(
            f"<tr><td>{escape(p['name'])}</td><td>{escape(p['where'])}</td><td>{escape(p['kind'])}</td>"
            f"<td>{escape(p['space'])}</td><td>{escape(p['value_text'])}</td>"
            f'<td class="num">{escape(p["line"] or "")}</td></tr>'
            for p in architecture["hpo"]
        )
        parts.append(
            '<h3>Hyperparameters</h3><table class="grid"><thead><tr><th>parameter</th><th>where</th>'
            "<th>kind</th><th>space</th><th>value here</th><th>line</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(parts)
