"""The conformance suite every dataset plugin's tests subclass.

::

    class TestMyDataset(DatasetSuite):
        dataset_class = MyDataset
        argument = "data/sample.bin"     # for a dataset that needs one (NAME:ARGUMENT)
        input_shape = (28, 28, 1)
        plugin_module = "my_package.plugin"

It loads the data for real (keep ``argument`` small) and checks what core
relies on (``docs/plugins.md``): a non-empty ``name`` and one-line ``summary``;
``load`` returns a :class:`~neural.datasets.base.DataBundle` whose ``x`` is
float32 with one row per label, ``y`` int64 labels in ``[0, num_classes)``;
loading twice gives the same data; with ``plugin_module`` set, importing it
pulls in no heavy library (:mod:`neural.testing.startup`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from neural.datasets.base import DataBundle

if TYPE_CHECKING:
    from neural.datasets.base import Dataset


class DatasetSuite:
    """Subclass it and set ``dataset_class`` (and ``argument``/``input_shape`` when needed)."""

    dataset_class: ClassVar[type[Dataset]]
    argument: ClassVar[str | None] = None
    input_shape: ClassVar[tuple[int, ...]] = (8,)
    plugin_module: ClassVar[str | None] = None

    def make_dataset(self) -> Dataset:
        """Build the dataset under test (override to pass settings)."""
        return self.dataset_class()

    def load(self, cache_dir: Path) -> DataBundle:
        return self.make_dataset().load(self.argument, cache_dir=cache_dir, input_shape=self.input_shape)

    # --------------------------------------------------------------- tests

    def test_dataset_declares_name_and_summary(self) -> None:
        cls = self.dataset_class
        assert isinstance(cls.name, str) and cls.name and ":" not in cls.name
        assert isinstance(cls.summary, str) and cls.summary and "\n" not in cls.summary
        assert cls.needs_argument == (self.argument is not None) or not cls.needs_argument

    def test_load_returns_float32_samples_and_int64_labels(self, tmp_path: Path) -> None:
        bundle = self.load(tmp_path)
        assert isinstance(bundle, DataBundle)
        assert isinstance(bundle.x, np.ndarray) and bundle.x.dtype == np.float32
        assert isinstance(bundle.y, np.ndarray) and bundle.y.dtype == np.int64
        assert bundle.y.ndim == 1 and len(bundle.x) == len(bundle.y) >= 2
        assert bundle.x.ndim >= 2, "x has one row per sample: (N, ...)"
        assert np.isfinite(bundle.x).all()
        assert isinstance(bundle.num_classes, int) and bundle.num_classes >= 1
        assert int(bundle.y.min()) >= 0 and int(bundle.y.max()) < bundle.num_classes
        assert all(isinstance(note, str) and "\n" not in note for note in bundle.notes)

    def test_loading_twice_gives_the_same_data(self, tmp_path: Path) -> None:
        first, second = self.load(tmp_path), self.load(tmp_path)
        assert np.array_equal(first.x, second.x) and np.array_equal(first.y, second.y)

    def test_plugin_module_imports_no_heavy_library(self) -> None:
        if self.plugin_module is None:
            return
        from neural.testing.startup import assert_light_import

        assert_light_import(self.plugin_module)
