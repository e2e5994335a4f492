"""The figures' data hold the right points and the right best value, for real searches of every kind.

Each case is a real search (PyTorch, synthetic data) run once per session by
the ``searches`` fixture; the expected numbers are counted from the results
file itself, so they hold whatever the seeds make the trials do.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, load, search_of

from neural_viz.report import report_figures, report_info
from neural_viz.study import load_study, study_from_data


def expected(data: dict[str, Any]) -> dict[str, Any]:
    """What the results file says: trials by state and the best complete trial."""
    trials = data["trials"]
    by_state = {
        s: [t for t in trials if t["state"] == s] for s in ("complete", "pruned", "failed", "running")
    }
    complete = [t for t in by_state["complete"] if t["value"] is not None]
    sign = -1 if data["objective"]["direction"] == "maximize" else 1
    best = min(complete, key=lambda t: (sign * t["value"], t["number"])) if complete else None
    return {"by_state": by_state, "complete": complete, "best": best}


def check_report(data: dict[str, Any], info: dict[str, Any]) -> None:
    """Every figure's point counts and best value against the results file."""
    want = expected(data)
    complete, best = want["complete"], want["best"]
    history = info["history"]
    assert history["complete"]["numbers"] == [t["number"] for t in complete]
    assert history["pruned"]["numbers"] == [t["number"] for t in want["by_state"]["pruned"]]
    assert history["failed"]["numbers"] == [t["number"] for t in want["by_state"]["failed"]]
    assert history["running"]["numbers"] == [t["number"] for t in want["by_state"]["running"]]
    if best is None:
        assert history["best"] is None and info["summary"]["best"] is None
    else:
        assert history["best"] == {"number": best["number"], "value": best["value"]}
        assert history["best_so_far"]["values"][-1] == best["value"]
        assert info["summary"]["best"]["number"] == best["number"]
    parallel = info["parallel"]
    assert len(parallel["objective"]) == len(complete)
    assert len(parallel["dimensions"]) == len(data["space"])
    assert all(len(d["values"]) == len(complete) for d in parallel["dimensions"])
    if best is not None:
        target = max if data["objective"]["direction"] == "maximize" else min
        assert target(parallel["objective"]) == best["value"]
    slices = info["slices"]
    assert [p["name"] for p in slices["panels"]] == [p["name"] for p in data["space"]]
    assert all(len(p["y"]) == len(complete) for p in slices["panels"])
    curves = info["curves"]
    with_epochs = [t for t in data["trials"] if t["intermediate_values"]]
    assert sum(len(group) for group in curves["curves"].values()) == len(with_epochs)
    for state, group in curves["curves"].items():
        source = {t["number"]: t for t in with_epochs if t["state"] == state}
        assert {c["number"] for c in group} == set(source)
        assert all(c["values"] == source[c["number"]]["intermediate_values"] for c in group)
    assert len(info["table"]["rows"]) == len(data["trials"])
    assert len(info["table"]["columns"]) == 6 + len(data["space"])
    timed = [t for t in data["trials"] if t.get("started")]
    assert len(info["timeline"]["bars"]) == len(timed)
    assert info["timeline"]["rows"] <= max(1, data["budget"].get("parallel", 1))
    importance = info["importance"]
    if importance["params"]:
        assert sorted(importance["params"]) == sorted(p["name"] for p in data["space"])
        assert (
            math.isclose(sum(importance["importances"]), 1.0, abs_tol=1e-4)
            or sum(importance["importances"]) == 0
        )
    figures = report_figures(info)
    assert set(figures) == {"history", "importance", "parallel", "slices", "contour", "curves", "timeline"}


@pytest.mark.parametrize("case", CASES)
def test_every_figure_holds_the_trials_of_a_real_search(searches: dict[str, Path], case: str) -> None:
    path = search_of(searches, case)
    data = load(path)
    info = report_info(load_study(path))

    check_report(data, info)


