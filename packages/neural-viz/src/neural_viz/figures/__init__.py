"""One module per figure of the report, each in two steps (as Optuna's ``visualization`` does).

``<figure>_info(study)`` extracts plain, JSON-ready data from a
:class:`~neural_viz.study.Study` — testable without plotly, and what
``--format json`` writes — and ``<figure>_figure(info)`` turns that into a
plotly figure (a ``{"data": [...], "layout": {...}}`` dict that plotly.js draws).
Every piece of user text put into a figure is HTML-escaped first
(:func:`neural_viz.figures.common.text`), because plotly.js reads a subset of
HTML in labels and hover text.
"""
