"""``mnist`` / ``fashion_mnist``: IDX decoding, download once, cache reuse, checksums, offline.

The tests write small IDX files with a real writer and serve them from a local
HTTP server on 127.0.0.1; nothing goes to the internet.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from neural.datasets.cache import CACHE_DIR_ENV
from neural.datasets.idx import (
    FASHION_MNIST_SHA256,
    MNIST_SHA256,
    FashionMnistDataset,
    MnistDataset,
    read_idx,
)
from neural.datasets.prepare import prepare_data
from neural.errors import NeuralError

IDX_TYPE_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
}
TRAIN_COUNT, TEST_COUNT = 12, 5
MirrorFiles = tuple[Path, dict[str, str], dict[str, np.ndarray]]
"""The mirror folder, each file's SHA-256, and the array each file holds."""


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode ``array`` as IDX: two zero bytes, the type code, the rank, big-endian sizes, big-endian data."""
    header = struct.pack(">BBBB", 0, 0, IDX_TYPE_CODES[array.dtype], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx_gz(path: Path, array: np.ndarray) -> str:
    """Write ``array`` as a gzipped IDX file; return its SHA-256."""
    data = gzip.compress(idx_bytes(array))
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def mirror_files(tmp_path: Path) -> MirrorFiles:
    """A folder with the four small MNIST-like files, their checksums and their arrays."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (TRAIN_COUNT, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": (np.arange(TRAIN_COUNT) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (TEST_COUNT, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": (np.arange(TEST_COUNT) % 10).astype(np.uint8),
    }
    checksums = {name: write_idx_gz(folder / name, array) for name, array in arrays.items()}
    return folder, checksums, arrays


class RecordingServer:
    """A local static file server that records the paths requested."""

    def __init__(self, folder: Path) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def do_GET(self) -> None:
                requests.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def server(mirror_files: MirrorFiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingServer]:
    running = RecordingServer(mirror_files[0])
    monkeypatch.setenv("NEURAL_MNIST_MIRROR", running.url)
    monkeypatch.setenv("NEURAL_FASHION_MNIST_MIRROR", running.url)
    yield running
    running.close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 must not be sent to a proxy configured on the machine."""
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# ------------------------------------------------------------------ IDX decoding


@pytest.mark.parametrize(
    "array",
    [
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array([-3, 0, 300], dtype=np.int16),
        np.arange(6, dtype=np.int32).reshape(3, 2) * 100000,
        np.array([[0.5, -1.25]], dtype=np.float32),
    ],
)
def test_read_idx_decodes_what_the_writer_wrote(tmp_path: Path, array: np.ndarray) -> None:
    write_idx_gz(tmp_path / "a.idx.gz", array)
    decoded = read_idx(tmp_path / "a.idx.gz")
    assert decoded.shape == array.shape and decoded.dtype == array.dtype
    np.testing.assert_array_equal(decoded, array)
    (tmp_path / "raw.idx").write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(read_idx(tmp_path / "raw.idx"), array)


def test_read_idx_rejects_a_truncated_file(tmp_path: Path) -> None:
    (tmp_path / "cut.idx").write_bytes(idx_bytes(np.zeros((4, 4), dtype=np.uint8))[:-3])
    with pytest.raises(
        NeuralError, match=r"cut.idx is not a valid IDX file \(its size does not match the shape \(4, 4\)"
    ):
        read_idx(tmp_path / "cut.idx")
    (tmp_path / "text.idx").write_bytes(b"hello world")
    with pytest.raises(NeuralError, match="does not start with an IDX header"):
        read_idx(tmp_path / "text.idx")


def test_checksum_tables_cover_the_four_files() -> None:
    for table in (MNIST_SHA256, FASHION_MNIST_SHA256):
        assert sorted(table) == [
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
        ]
        assert all(len(value) == 64 and int(value, 16) >= 0 for value in table.values())


# ------------------------------------------------------------------ download and cache


def test_mnist_downloads_once_then_reuses_the_cache(
    server: RecordingServer, mirror_files: MirrorFiles, cache_dir: Path
) -> None:
    _, checksums, arrays = mirror_files
    dataset = MnistDataset(checksums=checksums)
    bundle = dataset.load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert sorted(server.requests) == ["/train-images-idx3-ubyte.gz", "/train-labels-idx1-ubyte.gz"]
    assert bundle.x.shape == (TRAIN_COUNT, 28, 28, 1) and bundle.x.dtype == np.float32
    np.testing.assert_allclose(bundle.x[..., 0], arrays["train-images-idx3-ubyte.gz"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(bundle.y, arrays["train-labels-idx1-ubyte.gz"])
    assert any(note.startswith("downloaded train-images-idx3-ubyte.gz") for note in bundle.notes)
    assert sorted(path.name for path in (cache_dir / "mnist").iterdir()) == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]

    again = MnistDataset(checksums=checksums).load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert len(server.requests) == 2
    np.testing.assert_array_equal(again.x, bundle.x)
    assert not any(note.startswith("downloaded") for note in again.notes)


def test_mnist_test_split_reads_the_t10k_files(
    server: RecordingServer, mirror_files: MirrorFiles, cache_dir: Path
) -> None:
    _, checksums, arrays = mirror_files
    bundle = MnistDataset(checksums=checksums).load("test", cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert sorted(server.requests) == ["/t10k-images-idx3-ubyte.gz", "/t10k-labels-idx1-ubyte.gz"]
    np.testing.assert_array_equal(bundle.y, arrays["t10k-labels-idx1-ubyte.gz"])
    with pytest.raises(NeuralError, match=r"unknown mnist split 'valid': write mnist .* or mnist:test"):
        MnistDataset(checksums=checksums).load("valid", cache_dir=cache_dir, input_shape=(28, 28, 1))


def test_fashion_mnist_keeps_its_own_cache_folder(
    server: RecordingServer, mirror_files: MirrorFiles, cache_dir: Path
) -> None:
    _, checksums, _ = mirror_files
    FashionMnistDataset(checksums=checksums).load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert (cache_dir / "fashion_mnist" / "train-images-idx3-ubyte.gz").is_file()
    assert not (cache_dir / "mnist").exists()


def test_prepare_data_downloads_mnist_through_the_mirror_variable(
    server: RecordingServer,
    mirror_files: MirrorFiles,
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(MnistDataset, "checksums", mirror_files[1])
    data = prepare_data("mnist", (14, 14, 1), validation_split=0.25, seed=0, num_classes=10)
    assert data.x_train.shape == (9, 14, 14, 1) and data.x_val.shape == (3, 14, 14, 1)
    assert "resized 28×28 → 14×14" in data.notes
    assert len(server.requests) == 2


def test_a_download_with_the_wrong_checksum_is_refused_and_not_kept(
    server: RecordingServer, mirror_files: MirrorFiles, cache_dir: Path
) -> None:
    checksums = dict(mirror_files[1])
    checksums["train-images-idx3-ubyte.gz"] = "0" * 64
    with pytest.raises(NeuralError) as caught:
        MnistDataset(checksums=checksums).load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    message = str(caught.value)
    assert message.startswith(
        f"the downloaded file train-images-idx3-ubyte.gz from {server.url}train-images-idx3-ubyte.gz has SHA-256 {mirror_files[1]['train-images-idx3-ubyte.gz']}, expected {'0' * 64}"
    )
    assert "NEURAL_MNIST_MIRROR" in message
    assert list((cache_dir / "mnist").iterdir()) == []


def test_a_corrupted_cached_file_is_reported_not_downloaded(
    server: RecordingServer, mirror_files: MirrorFiles, cache_dir: Path
) -> None:
    checksums = mirror_files[1]
    folder = cache_dir / "mnist"
    folder.mkdir(parents=True)
    damaged = folder / "train-images-idx3-ubyte.gz"
    damaged.write_bytes((mirror_files[0] / "train-images-idx3-ubyte.gz").read_bytes()[:-10])
    actual = hashlib.sha256(damaged.read_bytes()).hexdigest()
    with pytest.raises(NeuralError) as caught:
        MnistDataset(checksums=checksums).load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert str(caught.value) == (
        f"the cached file {damaged} is corrupted or incomplete (SHA-256 {actual}, "
        f"expected {checksums['train-images-idx3-ubyte.gz']}): delete it and run again to download it anew"
    )
    assert server.requests == []


def test_files_put_in_the_cache_by_hand_are_used_without_a_network(
    mirror_files: MirrorFiles, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEURAL_MNIST_MIRROR", closed_port_url())
    folder = cache_dir / "mnist"
    folder.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        (folder / name).write_bytes((mirror_files[0] / name).read_bytes())
    bundle = MnistDataset(checksums=mirror_files[1]).load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert bundle.x.shape == (TRAIN_COUNT, 28, 28, 1)


def test_offline_error_says_where_to_put_the_files(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = closed_port_url()
    monkeypatch.setenv("NEURAL_MNIST_MIRROR", url)
    with pytest.raises(NeuralError) as caught:
        prepare_data("mnist", (28, 28, 1), validation_split=0.2, seed=0)
    message = str(caught.value)
    assert message.startswith(
        f"cannot download train-images-idx3-ubyte.gz for the mnist dataset ({url}train-images-idx3-ubyte.gz: "
    )
    assert message.endswith(
        "connect to the internet, or download the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        f"t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz from {url} by hand and put them in {cache_dir / 'mnist'}"
    )
    assert list((cache_dir / "mnist").iterdir()) == []


def test_the_default_mirrors_are_the_usual_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEURAL_MNIST_MIRROR", raising=False)
    assert MnistDataset().base_urls()[0] == "https://ossci-datasets.s3.amazonaws.com/mnist"
    assert FashionMnistDataset().base_urls() == (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
    )
    assert MnistDataset(base_urls=["http://example.invalid/m"]).base_urls() == ("http://example.invalid/m",)
