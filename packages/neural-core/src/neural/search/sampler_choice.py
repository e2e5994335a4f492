"""Which sampler a search uses: ``search_method`` and ``sampler`` resolved the same way by every plugin.

A plugin searcher calls :func:`resolve_sampler` when it is built (the Optuna
plugin's samplers, the hyperopt plugin's suggest functions). ``bayesian``
takes one of the plugin's Bayesian samplers (``tpe`` by default); the other
methods take no sampler but their own name.
"""

from __future__ import annotations

from collections.abc import Sequence

from neural.errors import NeuralError, unknown_name_hint
from neural.search.base import SearchSettings


def resolve_sampler(
    settings: SearchSettings,
    *,
    searcher: str,
    methods: Sequence[str],
    bayesian_samplers: Sequence[str],
    hint_what: str = "samplers",
    unknown_suffix: str = "",
) -> str:
    """The sampler ``settings`` asks for: the method's own name, or a Bayesian sampler (``tpe`` by default).

    ``methods`` are the plugin's non-Bayesian methods (each its own sampler),
    ``bayesian_samplers`` the names ``search_method: "bayesian"`` accepts.
    ``hint_what`` names them in the hint for an unknown one and ``unknown_suffix``
    follows ``'bayesian'`` in that message. Raises :class:`NeuralError` for a
    method the searcher lacks, an unknown sampler, or a sampler given with a
    method other than ``bayesian``.
    """
    requested = settings.sampler.lower() if settings.sampler else None
    if settings.method == "bayesian":
        name = requested or "tpe"
        if name not in bayesian_samplers:
            hint = unknown_name_hint(name, bayesian_samplers, hint_what)
            raise NeuralError(
                f"unknown sampler '{settings.sampler}' for search_method 'bayesian'{unknown_suffix}; {hint} "
                f"(set it with `sampler:` in the train block or --sampler)"
            )
        return name
    if settings.method in methods:
        if requested not in (None, settings.method):
            raise NeuralError(
                f"sampler '{settings.sampler}' only applies to search_method 'bayesian', not "
                f"'{settings.method}'; remove the sampler or set search_method: \"bayesian\""
            )
        return settings.method
    known = ", ".join(sorted({*methods, "bayesian"}))
    raise NeuralError(
        f"the {searcher} searcher has no search_method '{settings.method}'; use one of: {known}"
    )