def test_the_searches_cover_the_states_and_forms_the_report_must_handle(searches: dict[str, Path]) -> None:
    states = {
        case: {t["state"] for t in load(searches[case])["trials"]} for case in CASES if case in searches
    }
    assert "pruned" in states["pruned"] and "complete" in states["pruned"]
    assert {"failed", "complete"} <= states["some_fail"]
    assert states["all_fail"] == {"failed"}
    assert len(load(searches["one_trial"])["trials"]) == 1
    assert len(load(searches["one_param"])["space"]) == 1
    assert len(load(searches["fifteen"])["space"]) == 15
    kinds = {p["kind"] for p in load(searches["every_form"])["space"]}
    assert kinds == {"choice", "range", "log_range", "custom"}
    assert load(searches["grid"])["searcher"]["name"] == "grid"
    if "optuna" in searches:
        assert load(searches["optuna"])["searcher"]["name"] == "optuna"
    assert load(searches["random"])["searcher"]["name"] == "random"


def test_a_running_trial_is_marked_and_has_no_value(searches: dict[str, Path]) -> None:
    data = copy.deepcopy(load(searches["random"]))  # the file as a reader sees it while the last trial runs
    last = data["trials"][-1]
    last.update(
        state="running", value=None, intermediate_values=last["intermediate_values"][:1], finished=None
    )
    last["duration"] = None
    data["status"] = "running"
    info = report_info(study_from_data(data))

    check_report(data, info)
    assert info["history"]["running"]["numbers"] == [last["number"]]
    assert [c["number"] for c in info["curves"]["curves"]["running"]] == [last["number"]]


def test_log_axes_categories_and_tuples_are_drawn_as_written(searches: dict[str, Path]) -> None:
    info = report_info(load_study(searches["every_form"]))
    dims = {d["name"]: d for d in info["parallel"]["dimensions"]}

    assert dims["optimizer.learning_rate"]["log"] is True
    assert dims["optimizer.learning_rate"]["ticktext"] == ["0.001", "0.01", "0.1"]
    assert dims["conv2d_1.kernel_size"]["ticktext"] == ["(3, 3)", "(5, 5)"]
    assert dims["conv2d_1.padding"]["ticktext"] == ["same", "valid"]
    custom = (
        dims["dense_1"]["ticktext"]
        if "dense_1" in dims
        else next(d["ticktext"] for d in dims.values() if d["kind"] == "custom")
    )
    assert custom == ["&lt;script&gt;alert(1)&lt;/script&gt;", "wide"]
    slices = {p["name"]: p for p in info["slices"]["panels"]}
    assert set(slices["conv2d_1.kernel_size"]["x"]) <= {"(3, 3)", "(5, 5)"}


def test_importance_ranks_the_parameter_that_decides_the_objective_first() -> None:
    from neural_viz.figures.importance import importance_info

    data = synthetic_results(400, decisive="p1")
    info = importance_info(study_from_data(data))

    assert info["params"][0] == "p1"
    assert "PED-ANOVA" in info["method"]


def synthetic_results(trials: int, *, decisive: str, params: int = 3) -> dict[str, Any]:
    """A results document whose objective depends on one parameter only (for the importance method)."""
    import random

    from neural.search.results_schema import SCHEMA_ID

    rng = random.Random(0)
    space = [
        {"name": f"p{i}", "kind": "range", "low": 0.0, "high": 1.0, "step": None, "log": False}
        for i in range(params)
    ]
    rows = []
    for number in range(trials):
        point = {f"p{i}": rng.random() for i in range(params)}
        rows.append(
            {
                "number": number,
                "state": "complete",
                "params": point,
                "value": (point[decisive] - 0.3) ** 2 + rng.random() * 0.01,
                "intermediate_values": [],
                "metrics": [],
                "duration": None,
                "error": None,
            }
        )
    return {
        "schema": SCHEMA_ID,
        "source": {"file": "x.neural", "sha256": "0" * 64},
        "backend": {"name": "pytorch"},
        "searcher": {"name": "random", "method": "random", "settings": {}},
        "seed": 0,
        "objective": {"metric": "val_loss", "direction": "minimize"},
        "budget": {"n_trials": trials},
        "space": space,
        "trials": rows,
        "best_trial": None,
        "versions": {},
        "status": "finished",
        "started": "2026-01-01T00:00:00+00:00",
        "updated": "2026-01-01T00:01:00+00:00",
    }
