"""What ``neural.testing`` gives a plugin author besides the backend and searcher suites: the
start-up check (a plugin module importing a heavy library) and the dataset conformance suite."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from neural.datasets.base import DataBundle, Dataset
from neural.datasets.synthetic import SyntheticDataset
from neural.plugins.host import PluginHost
from neural.testing import DatasetSuite, assert_light_import, heavy_imports


class FakeEntryPoint:
    def __init__(self, name: str, load: types.FunctionType) -> None:
        self.name, self.value, self._load = name, f"{name}.plugin", load
        self.dist = types.SimpleNamespace(version="1.0")

    def load(self) -> types.ModuleType:
        return self._load()  # type: ignore[no-any-return]


def test_a_plugin_importing_a_heavy_library_at_start_up_gets_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "plotly", raising=False)

    def load() -> types.ModuleType:
        sys.modules["plotly"] = types.ModuleType("plotly")  # what `import plotly` at module top does
        return types.ModuleType("heavy_plugin")

    warnings: list[str] = []
    PluginHost([FakeEntryPoint("heavy", load)], warn=warnings.append, include_core=False)
    assert len(warnings) == 1
    assert "importing heavy.plugin loads plotly at start-up" in warnings[0]


def test_the_start_up_check_names_the_heavy_library_a_module_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "heavy_plugin_demo.py").write_text("import plotly\n")
    (tmp_path / "light_plugin_demo.py").write_text("def neural_register_backends():\n    import plotly\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert heavy_imports("heavy_plugin_demo") == ["plotly"]
    assert_light_import("light_plugin_demo")
    with pytest.raises(AssertionError, match="loads plotly at start-up"):
        assert_light_import("heavy_plugin_demo")


class TestSyntheticDatasetConformance(DatasetSuite):
    dataset_class = SyntheticDataset
    argument = "40,3"
    input_shape = (5,)
    plugin_module = "neural.plugins.builtin"


class SixtyFourBitData(Dataset):
    """A broken dataset: float64 inputs and labels past num_classes."""

    name: ClassVar[str] = "sloppy"
    summary: ClassVar[str] = "float64 inputs"

    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        return DataBundle(x=np.zeros((4, 2)), y=np.array([0, 1, 2, 3]), num_classes=2)


def test_the_dataset_suite_fails_a_dataset_with_float64_inputs(tmp_path: Path) -> None:
    suite = type("Suite", (DatasetSuite,), {"dataset_class": SixtyFourBitData})()
    with pytest.raises(AssertionError):
        suite.test_load_returns_float32_samples_and_int64_labels(tmp_path)
