"""The summary at the top of the report: best value and trial, best point, counts, settings, versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from neural_viz.study import Study, format_number


def _seconds_between(first: str | None, last: str | None) -> float | None:
    try:
        if first and last:
            return (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
    except ValueError:
        return None
    return None


def _named(setting: Any) -> Any:
    """A searcher setting as text: a ``{"name": ...}`` description by its name and first few plain settings."""
    if isinstance(setting, dict) and "name" in setting:
        plain = [(k, v) for k, v in setting.items() if k != "name" and not isinstance(v, (dict, list))]
        extra = ", ".join(f"{k} {v}" for k, v in plain[:3]) + (", …" if len(plain) > 3 else "")
        return f"{setting['name']}" + (f" ({extra})" if extra else "")
    return setting


def summary_info(study: Study) -> dict[str, Any]:
    """What the summary shows, as plain data (strings and numbers only)."""
    data = study.data
    searcher = data.get("searcher") or {}
    settings = searcher.get("settings") or {}
    budget = data.get("budget") or {}
    source = data.get("source") or {}
    best = study.best()
    busy = sum(t.duration or 0.0 for t in study.trials)
    return {
        "status": data.get("status"),
        "started": data.get("started"),
        "updated": data.get("updated"),
        "wall_seconds": _seconds_between(data.get("started"), data.get("updated")),
        "trial_seconds": round(busy, 3),
        "objective": {"metric": study.metric, "direction": study.direction},
        "best": None
        if best is None
        else {
            "number": best.number,
            "value": best.value,
            "params": {
                p.name: p.label(best.params.get(p.name)) for p in study.params if p.name in best.params
            },
        },
        "counts": study.counts(),
        "trials": len(study.trials),
        "searcher": {
            "name": searcher.get("name"),
            "method": searcher.get("method"),
            "sampler": _named(settings.get("sampler")),
            "pruner": _named(settings.get("pruner")),
        },
        "seed": data.get("seed"),
        "budget": {k: budget.get(k) for k in ("n_trials", "timeout", "parallel", "epochs") if k in budget},
        "source": {
            "file": source.get("file"),
            "sha256": source.get("sha256"),
            "network": source.get("network"),
        },
        "backend": (data.get("backend") or {}).get("name"),
        "data": (data.get("data") or {}).get("spec"),
        "storage": data.get("storage"),
        "versions": dict(data.get("versions") or {}),
        "space": [{"name": p.name, "space": p.describe()} for p in study.params],
    }


def summary_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    """The summary as (label, text) pairs, in display order (the HTML and terminal views share them)."""
    best = info["best"]
    counts = ", ".join(f"{count} {state}" for state, count in info["counts"].items())
    searcher = info["searcher"]
    method = f"{searcher['name']} ({searcher['method']}"
    method += f", sampler {searcher['sampler']}" if searcher.get("sampler") else ""
    method += f", pruner {searcher['pruner']}" if searcher.get("pruner") else ""
    method += ")"
    budget = info["budget"]
    budget_text = f"{budget.get('n_trials')} trial(s)"
    if budget.get("epochs"):
        budget_text += f" of up to {budget['epochs']} epoch(s)"
    if budget.get("timeout"):
        budget_text += f", timeout {format_number(budget['timeout'])} s"
    wall = info["wall_seconds"]
    rows = [
        (
            "best value",
            "no trial completed"
            if best is None
            else f"{format_number(best['value'])} (trial {best['number']})",
        ),
        (
            "best parameters",
            "—" if best is None else ", ".join(f"{k} = {v}" for k, v in best["params"].items()),
        ),
        ("objective", f"{info['objective']['metric']} ({info['objective']['direction']})"),
        ("trials", f"{info['trials']}: {counts}"),
        ("searcher", method),
        ("seed", str(info["seed"])),
        ("budget", budget_text),
        ("workers", str(budget.get("parallel", 1))),
        (
            "wall time",
            ("—" if wall is None else f"{wall:.0f} s")
            + f" ({info['trial_seconds']:.1f} s of training in trials)",
        ),
        ("status", f"{info['status']} (started {info['started']}, updated {info['updated']})"),
        (
            "source",
            f"{info['source']['file']} (network {info['source']['network']}, sha256 {info['source']['sha256']})",
        ),
        ("backend, data", f"{info['backend']}, {info['data']}"),
    ]
    if info.get("storage"):
        rows.append(("storage", f"{info['storage'].get('url')} (study {info['storage'].get('study')})"))
    rows.append(("versions", ", ".join(f"{k} {v}" for k, v in info["versions"].items())))
    return rows
