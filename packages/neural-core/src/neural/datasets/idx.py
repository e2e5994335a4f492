"""``mnist`` and ``fashion_mnist``: the full datasets in their IDX files.

The gzipped IDX files are downloaded once into ``<cache>/mnist/`` (or
``<cache>/fashion_mnist/``) from the usual mirrors, each checked against the
SHA-256 sums below; files already there are checked, not downloaded again.
``$NEURAL_MNIST_MIRROR`` / ``$NEURAL_FASHION_MNIST_MIRROR`` replace the
mirrors by one base URL. ``mnist`` (or ``mnist:train``) is the 60,000
training images; ``mnist:test`` the 10,000 test images.
"""

from __future__ import annotations

import gzip
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from http.client import HTTPException
from pathlib import Path
from typing import ClassVar

import numpy as np

from neural.datasets.base import DataBundle, Dataset
from neural.datasets.cache import ensure_folder, sha256_of_file
from neural.errors import NeuralError

MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
    "train-labels-idx1-ubyte.gz": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
    "t10k-images-idx3-ubyte.gz": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
    "t10k-labels-idx1-ubyte.gz": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
}
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.int16,
    0x0C: np.int32,
    0x0D: np.float32,
    0x0E: np.float64,
}
DOWNLOAD_TIMEOUT_SECONDS = 30.0


class IdxDataset(Dataset):
    """A dataset of 28×28 grey images and labels 0..9 held in four gzipped IDX files.

    Subclasses set ``name``, ``mirrors``, ``checksums`` and ``mirror_env``.
    ``base_urls``/``checksums`` given to the constructor replace the class's
    (tests serve their own small files this way); the plugin manager
    constructs it without arguments.
    """

    mirrors: ClassVar[tuple[str, ...]] = ()
    checksums: ClassVar[Mapping[str, str]] = {}
    mirror_env: ClassVar[str] = ""

    def __init__(
        self,
        *,
        base_urls: Sequence[str] | None = None,
        checksums: Mapping[str, str] | None = None,
        timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
    ) -> None:
        self._base_urls = tuple(base_urls) if base_urls is not None else None
        self._checksums = dict(checksums) if checksums is not None else dict(type(self).checksums)
        self._timeout = timeout

    def load(self, argument: str | None, *, cache_dir: Path, input_shape: tuple[int, ...]) -> DataBundle:
        """Return the split's images as float32 ``(N, 28, 28, 1)`` in [0, 1] and int64 labels.

        Downloads the split's two files when they are not in the cache.
        """
        split = (argument or "train").strip().lower()
        if split not in SPLIT_FILES:
            raise NeuralError(
                f"unknown {self.name} split {argument!r}: write {self.name} (training images) or {self.name}:test"
            )
        folder = ensure_folder(cache_dir / self.name)
        notes: list[str] = []
        images_name, labels_name = SPLIT_FILES[split]
        for file_name in (images_name, labels_name):
            self._ensure_file(folder, file_name, notes)
        images = read_idx(folder / images_name)
        labels = read_idx(folder / labels_name)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise NeuralError(
                f"the {self.name} files in {folder} do not match: images {images.shape}, labels {labels.shape}; "
                f"delete them and run again to download them anew"
            )
        x = (images.astype(np.float32) / 255.0)[..., np.newaxis]
        notes.append(f"{self.name} {split} split: {len(x)} images")
        return DataBundle(x=x, y=labels.astype(np.int64), num_classes=10, notes=notes)

    def base_urls(self) -> tuple[str, ...]:
        """The mirrors to try in order: the constructor's, else ``$<mirror_env>``, else the class's."""
        if self._base_urls is not None:
            return self._base_urls
        override = os.environ.get(self.mirror_env, "").strip() if self.mirror_env else ""
        return (override,) if override else self.mirrors

    def _ensure_file(self, folder: Path, file_name: str, notes: list[str]) -> None:
        """Verify the cached ``file_name``, or download it from the first mirror that serves it intact."""
        path = folder / file_name
        expected = self._checksums[file_name]
        if path.is_file():
            actual = sha256_of_file(path)
            if actual != expected:
                raise NeuralError(
                    f"the cached file {path} is corrupted or incomplete (SHA-256 {actual}, expected {expected}): "
                    f"delete it and run again to download it anew"
                )
            return
        failures: list[str] = []
        for base in self.base_urls():
            url = base.rstrip("/") + "/" + file_name
            try:
                actual = _download(url, path, expected, self._timeout)
            except (OSError, HTTPException) as error:
                failures.append(f"{url}: {_network_reason(error)}")
                continue
            if actual == expected:
                notes.append(f"downloaded {file_name} ({path.stat().st_size / 1e6:.1f} MB) from {url}")
                return
            raise NeuralError(
                f"the downloaded file {file_name} from {url} has SHA-256 {actual}, expected {expected}: "
                f"the mirror served a different file; try again later or set {self.mirror_env} to another mirror"
            )
        raise self._offline_error(folder, file_name, failures)

    def _offline_error(self, folder: Path, file_name: str, failures: list[str]) -> NeuralError:
        files = ", ".join(self._checksums)
        reasons = "; ".join(failures) or "no mirror configured"
        mirror = self.base_urls()[0].rstrip("/") + "/" if self.base_urls() else "a mirror"
        return NeuralError(
            f"cannot download {file_name} for the {self.name} dataset ({reasons}): connect to the internet, "
            f"or download the four files {files} from {mirror} by hand and put them in {folder}"
        )


