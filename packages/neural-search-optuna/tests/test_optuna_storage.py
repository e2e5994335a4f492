"""How a --storage value is read, shown and opened."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from optuna_support import space_of

from neural.errors import NeuralError
from neural.search.base import SearchSettings
from neural_search_optuna.searcher import OptunaSearcher
from neural_search_optuna.storage import (
    DATABASE,
    JOURNAL,
    MEMORY,
    HeartbeatSettings,
    journal_path,
    redact,
    storage_kind,
    with_installed_driver,
)

SPACE = space_of(
    'network S { input: (4,) layers: Dropout(HPO(range(0.1, 0.5, step=0.1))) Output(2, "softmax") '
    'loss: "sparse_categorical_crossentropy" }'
)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, MEMORY),
        ("study.log", JOURNAL),
        ("runs/study.journal", JOURNAL),
        ("journal:/shared/study", JOURNAL),
        ("sqlite:///study.db", DATABASE),
        ("postgresql://neural@db:5432/studies", DATABASE),
    ],
)
def test_storage_values_name_a_journal_file_or_a_database(value: str | None, kind: str) -> None:
    assert storage_kind(value) == kind


def test_a_journal_prefix_names_the_file_after_it(tmp_path: Path) -> None:
    assert journal_path(f"journal:{tmp_path}/study") == f"{tmp_path}/study"
    assert journal_path("study.log").endswith("/study.log")


def test_the_results_file_never_shows_a_database_password() -> None:
    shown = redact("postgresql://neural:s3cret@db:5432/studies")
    assert shown is not None and "s3cret" not in shown and "db:5432/studies" in shown
    assert redact("study.log") == "study.log"


def test_a_bare_postgresql_url_uses_psycopg2_when_it_is_the_installed_driver() -> None:
    url = with_installed_driver("postgresql://neural@db/studies")
    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
        assert url == "postgresql+psycopg2://neural@db/studies"
    else:
        assert url == "postgresql://neural@db/studies"
    assert with_installed_driver("sqlite:///x.db") == "sqlite:///x.db"


def test_heartbeat_settings_need_a_grace_period_longer_than_the_interval() -> None:
    assert HeartbeatSettings.from_options({}) == HeartbeatSettings(10, 60)
    assert HeartbeatSettings.from_options({"heartbeat_interval": 40}).grace_period == 80
    with pytest.raises(NeuralError, match="grace period longer"):
        HeartbeatSettings.from_options({"heartbeat_interval": 5, "grace_period": 5})


def test_a_journal_in_a_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(NeuralError, match="does not exist"):
        OptunaSearcher(SPACE, SearchSettings(storage=str(tmp_path / "nowhere" / "study.log")))


def test_a_missing_sampler_package_gets_a_pip_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "cmaes" else real_find_spec(name, *a)
    )
    with pytest.raises(NeuralError, match="pip install cmaes"):
        OptunaSearcher(SPACE, SearchSettings(method="bayesian", sampler="cmaes"))
