"""Colour as a distribution over ab bins: quantisation, soft targets, rebalancing, the annealed mean, and its model."""

import numpy as np
import pytest
import torch
from PIL import Image

from colorgan.inference import Colorizer
from colorgan.lab import AB_RANGE, rgb_to_lab
from colorgan.models import ChromaGANGenerator
from colorgan.quantize import (
    annealed_mean,
    bin_prior,
    in_gamut_bins,
    nearest_bins,
    rebalanced_cross_entropy,
    rebalancing_weights,
    soft_encode,
)
from colorgan.task import ColorizationTask, build_critic
from colorgan.variants import get_variant
from gan.data import ImageSet, RandomCrops, photos_128_val
from gan.hub import ModelCard, save_model, warm_start


@pytest.fixture(scope="module")
def centres() -> torch.Tensor:
    return in_gamut_bins()


def distribution_model(centres: torch.Tensor, num_classes: int = 3) -> ChromaGANGenerator:
    model = ChromaGANGenerator(
        base_channels=4, depth=2, max_channels=8, global_channels=8, num_classes=num_classes, ab_bins=len(centres)
    )
    model.ab_centres.copy_(centres)
    return model


def test_the_in_gamut_bins_are_the_10_wide_cells_that_srgb_colours_fall_in(centres):
    assert len(centres) == 261  # Zhang et al.'s 313 include cells no sRGB colour reaches
    grid = torch.round(centres * AB_RANGE / 10)
    assert torch.allclose(grid * 10, centres * AB_RANGE, atol=1e-4)  # centres on the grid
    pure = rgb_to_lab(torch.eye(3).T.reshape(3, 3, 1))[1:, :, 0].T / AB_RANGE  # red, green, blue
    assert torch.cdist(pure, centres).min(1).values.max() * AB_RANGE < 7.1  # every primary lies in a kept cell


def test_soft_targets_spread_over_the_five_nearest_bins_and_sum_to_one(centres):
    ab = torch.tensor([0.2, -0.3]).view(1, 2, 1, 1).expand(2, 2, 3, 3).contiguous()
    target = soft_encode(ab, centres)
    assert target.shape == (2, len(centres), 3, 3)
    assert torch.allclose(target.sum(1), torch.ones(2, 3, 3))
    assert ((target > 0).sum(1) == 5).all()
    assert (target.argmax(1) == nearest_bins(ab, centres)).all()


def test_far_out_of_gamut_colours_still_get_a_finite_target(centres):
    assert torch.isfinite(soft_encode(torch.full((1, 2, 1, 1), 1.0), centres)).all()


def test_the_annealed_mean_goes_from_the_mean_at_t1_to_the_mode_as_t_falls(centres):
    logits = torch.full((1, len(centres), 1, 1), 0.0)
    green, blue = 10, 200
    logits[0, green], logits[0, blue] = 3.0, 2.5
    mean = annealed_mean(logits, centres, 1.0)[0, :, 0, 0]
    sharp = annealed_mean(logits, centres, 0.05)[0, :, 0, 0]
    assert torch.allclose(sharp, centres[green], atol=1e-3)
    probabilities = torch.softmax(logits[0, :, 0, 0], 0)
    assert torch.allclose(mean, probabilities @ centres, atol=1e-5)


def test_rebalancing_weights_average_to_one_under_the_prior_and_favour_rare_colours(centres):
    ab = torch.zeros(1, 2, 10, 10)
    ab[..., :2] = torch.tensor([-0.4, 0.4]).view(1, 2, 1, 1)  # 20 % green, the rest gray
    prior = bin_prior(ab, centres)
    weights = rebalancing_weights(prior, centres)
    gray, green = nearest_bins(ab, centres)[0, 0, -1], nearest_bins(ab, centres)[0, 0, 0]
    assert (prior.double() * weights.double()).sum().item() == pytest.approx(1, abs=1e-4)
    assert weights[green] > weights[gray]


def test_the_cross_entropy_is_lowest_for_logits_that_predict_the_truth(centres):
    ab = torch.tensor([-0.3, 0.3]).view(1, 2, 1, 1).expand(1, 2, 4, 4)
    weights = torch.ones(len(centres))
    right = torch.log(soft_encode(ab, centres) + 1e-6)
    wrong = torch.log(soft_encode(-ab, centres) + 1e-6)
    assert rebalanced_cross_entropy(right, ab, centres, weights) < rebalanced_cross_entropy(wrong, ab, centres, weights)


