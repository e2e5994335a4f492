"""hpo_results.json: its JSON Schema, the hand-written validator core uses, atomic
rewrites, reading back, and which trial is best."""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path

import jsonschema
import pytest

from neural.errors import NeuralError
from neural.search.atomic_write import write_json_atomic
from neural.search.results import (
    INTERRUPTED,
    StudyRecord,
    TrialRecord,
    best_record,
    load_results,
    source_sha256,
)
from neural.search.results_schema import RESULTS_SCHEMA, SCHEMA_ID, validate_results


def make_study(path: Path, direction: str = "minimize") -> StudyRecord:
    header = {
        "source": {"file": "model.neural", "sha256": source_sha256("network N {}"), "network": "N"},
        "backend": {"name": "pytorch"},
        "searcher": {"name": "random", "method": "random", "settings": {"searcher": "random"}},
        "seed": 3,
        "objective": {"metric": "val_loss", "direction": direction},
        "budget": {"n_trials": 4, "timeout": None, "parallel": 1},
        "data": {"spec": "synthetic"},
        "space": [{"name": "dense_1.units", "kind": "choice", "choices": [8, 16], "labels": ["8", "16"]}],
        "versions": {"python": "3.11.9", "neural-core": "0.1.0"},
    }
    study = StudyRecord(path=path, header=header, direction=direction)
    study.put(
        TrialRecord(
            0,
            "complete",
            {"dense_1.units": 8},
            value=0.5,
            intermediate_values=[0.9, 0.5],
            metrics=[{"loss": 1.0, "val_loss": 0.9}, {"loss": 0.6, "val_loss": 0.5}],
            duration=0.2,
            gpus=["1"],
            device="cuda:0",
        )
    )
    study.put(
        TrialRecord(
            1,
            "failed",
            {"dense_1.units": 16},
            error="diverged: the training loss became nan",
            metrics=[{"loss": math.nan, "val_loss": math.inf}],
            traceback="Traceback ...",
        )
    )
    study.put(TrialRecord(2, "pruned", {"dense_1.units": 16}, value=0.7, intermediate_values=[0.7]))
    study.put(TrialRecord(3, "running", {"dense_1.units": 8}))
    return study


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(RESULTS_SCHEMA)


