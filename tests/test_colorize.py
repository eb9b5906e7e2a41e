"""The Lab pipeline and full-resolution colorization keep what the photo already has."""

import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorgan.inference import Colorizer, ColorizeResult, colorize
from colorgan.lab import gray_rgb, join_normalized, lab_to_rgb, rgb_to_lab, split_normalized
from colorgan.models import ChromaGANGenerator
from colorgan.task import random_zoom
from evaluation.colorize import evaluate_model, evaluate_photos, frechet_to_truth
from evaluation.colorize import main as evaluate_main
from evaluation.colorize_showcase import showcase
from gan.card import ModelCard
from gan.fid import TinyImageNetClassifier
from gan.hub import save_model
from gan.metrics import bootstrap_mean_interval
from gan.sheets import LABEL_HEIGHT


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
    return ChromaGANGenerator(base_channels=8, depth=3, max_channels=16, global_channels=8).eval()


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
    difference = np.abs(
        np.asarray(colorize(color, untrained_model, 32), dtype=int)
        - np.asarray(colorize(gray, untrained_model, 32), dtype=int)
    )
    assert difference.max() <= 3  # only 8-bit rounding of the two inputs differs


def test_the_decoder_sees_the_global_semantic_vector_of_the_whole_image():
    torch.manual_seed(0)
    model = ChromaGANGenerator(base_channels=8, depth=3, max_channels=16, global_channels=8, num_classes=5).eval()
    lightness = torch.rand(1, 1, 256, 256) * 2 - 1
    changed = lightness.clone()
    changed[..., :, :96] = -1  # the left part only: the bottom-right corner is out of the convolutions' reach
    ab, logits = model(lightness, with_classes=True)
    assert logits.shape == (1, 5)
    assert not torch.equal(ab[..., -16:, -16:], model(changed)[..., -16:, -16:])
    model.global_branch.forward = lambda features: torch.zeros(features.shape[0], 8)
    assert torch.equal(model(lightness)[..., -16:, -16:], model(changed)[..., -16:, -16:])


@pytest.mark.parametrize("size", [16, 1024])
def test_the_colorizer_predicts_at_the_asked_size_and_reports_it(tmp_path, untrained_model, device, size):
    folder = save_model(untrained_model, tmp_path / "tiny", ModelCard("tiny", "test", "none", "none"))
    colorizer = Colorizer.from_pretrained(str(folder), device=device)
    result = colorizer(Image.new("L", (300, 200), 128), size)
    assert isinstance(result, ColorizeResult) and result.image.size == (300, 200)
    assert max(result.size) == size and result.size[0] % 8 == 0 and result.model == str(folder)
    assert result.source == "folder tiny" and result.seconds > 0


def test_the_colorizer_refuses_a_prediction_size_outside_its_range(tmp_path, untrained_model):
    folder = save_model(untrained_model, tmp_path / "tiny", ModelCard("tiny", "test", "none", "none"))
    with pytest.raises(ValueError, match="between 16 and 1024"):
        Colorizer.from_pretrained(str(folder))(Image.new("L", (64, 64)), 5000)


class ConstantChroma(torch.nn.Module):
    """A colorizer that predicts the same (a, b) everywhere: normalized (0.1, 0.2), a mild orange."""

    size_multiple = 8

    def __init__(self) -> None:
        super().__init__()
        self.ab = torch.nn.Parameter(torch.tensor([0.1, 0.2]))

    def forward(self, lightness: torch.Tensor) -> torch.Tensor:
        return self.ab.view(1, 2, 1, 1).expand(lightness.shape[0], 2, *lightness.shape[-2:])


def test_color_strength_scales_the_predicted_chroma_and_zero_gives_the_gray_photo():
    gray = Image.new("L", (64, 48), 128)

    def mean_ab(image):
        lab = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255).permute(2, 0, 1)[None]
        return split_normalized(lab)[1].mean((0, 2, 3))

    chroma = {s: mean_ab(colorize(gray, ConstantChroma(), 32, s)) for s in (0.0, 0.5, 1.0, 2.0)}
    for strength in (0.5, 1.0, 2.0):
        assert torch.allclose(chroma[strength], strength * torch.tensor([0.1, 0.2]), atol=0.01)
    assert np.array_equal(np.asarray(colorize(gray, ConstantChroma(), 32, 0.0)), np.asarray(gray.convert("RGB")))