def test_a_distribution_model_predicts_bins_at_half_resolution_and_ab_at_full(centres):
    model = distribution_model(centres).eval()
    lightness = torch.rand(2, 1, 16, 24) * 2 - 1
    bins, classes = model(lightness, bins=True)
    assert bins.shape == (2, len(centres), 8, 12) and classes.shape == (2, 3)
    assert model(lightness).shape == (2, 2, 16, 24)


def test_a_distribution_model_warm_starts_from_a_regression_model_but_its_colour_head(centres, tmp_path):
    source = ChromaGANGenerator(base_channels=4, depth=2, max_channels=8, global_channels=8, num_classes=3)
    folder = save_model(source, tmp_path / "regression", ModelCard("regression", "test", "none", "none"))
    model = distribution_model(centres)
    fresh = warm_start(model, str(folder))
    assert set(fresh) == {"ab_centres", "color_head.weight", "color_head.bias"}
    assert torch.equal(model.encoder[0][0][0].weight, source.encoder[0][0][0].weight)


def test_a_saved_distribution_model_keeps_its_bins_and_a_lower_temperature_gives_more_colour(centres, tmp_path):
    model = distribution_model(centres)
    with torch.no_grad():
        model.color_head.bias[nearest_bins(torch.tensor([-0.4, 0.4]).view(1, 2, 1, 1), centres).item()] = (
            6.0  # green is likeliest
        )
    folder = save_model(model, tmp_path / "dist", ModelCard("dist", "test", "none", "none"))
    colorizer = Colorizer.from_pretrained(str(folder), device="cpu")
    assert torch.equal(colorizer.model.ab_centres, centres) and colorizer.predicts_distribution
    photo = Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 56), dtype=np.uint8))
    chroma = {}
    for temperature in (0.1, 1.0):
        result = colorizer(photo, 32, temperature=temperature)
        lab = rgb_to_lab(torch.from_numpy(np.asarray(result.image, dtype=np.float32) / 255).permute(2, 0, 1))
        chroma[temperature] = lab[1:].norm(dim=0).mean().item()
        assert result.temperature == temperature
    assert chroma[0.1] > chroma[1.0]
    with pytest.raises(ValueError, match="temperature must be between"):
        colorizer(photo, 32, temperature=3.0)


def test_the_distribution_variant_trains_its_head_with_the_critic_on_the_decoded_colour(centres):
    variant = get_variant("chromagan-dist")
    model = distribution_model(centres)
    task = ColorizationTask(model, build_critic(variant, 4, 2), variant, bin_weights=torch.ones(len(centres)))
    batch = (torch.rand(4, 3, 16, 16) * 2 - 1, torch.tensor([0, 1, -1, -1]))  # two photos with no class
    loss, logs = task.generator_loss(batch, model, task.critic)
    loss.backward()
    assert torch.isfinite(loss) and {"reconstruction", "g_adv", "class_kl"} <= set(logs)
    assert model.color_head.weight.grad.abs().sum() > 0
    critic_loss, _ = task.critic_loss(batch, model, task.critic)
    assert torch.isfinite(critic_loss)
    scores = task.evaluate(batch)
    assert {"auc", "auc_rebalanced", "auc_gray", "auc_rebalanced_gray", "selection"} <= set(scores)


def test_photos_128_holds_out_a_stable_twentieth_by_file_name():
    names = [f"intel150/{i:05d}.jpg" for i in range(4000)]
    held = [name for name in names if photos_128_val(name)]
    assert 150 < len(held) < 250 and held == [name for name in names if photos_128_val(name)]


def test_random_crops_keep_the_photos_pixel_scale_and_can_drop_their_class():
    images = torch.arange(2 * 3 * 8 * 8, dtype=torch.uint8).view(2, 3, 8, 8)
    crops = RandomCrops(ImageSet(images, torch.tensor([0, 1]), ("a", "b")), 4, label=-1)
    crop, label = crops[1]
    assert crop.shape == (3, 4, 4) and label.item() == -1
    assert torch.allclose(
        crop[0, 0, 1:] - crop[0, 0, :-1], torch.full((3,), 2 / 255)
    )  # neighbours one pixel apart, as in the photo
