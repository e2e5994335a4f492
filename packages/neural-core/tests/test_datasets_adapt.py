"""Fitting data to the declared input: resampling, channel axes, flattening."""

from __future__ import annotations

import numpy as np
import pytest

from neural.datasets.adapt import fit_to_input_shape, resize_images
from neural.errors import NeuralError


def test_shrinking_averages_the_covered_pixels() -> None:
    image = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    shrunk = resize_images(image, (2, 2))
    expected = [[(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4], [(8 + 9 + 12 + 13) / 4, (10 + 11 + 14 + 15) / 4]]
    np.testing.assert_allclose(shrunk[0, :, :, 0], expected)


def test_shrinking_by_a_non_integer_factor_keeps_the_mean() -> None:
    images = np.random.default_rng(1).random((3, 28, 28, 2)).astype(np.float32)
    shrunk = resize_images(images, (10, 10))
    assert shrunk.shape == (3, 10, 10, 2)
    np.testing.assert_allclose(shrunk.mean(axis=(1, 2)), images.mean(axis=(1, 2)), rtol=1e-5)


def test_enlarging_interpolates_between_pixel_centres() -> None:
    row = np.array([[[0.0, 1.0]]], dtype=np.float32)  # one image, 1×2, no channel axis
    enlarged = resize_images(row, (1, 4))
    np.testing.assert_allclose(enlarged[0, 0], [0.0, 0.25, 0.75, 1.0])


def test_resampling_keeps_values_in_range_and_constants_constant() -> None:
    images = np.random.default_rng(2).random((4, 8, 8, 1)).astype(np.float32)
    for size in [(28, 28), (5, 3), (8, 8)]:
        resized = resize_images(images, size)
        assert resized.dtype == np.float32
        assert images.min() - 1e-6 <= resized.min() and resized.max() <= images.max() + 1e-6
    flat = np.full((2, 7, 9, 1), 0.4, dtype=np.float32)
    np.testing.assert_allclose(resize_images(flat, (28, 13)), 0.4, rtol=1e-6)


def test_matching_shape_is_left_alone() -> None:
    x = np.zeros((2, 5, 5, 1), dtype=np.float32)
    fitted, notes = fit_to_input_shape(x, (5, 5, 1))
    assert fitted is x and notes == []


@pytest.mark.parametrize(
    ("data_shape", "declared", "notes"),
    [
        ((28, 28), (28, 28, 1), ["added a channel axis"]),
        ((28, 28, 1), (28, 28), ["dropped the channel axis"]),
        ((28, 28, 1), (784,), ["flattened (28, 28, 1) → (784,)"]),
        ((8, 8, 1), (784,), ["resized 8×8 → 28×28", "flattened (28, 28, 1) → (784,)"]),
        ((784,), (28, 28, 1), ["reshaped (784,) → (28, 28, 1)"]),
        ((64,), (28, 28, 1), ["reshaped (64,) → (8, 8, 1)", "resized 8×8 → 28×28"]),
        ((8, 8), (16, 16, 1), ["added a channel axis", "resized 8×8 → 16×16"]),
        ((32, 32, 3), (16, 16, 3), ["resized 32×32 → 16×16"]),
    ],
)
def test_fit_bridges_shapes_and_says_how(
    data_shape: tuple[int, ...], declared: tuple[int, ...], notes: list[str]
) -> None:
    x = np.random.default_rng(0).random((3, *data_shape)).astype(np.float32)
    fitted, said = fit_to_input_shape(x, declared)
    assert fitted.shape == (3, *declared)
    assert said == notes


def test_flattening_keeps_pixel_order() -> None:
    x = np.arange(2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3, 1)
    fitted, _ = fit_to_input_shape(x, (9,))
    np.testing.assert_array_equal(fitted, x.reshape(2, 9))


def test_unbridgeable_fit_names_the_source_and_both_shapes() -> None:
    with pytest.raises(NeuralError) as caught:
        fit_to_input_shape(np.zeros((2, 10), dtype=np.float32), (28, 28, 1), source="the csv:a.csv data")
    assert str(caught.value) == (
        "the csv:a.csv data has samples of shape (10,), which cannot be fitted to the model's input (28, 28, 1): "
        "change the input to (10,) or use data whose samples fit (28, 28, 1)"
    )
