"""The datasets that ship with core, registered through ``neural_register_datasets``
by core's own plugin (``neural.plugins.builtin``)."""

from __future__ import annotations

from neural.datasets.base import Dataset
from neural.datasets.digits import DigitsDataset
from neural.datasets.files import CsvDataset, NpzDataset
from neural.datasets.idx import FashionMnistDataset, MnistDataset
from neural.datasets.mnist5k import Mnist5kDataset
from neural.datasets.synthetic import SyntheticDataset

BUILTIN_DATASETS: list[type[Dataset]] = [
    Mnist5kDataset,
    DigitsDataset,
    NpzDataset,
    CsvDataset,
    SyntheticDataset,
    MnistDataset,
    FashionMnistDataset,
]
