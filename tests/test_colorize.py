"""The Lab pipeline and full-resolution colorization keep what the photo already has."""
import numpy as np
import pytest
import torch
from PIL import Image

from colorgan.inference import colorize
from colorgan.lab import join_normalized, lab_to_rgb, rgb_to_lab, split_normalized
from colorgan.models import ChromaGANGenerator


def test_lab_round_trip_error_is_below_one_level_of_8_bit():
    rgb = torch.rand(8, 3, 32, 32)
    assert (lab_to_rgb(rgb_to_lab(rgb)) - rgb).abs().max().item() < 1 / 255


def test_normalized_l_and_ab_lie_in_minus_one_to_one_and_join_back():
    rgb = torch.rand(4, 3, 16, 16)
    lightness, ab = split_normalized(rgb)
    assert lightness.abs().max() <= 1 and ab.abs().max() <= 1
    assert (join_normalized(lightness, ab) - rgb).abs().max() < 1 / 255


def test_white_is_l100_and_neutral():
    lab = rgb_to_lab(torch.ones(1, 3, 1, 1)).flatten()
    assert lab[0].item() == pytest.approx(100, abs=1e-3) and lab[1:].abs().max() < 0.01


@pytest.fixture(scope="module")
def untrained_model():
    return ChromaGANGenerator(base_channels=8, depth=3, max_channels=16).eval()


@pytest.mark.parametrize("size", [(37, 23), (300, 200), (64, 64)])
def test_colorize_returns_the_input_size(untrained_model, size):
    gray = Image.fromarray(np.random.randint(0, 255, size[::-1], dtype=np.uint8))
    assert colorize(gray, untrained_model, 32).size == size


def test_colorize_keeps_input_luminance(untrained_model):
    gray = Image.fromarray(np.random.randint(0, 255, (50, 70), dtype=np.uint8)).convert("RGB")
    result = colorize(gray, untrained_model, 32)
    to_l = lambda img: rgb_to_lab(torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1))[0]  # noqa: E731
    # out-of-gamut colors are clipped to sRGB, which may move L slightly; the 8-bit rounding moves it < 0.5
    assert (to_l(result) - to_l(gray)).abs().median().item() < 0.5


def test_the_chroma_of_a_color_photo_is_ignored(untrained_model):
    rgb = torch.rand(1, 3, 32, 32)
    lightness, ab = split_normalized(rgb)
    to_image = lambda t: Image.fromarray((t[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8))  # noqa: E731
    color, gray = to_image(rgb), to_image(join_normalized(lightness, torch.zeros_like(ab)))
    difference = np.abs(np.asarray(colorize(color, untrained_model, 32), dtype=int) - np.asarray(colorize(gray, untrained_model, 32), dtype=int))
    assert difference.max() <= 3  # only 8-bit rounding of the two inputs differs