@pytest.mark.parametrize("strength", [-0.5, 2.5, float("nan")])
def test_the_colorizer_refuses_a_color_strength_outside_its_range(tmp_path, untrained_model, strength):
    folder = save_model(untrained_model, tmp_path / "tiny", ModelCard("tiny", "test", "none", "none"))
    with pytest.raises(ValueError, match="color strength must be between 0 and 2"):
        Colorizer.from_pretrained(str(folder))(Image.new("L", (64, 64)), 64, strength)


def test_a_hosted_colorizer_does_not_load_server_folders(tmp_path, untrained_model):
    folder = save_model(untrained_model, tmp_path / "tiny", ModelCard("tiny", "test", "none", "none"))
    with pytest.raises(ValueError, match="name a shipped model or a Hub repo id"):
        Colorizer.from_pretrained(str(folder), allow_local=False)


PHOTOS = Path(__file__).resolve().parent / "data" / "photos"


def test_evaluation_scores_a_model_on_its_own_device_against_the_gray_baseline(untrained_model, device):
    data = f"folder:{PHOTOS}"
    gray = evaluate_model(None, data, limit=8, size=32)
    model = evaluate_model(untrained_model.to(device), data, limit=8, size=32)
    assert set(model) == {
        "auc",
        "auc_rebalanced",
        "psnr",
        "gain_over_gray",
        "gain_over_gray_low",
        "gain_over_gray_high",
        "ssim",
        "colorfulness",
        "colorfulness_truth",
        "seconds",
    }
    assert gray["colorfulness"] < 1 < gray["colorfulness_truth"] == model["colorfulness_truth"]
    assert abs(gray["gain_over_gray"]) < 0.01
    assert model["gain_over_gray_low"] <= model["gain_over_gray"] <= model["gain_over_gray_high"]
    assert model["gain_over_gray"] == pytest.approx(model["psnr"] - gray["psnr"], abs=0.01)
    assert abs(model["psnr"] - gray["psnr"]) < 1  # an untrained model stays near gray


def test_the_interval_of_a_mean_gain_holds_the_mean_and_narrows_with_more_images():
    rng = np.random.default_rng(0)
    few, many = rng.normal(0.4, 1.0, 23), rng.normal(0.4, 1.0, 2000)
    low_few, high_few = bootstrap_mean_interval(few)
    low_many, high_many = bootstrap_mean_interval(many)
    assert low_few < few.mean() < high_few and low_many < many.mean() < high_many
    assert high_many - low_many < (high_few - low_few) / 5  # about sqrt(2000 / 23) = 9 times narrower
    assert 0.3 < low_many < 0.4 < high_many < 0.5
    assert bootstrap_mean_interval(few) == (low_few, high_few)  # seeded: a rerun prints the same table
    assert bootstrap_mean_interval(np.full(5, 0.5)) == (0.5, 0.5)


def test_models_are_compared_on_the_validation_split_whose_images_are_not_the_test_images():
    data = f"folder:{PHOTOS}"
    val = evaluate_model(None, data, limit=8, size=32, split="val")
    test = evaluate_model(None, data, limit=8, size=32, split="test")
    assert val["colorfulness_truth"] != test["colorfulness_truth"]


def test_a_validation_split_of_whole_photos_is_refused_in_one_sentence(capsys):
    with pytest.raises(SystemExit):
        evaluate_main(["--data", f"folder:{PHOTOS}", "--split", "val"])
    assert "--split applies to registered datasets" in capsys.readouterr().err


def test_whole_photo_evaluation_keeps_each_photo_at_its_own_size(tmp_path, untrained_model):
    (tmp_path / "photos").mkdir()
    for name, size in (("wide.jpg", (90, 40)), ("tall.jpg", (30, 70))):
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (*size[::-1], 3), dtype=np.uint8)).save(
            tmp_path / "photos" / name
        )
    folder = save_model(untrained_model, tmp_path / "tiny", ModelCard("tiny", "test", "none", "none"))
    scores = evaluate_photos(Colorizer.from_pretrained(str(folder)), f"folder:{tmp_path / 'photos'}", size=32)
    assert scores["psnr"] > 10 and scores["colorfulness_truth"] > 10