class MnistDataset(IdxDataset):
    """LeCun's MNIST digits: 60,000 training and 10,000 test images."""

    name = "mnist"
    summary = "the full MNIST digits (60,000 + 10,000), downloaded once: mnist or mnist:test"
    mirrors = (
        "https://ossci-datasets.s3.amazonaws.com/mnist",
        "https://storage.googleapis.com/cvdf-datasets/mnist",
    )
    checksums = MNIST_SHA256
    mirror_env = "NEURAL_MNIST_MIRROR"


class FashionMnistDataset(IdxDataset):
    """Zalando's Fashion-MNIST clothing images: 60,000 training and 10,000 test images."""

    name = "fashion_mnist"
    summary = "Fashion-MNIST (60,000 + 10,000 clothing images), downloaded once: fashion_mnist or fashion_mnist:test"
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",)
    checksums = FASHION_MNIST_SHA256
    mirror_env = "NEURAL_FASHION_MNIST_MIRROR"


def read_idx(path: Path) -> np.ndarray:
    """Decode an IDX file (gzipped when its name ends in ``.gz``) into an array of its declared shape.

    Raises NeuralError naming the file when it is not valid IDX.
    """
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise _bad_idx(path, f"cannot be read: {error}") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise _bad_idx(path, "it does not start with an IDX header")
    rank = raw[3]
    header_size = 4 + 4 * rank
    if len(raw) < header_size:
        raise _bad_idx(path, "its header is cut short")
    shape = tuple(int(size) for size in np.frombuffer(raw, dtype=">u4", count=rank, offset=4))
    dtype = np.dtype(IDX_DTYPES[raw[2]]).newbyteorder(">")
    count = math.prod(shape)
    if len(raw) != header_size + count * dtype.itemsize:
        raise _bad_idx(path, f"its size does not match the shape {shape} in its header")
    return (
        np.frombuffer(raw, dtype=dtype, count=count, offset=header_size)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def _download(url: str, destination: Path, expected_sha256: str, timeout: float) -> str:
    """Fetch ``url`` into ``destination`` when its SHA-256 is ``expected_sha256``; return the SHA-256 seen.

    The body goes to a temp file beside ``destination`` and is renamed into
    place only when intact, so an interrupted or wrong download leaves nothing behind.
    """
    import hashlib
    import urllib.request

    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(prefix=destination.name, suffix=".part", dir=destination.parent)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 16), b""):
                digest.update(block)
                out.write(block)
        actual = digest.hexdigest()
        if actual == expected_sha256:
            os.replace(temp_name, destination)
        return actual
    finally:
        Path(temp_name).unlink(missing_ok=True)


def _network_reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return str(reason if reason is not None else error) or type(error).__name__


def _bad_idx(path: Path, problem: str) -> NeuralError:
    return NeuralError(
        f"the file {path} is not a valid IDX file ({problem}): delete it and run again to download it anew"
    )
