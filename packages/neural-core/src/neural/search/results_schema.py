"""The JSON Schema of ``hpo_results.json`` and the validator core checks it with.

:func:`neural.search.results.load_results` validates every file it reads back
(``--resume``) with :func:`validate_results`; the tests check the documents the
runner writes against :data:`RESULTS_SCHEMA` with ``jsonschema`` too.

Layout (``"schema": "neural.hpo-results/1"``)::

    source      {file, sha256, network}
    backend     {name, distribution}
    searcher    {name, method, settings: searcher.describe()}
    seed, objective {metric, direction}, budget {n_trials, timeout, parallel}
    data        {spec, notes}
    storage     {url, study}   (only for a study shared through --storage; the
                url's password replaced by ***)
    space       [Param.to_dict(), ...]
    trials      [{number, state, params, value, intermediate_values, metrics,
                  seed, duration, error, traceback, started, finished,
                  gpus, device}, ...]
                (gpus: the CUDA_VISIBLE_DEVICES ids the trial's process had;
                device: where the backend trained, "cpu", "cuda:0" or null;
                both optional: files from before they were recorded lack them)
                (a shared study: every finished trial of the study; those other
                processes ran have empty metrics and no duration or timestamps)
    best_trial  {number, value, params} | null
    versions    {python, neural-core, <backend dist>, torch, ...}
    status      running | finished | interrupted | stopped
    started, updated   ISO-8601 UTC timestamps (milliseconds; older files: seconds)

:data:`RESULTS_SCHEMA` is the JSON Schema of that layout; :func:`validate_results`
checks a document against it with a small hand-written walker, so core needs
no ``jsonschema`` at run time (the tests also check with ``jsonschema``).
"""

from __future__ import annotations

from typing import Any

from neural.limits import MAX_INTEGER, MAX_SEED

SCHEMA_ID = "neural.hpo-results/1"

RUNNING = "running"
TRIAL_STATES = ("complete", "pruned", "failed", RUNNING)
STUDY_STATES = ("running", "finished", "interrupted", "stopped")

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}
_STRING_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
_SEED: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_SEED}

RESULTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Neural DSL hyperparameter search results",
    "type": "object",
    "required": [
        "schema",
        "source",
        "backend",
        "searcher",
        "seed",
        "objective",
        "budget",
        "space",
        "trials",
        "best_trial",
        "versions",
        "status",
        "started",
        "updated",
    ],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "source": {
            "type": "object",
            "required": ["file", "sha256"],
            "properties": {
                "file": {"type": "string"},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "network": {"type": "string"},
            },
        },
        "backend": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "searcher": {
            "type": "object",
            "required": ["name", "method", "settings"],
            "properties": {
                "name": {"type": "string"},
                "method": {"type": "string"},
                "settings": {"type": "object"},
            },
        },
        "seed": _SEED,
        "objective": {
            "type": "object",
            "required": ["metric", "direction"],
            "properties": {
                "metric": {"type": "string"},
                "direction": {"enum": ["minimize", "maximize"]},
            },
        },
        "budget": {
            "type": "object",
            "required": ["n_trials"],
            "properties": {
                "n_trials": {"type": "integer", "minimum": 0},
                "epochs": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
                "timeout": _NUMBER_OR_NULL,
                "parallel": {"type": "integer", "minimum": 1},
            },
        },
        "data": {"type": "object"},
        "storage": {
            "type": "object",
            "required": ["url", "study"],
            "properties": {"url": {"type": "string"}, "study": _STRING_OR_NULL},
        },
        "space": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "kind"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"enum": ["choice", "range", "log_range", "custom"]},
                },
            },
        },
        "trials": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "number",
                    "state",
                    "params",
                    "value",
                    "intermediate_values",
                    "metrics",
                    "duration",
                    "error",
                ],
                "properties": {
                    "number": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
                    "state": {"enum": list(TRIAL_STATES)},
                    "params": {"type": "object"},
                    "value": _NUMBER_OR_NULL,
                    "intermediate_values": {"type": "array", "items": {"type": "number"}},
                    "metrics": {"type": "array", "items": {"type": "object"}},
                    "seed": _SEED,
                    "duration": _NUMBER_OR_NULL,
                    "error": _STRING_OR_NULL,
                    "traceback": _STRING_OR_NULL,
                    "started": _STRING_OR_NULL,
                    "finished": _STRING_OR_NULL,
                    "gpus": {"type": "array", "items": {"type": "string"}},
                    "device": _STRING_OR_NULL,
                },
            },
        },
        "best_trial": {
            "type": ["object", "null"],
            "required": ["number", "value", "params"],
            "properties": {
                "number": {"type": "integer"},
                "value": {"type": "number"},
                "params": {"type": "object"},
            },
        },
        "versions": {"type": "object", "additionalProperties": {"type": "string"}},
        "status": {"enum": list(STUDY_STATES)},
        "started": {"type": "string"},
        "updated": {"type": "string"},
    },
}


def validate_results(data: Any) -> list[str]:
    """Check ``data`` against :data:`RESULTS_SCHEMA`; return the problems found (empty: valid).

    A small walker over the subset of JSON Schema the schema uses (type,
    required, properties, items, enum, const, minimum, maximum, pattern), so core
    needs no ``jsonschema`` at run time.
    """
    problems: list[str] = []
    _check(data, RESULTS_SCHEMA, "$", problems)
    return problems


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    if name in ("number", "integer") and isinstance(value, bool):
        return False
    return isinstance(value, _JSON_TYPES[name])


def _check(value: Any, schema: dict[str, Any], where: str, problems: list[str]) -> None:
    import re

    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, name) for name in names):
            problems.append(f"{where} should be {' or '.join(names)}")
            return
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where} should be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where} should be one of {', '.join(map(str, schema['enum']))}")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        problems.append(f"{where} should be at least {schema['minimum']}")
    if "maximum" in schema and isinstance(value, (int, float)) and value > schema["maximum"]:
        problems.append(f"{where} should be at most {schema['maximum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        problems.append(f"{where} is malformed")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(f"{where} lacks {key!r}")
        for key, subschema in schema.get("properties", {}).items():
            if key in value:
                _check(value[key], subschema, f"{where}.{key}", problems)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, item in value.items():
                if key not in schema.get("properties", {}):
                    _check(item, extra, f"{where}.{key}", problems)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{where}[{index}]", problems)