def test_fid_tin_is_zero_for_the_true_colors_and_positive_for_gray(tmp_path, capsys):
    torch.manual_seed(0)
    classifier = TinyImageNetClassifier(width=2).eval()
    rng = np.random.default_rng(0)
    truths = [rng.random((40 + i % 3, 50, 3)) for i in range(32)]  # any sizes: cropped square, resized to 64
    grays = [np.repeat(t.mean(axis=2, keepdims=True), 3, axis=2) for t in truths]
    assert frechet_to_truth(truths, truths, classifier) < 1e-6 < frechet_to_truth(grays, truths, classifier)
    # the CLI adds the column, named FID-TIN, for the gray baseline and the model
    folder = save_model(classifier, tmp_path / "fid", ModelCard("fid", "test", "none", "none"))
    evaluate_main(
        [
            "--data",
            f"folder:{PHOTOS}",
            "--models",
            "colorgan-chromagan",
            "--weights-from",
            "",
            "--fid-classifier",
            str(folder),
            "--size",
            "32",
        ]
    )
    table = capsys.readouterr().out
    assert "FID-TIN (vs true colors)" in table and "FID " not in table.replace("FID-TIN", "")
    assert "PSNR gain over gray (dB, 95 % CI)" in table


def test_the_standard_inception_fid_is_a_flag_away_and_named_so_in_its_column(
    monkeypatch, capsys, tmp_path, untrained_model
):
    import evaluation.colorize as evaluation

    features = []
    monkeypatch.setitem(sys.modules, "torch_fidelity", types.ModuleType("torch_fidelity"))  # present, as online
    monkeypatch.setattr(evaluation, "frechet_distance", lambda real, fake, feature: features.append(feature) or 1.0)
    evaluate_main(
        [
            "--data",
            f"folder:{PHOTOS}",
            "--fid-classifier",
            "inception",
            "--size",
            "32",
            "--weights-from",
            "",  # no Tiny ImageNet for the training-colour weights: the test must pass on a fresh clone
            "--models",
            str(save_model(untrained_model, tmp_path / "tiny", ModelCard("tiny", "test", "none", "none"))),
        ]
    )
    table = capsys.readouterr().out
    assert features == ["inception"] * 3 and "FID, Inception-v3 (vs true colors)" in table and "FID-TIN" not in table


def test_the_inception_fid_without_torch_fidelity_is_refused_in_one_sentence(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch_fidelity", None)  # not installed
    with pytest.raises(SystemExit):
        evaluate_main(["--data", f"folder:{PHOTOS}", "--fid-classifier", "inception"])
    assert "needs torch-fidelity" in capsys.readouterr().err


def test_the_gray_version_of_a_photo_keeps_its_lightness_and_has_no_chroma():
    rgb = torch.rand(3, 24, 24)
    gray = gray_rgb(rgb)
    assert (rgb_to_lab(gray)[0] - rgb_to_lab(rgb)[0]).abs().max() < 0.05
    assert rgb_to_lab(gray)[1:].abs().max() < 0.05


def test_the_showcase_has_a_row_per_photo_and_a_column_for_input_each_model_and_the_original(untrained_model):
    photos = {
        f"photo {i}": Image.fromarray(np.random.randint(0, 255, (40 + 8 * i, 60, 3), dtype=np.uint8)) for i in range(2)
    }
    colorizers = {"untrained": Colorizer(untrained_model, "untrained", "test", torch.device("cpu"))}
    sheet = showcase(photos, colorizers, size=32, side=30)
    assert sheet.size == (3 * 30, (20 + LABEL_HEIGHT) + (24 + LABEL_HEIGHT))
    gray_input = np.asarray(sheet.crop((0, LABEL_HEIGHT, 30, LABEL_HEIGHT + 20)), dtype=np.float32) / 255
    assert rgb_to_lab(torch.from_numpy(gray_input).permute(2, 0, 1))[1:].abs().max() < 1.5


def test_a_zoom_of_one_leaves_training_photos_unchanged():
    images = torch.rand(4, 3, 16, 16)
    assert torch.equal(random_zoom(images, 1.0), images)


def test_a_random_zoom_shows_between_half_and_all_of_the_photo_and_never_its_border():
    ramp = torch.linspace(0, 1, 64).expand(8, 3, 64, 64).contiguous()  # value = horizontal position
    zoomed = random_zoom(ramp, 2.0, torch.Generator().manual_seed(0))
    seen = zoomed.amax(dim=(1, 2, 3)) - zoomed.amin(dim=(1, 2, 3))
    assert zoomed.shape == ramp.shape
    assert (seen >= 0.5 - 0.05).all() and (seen <= 1).all()
    assert (seen < 0.95).any()  # some views are zoomed in
    assert torch.allclose(zoomed[:, :, 0], zoomed[:, :, -1])  # a pure zoom: rows still match
