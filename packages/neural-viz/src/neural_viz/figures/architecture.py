"""The architecture: each layer with its output shape and parameter count, and where every HPO parameter sits.

Used twice: for a ``.neural`` file (``neural visualize FILE.neural``, at the
nominal point) and in a search report, for the best point — when the source
file the search ran is found (beside the results file, or at the path it
records) and still has the recorded SHA-256; otherwise the report says why it
cannot show it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError
from neural_viz.study import ParamSpec, Study

if TYPE_CHECKING:
    from neural.program import Program


def program_architecture(
    program: Program, point: dict[str, Any] | None = None, label: str = ""
) -> dict[str, Any]:
    """The architecture of ``program`` at ``point`` (a point in its own value form; None: the nominal point)."""
    from neural.cli.check import describe_values, format_shape

    space = program.space
    nominal = point is None
    model = space.bind(space.nominal_point() if point is None else point)
    placed: dict[str, list[str]] = {}
    for param in space.params:
        placed.setdefault(param.name.split(".", 1)[0], []).append(param.name)
    layers = [
        {
            "index": 0,
            "kind": "Input",
            "name": "input",
            "shape": format_shape(model.input_shape),
            "params": 0,
            "hpo": [],
        }
    ]
    for index, layer in enumerate(model.layers, start=1):
        owner = layer.name if layer.name in placed else layer.name.rsplit("_", 1)[0]
        layers.append(
            {
                "index": index,
                "kind": layer.kind,
                "name": layer.name,
                "shape": format_shape(layer.output_shape),
                "params": layer.param_count,
                "hpo": list(placed.get(owner, [])),
            }
        )
    layer_statements = {layer.name for layer in model.layers} | {
        layer.name.rsplit("_", 1)[0] for layer in model.layers
    }
    chosen = point if point is not None else space.nominal_point()
    hpo = []
    for param in space.params:
        statement = param.name.split(".", 1)[0]
        value = chosen.get(param.name)
        hpo.append(
            {
                "name": param.name,
                "kind": param.kind,
                "space": describe_values(param),
                "line": param.span.line or None,
                "column": param.span.column or None,
                "where": f"layer {statement}" if statement in layer_statements else statement,
                "value": param.to_json_value(value),
                "value_text": _value_text(param, value),
            }
        )
    return {
        "network": model.name,
        "file": str(program.filename),
        "point": label
        or ("the nominal point: first choice, low end of each range" if nominal and hpo else "as written"),
        "layers": layers,
        "total_params": model.param_count,
        "hpo": hpo,
        "optimizer": model.optimizer.name,
        "note": None,
    }


def _value_text(param: Any, value: Any) -> str:
    if param.is_categorical:
        for option, label in zip(param.choices, param.labels, strict=False):
            if value in (option, label):
                return str(label)
    from neural.lang.values import format_value

    try:
        return format_value(value)
    except Exception:  # a value format_value does not know: show it plainly
        return str(value)


def source_architecture(path: Path) -> dict[str, Any]:
    """The architecture of the ``.neural`` file at ``path`` (located errors raised as they are)."""
    from neural.program import load_program

    return program_architecture(load_program(path))


def best_point_architecture(study: Study) -> dict[str, Any]:
    """The best trial's architecture, or ``{"note": why not}`` when no trial completed or the source is missing."""
    best = study.best()
    if best is None:
        return {"note": "no trial completed yet, so there is no best point to show"}
    source = study.data.get("source") or {}
    recorded = str(source.get("file") or "")
    digest = source.get("sha256")
    program = None
    tried = []
    for candidate in _candidates(recorded, study.folder):
        tried.append(str(candidate))
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            return {"note": f"the source {candidate} has changed since the search (its SHA-256 differs)"}
        from neural.program import compile_source

        try:
            program = compile_source(text, str(candidate))
        except NeuralError as error:
            return {"note": f"the source {candidate} does not compile any more: {str(error).splitlines()[0]}"}
        break
    if program is None:
        return {
            "note": f"the source {recorded or '(not recorded)'} is not found, so its architecture cannot be shown"
        }
    specs = {p.name: p for p in study.params}
    try:
        point = {
            param.name: param.from_json_value(best.params[param.name])
            for param in program.space.params
            if param.name in specs and param.name in best.params
        }
        return program_architecture(program, point, label=f"the best point (trial {best.number})")
    except (NeuralError, ValueError, KeyError) as error:
        return {"note": f"the best point cannot be built from {recorded}: {error}"}


def _candidates(recorded: str, folder: Path | None) -> list[Path]:
    if not recorded:
        return []
    path = Path(recorded)
    found = [path]
    if folder is not None:
        found += [folder / path.name, folder / path]
    unique: list[Path] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def describe_space(params: list[ParamSpec]) -> list[dict[str, str]]:
    """The space as the results file records it: name and one-line description per parameter."""
    return [{"name": p.name, "space": p.describe()} for p in params]