def test_saved_document_matches_the_schema(tmp_path: Path) -> None:
    study = make_study(tmp_path / "hpo_results.json")
    study.save(wait=True)
    data = json.loads((tmp_path / "hpo_results.json").read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    assert validate_results(data) == []
    assert data["schema"] == SCHEMA_ID
    assert [t["state"] for t in data["trials"]] == ["complete", "failed", "pruned", "running"]
    assert data["best_trial"] == {"number": 0, "value": 0.5, "params": {"dense_1.units": 8}}


def test_non_finite_numbers_are_written_as_null(tmp_path: Path) -> None:
    study = make_study(tmp_path / "r.json")
    study.save(wait=True)
    text = (tmp_path / "r.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    failed = json.loads(text)["trials"][1]
    assert failed["metrics"] == [{"loss": None, "val_loss": None}]


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("trials"),
        lambda d: d.update(schema="neural.hpo-results/0"),
        lambda d: d["trials"][0].update(state="done"),
        lambda d: d["trials"][0].update(number=-1),
        lambda d: d["trials"][0].update(value="0.5"),
        lambda d: d["objective"].update(direction="up"),
        lambda d: d["source"].update(sha256="abc"),
        lambda d: d.update(seed=True),
        lambda d: d["versions"].update(torch=2),
        lambda d: d["trials"][0].update(gpus="0"),
        lambda d: d["trials"][0].update(gpus=[0]),
        lambda d: d["trials"][0].update(device=0),
    ],
)
def test_hand_validator_rejects_what_jsonschema_rejects(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    study = make_study(tmp_path / "r.json")
    data = copy.deepcopy(study.to_json())
    damage(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, RESULTS_SCHEMA)
    assert validate_results(data) != []


def test_atomic_write_replaces_the_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "hpo_results.json"
    write_json_atomic(path, {"a": 1})
    inode_before = os.stat(path).st_ino
    write_json_atomic(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert os.stat(path).st_ino != inode_before  # a new file was renamed over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hpo_results.json"]


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "hpo_results.json"
    write_json_atomic(path, {"a": 1})
    with pytest.raises(ValueError):
        write_json_atomic(path, {"a": math.nan})  # JSON cannot hold NaN
    assert json.loads(path.read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hpo_results.json"]


def test_load_round_trips_trials(tmp_path: Path) -> None:
    study = make_study(tmp_path / "r.json")
    study.save(wait=True)
    data = load_results(tmp_path / "r.json")
    trials = [TrialRecord.from_json(t) for t in data["trials"]]
    assert trials[0].intermediate_values == [0.9, 0.5]
    assert trials[1].error.startswith("diverged")
    assert [t.is_finished for t in trials] == [True, True, True, False]
    assert (trials[0].gpus, trials[0].device) == (["1"], "cuda:0")
    assert (trials[1].gpus, trials[1].device) == ([], None)


def test_files_without_devices_or_subsecond_times_still_load(tmp_path: Path) -> None:
    """A file written before trials recorded gpus/device (second-precision times) loads and resumes."""
    data = make_study(tmp_path / "r.json").to_json()
    for trial in data["trials"]:
        del trial["gpus"], trial["device"]
        trial["started"], trial["finished"] = "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    jsonschema.validate(data, RESULTS_SCHEMA)
    trials = [TrialRecord.from_json(t) for t in load_results(path)["trials"]]
    assert [(t.gpus, t.device) for t in trials] == [([], None)] * 4


def test_trial_times_are_subsecond_and_readable(tmp_path: Path) -> None:
    from datetime import datetime

    from neural.search.results import now_iso

    first, second = now_iso(), now_iso()
    assert "." in first and first.endswith("+00:00")
    assert datetime.fromisoformat(first) <= datetime.fromisoformat(second)


def test_load_reports_garbage_and_invalid_files_as_user_errors(tmp_path: Path) -> None:
    path = tmp_path / "hpo_results.json"
    path.write_text("{not json")
    with pytest.raises(NeuralError, match="--force"):
        load_results(path)
    path.write_text(json.dumps({"schema": SCHEMA_ID}))
    with pytest.raises(NeuralError, match="not a valid results file"):
        load_results(path)


def test_interrupted_trials_do_not_count_as_finished() -> None:
    assert not TrialRecord(0, "failed", {}, error=INTERRUPTED).is_finished
    assert TrialRecord(0, "failed", {}, error="worker died: signal 9").is_finished


def test_best_trial_follows_the_direction() -> None:
    trials = [
        TrialRecord(0, "complete", {}, value=0.4),
        TrialRecord(1, "complete", {}, value=0.9),
        TrialRecord(2, "pruned", {}, value=0.1),
        TrialRecord(3, "failed", {}),
        TrialRecord(4, "complete", {}, value=0.4),
    ]
    assert best_record(trials, "minimize").number == 0  # ties go to the earlier trial
    assert best_record(trials, "maximize").number == 1
    assert best_record(trials[2:4], "minimize") is None


def test_background_saves_end_with_the_latest_version_on_disk(tmp_path: Path) -> None:
    study = make_study(tmp_path / "r.json")
    for number in range(4, 60):
        study.put(TrialRecord(number, "complete", {"dense_1.units": 8}, value=1.0 / number))
        study.save()
    study.close()
    data = json.loads((tmp_path / "r.json").read_text())
    assert [t["number"] for t in data["trials"]] == list(range(60))
    assert data["best_trial"]["number"] == 59
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_a_write_error_is_reported_as_a_user_error(tmp_path: Path) -> None:
    study = make_study(tmp_path / "missing-folder" / "r.json")
    with pytest.raises(NeuralError, match="cannot write"):
        study.save(wait=True)
