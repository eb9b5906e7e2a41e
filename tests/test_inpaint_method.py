"""Specifications of the inpainting method: weights W, gradients, operators, search, blending, masks, pipeline."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from inpaint_helpers import tiny_inpainter

from inpaint.blend import poisson_blend
from inpaint.framing import context_frame
from inpaint.inference import PHOTO_CONTEXT
from inpaint.losses import contextual_loss, image_gradients, importance_weights, yeh_prior
from inpaint.masks import check_mask, preset_mask
from inpaint.operators import DownsampleOperator, MaskOperator
from inpaint.prior import InpaintPrior
from inpaint.search import SearchConfig, latent_search, project_to_ball, total_loss


@pytest.fixture(scope="module")
def tiny_prior() -> InpaintPrior:
    torch.manual_seed(0)
    return (
        InpaintPrior(latent_dim=8, channels=1, image_size=8, generator_channels=4, critic_channels=4, content_size=8)
        .eval()
        .requires_grad_(False)
    )


def test_importance_weights_are_zero_inside_the_hole_and_match_a_hand_computed_border() -> None:
    hole = torch.zeros(1, 1, 6, 6)
    hole[..., 2:4, 2:4] = 1
    weights = importance_weights(hole, window=3)
    assert weights[0, 0, 2:4, 2:4].eq(0).all()
    # (1, 1): its 3x3 window holds one hole pixel (2, 2); (1, 2): two; (2, 1): two; (0, 0): none.
    assert weights[0, 0, 1, 1].item() == pytest.approx(1 / 9)
    assert weights[0, 0, 1, 2].item() == pytest.approx(2 / 9)
    assert weights[0, 0, 2, 1].item() == pytest.approx(2 / 9)
    assert weights[0, 0, 0, 0].item() == 0.0
    assert weights[0, 0, 5, 5].item() == 0.0


def test_importance_weights_count_outside_the_image_as_known() -> None:
    hole = torch.zeros(1, 1, 4, 4)
    hole[..., 0, 1] = 1
    weights = importance_weights(hole, window=3)
    assert weights[0, 0, 0, 0].item() == pytest.approx(1 / 9)
    with pytest.raises(ValueError, match="odd"):
        importance_weights(hole, window=4)


def test_gradient_term_applies_the_same_finite_differences_to_both_images() -> None:
    x, y = torch.randn(1, 1, 5, 5), torch.randn(1, 1, 5, 5)
    weights = torch.rand(1, 1, 5, 5)
    (xx, xy), (yx, yy) = image_gradients(x), image_gradients(y)
    assert torch.allclose(xx[..., :, :-1], x[..., :, 1:] - x[..., :, :-1])
    assert torch.allclose(xy[..., :-1, :], x[..., 1:, :] - x[..., :-1, :])
    gradient_term = contextual_loss(x, y, weights, beta=1.0) - contextual_loss(x, y, weights, beta=0.0)
    expected = (weights * (xx - yx)).abs().sum() + (weights * (xy - yy)).abs().sum()
    assert gradient_term.item() == pytest.approx(expected.item(), rel=1e-5)
    # a constant offset has the same gradients: only the L1 term remains
    shifted = contextual_loss(y + 0.5, y, weights, beta=1.0)
    assert shifted.item() == pytest.approx(0.5 * weights.sum().item(), rel=1e-5)


@pytest.mark.parametrize("loss", ["contextual", "yeh", "brgm"])
def test_a_candidate_that_matches_every_known_pixel_has_no_data_loss_whatever_it_puts_in_the_hole(loss: str) -> None:
    hole = torch.zeros(1, 1, 8, 8)
    hole[..., 2:6, 3:7] = 1
    operator = MaskOperator(hole, window=3, loss=loss, beta=1.0)
    x = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    # y holds no data in the hole (zeros there): differences reaching into it must not count
    assert operator.data_loss(x, operator(x)).item() == 0.0
    assert operator.data_loss(x + 0.1, operator(x)).item() > 0.0


def test_brgm_data_term_is_the_squared_error_over_known_pixels() -> None:
    hole = torch.zeros(1, 1, 4, 4)
    hole[..., :2, :] = 1
    y = torch.zeros(1, 1, 4, 4)
    x = torch.full((1, 1, 4, 4), 0.5)
    # 8 known pixels off by 0.5 each; the 8 hole pixels do not count
    assert MaskOperator(hole, loss="brgm").data_loss(x, y).item() == pytest.approx(8 * 0.25)


def test_brgm_objective_is_the_negative_log_posterior_without_critic(tiny_prior: InpaintPrior) -> None:
    z = torch.randn(2, 8, generator=torch.Generator().manual_seed(1))
    hole = torch.zeros(2, 1, 8, 8)
    hole[..., 2:6, 2:6] = 1
    operator = MaskOperator(hole, loss="brgm")
    y = operator(torch.zeros(2, 1, 8, 8))
    config = SearchConfig(loss="brgm", noise_std=0.2, alpha=1e6)  # alpha is the critic's weight: unused by L-BRGM
    loss, images = total_loss(tiny_prior, operator, z, y, config)
    expected = operator.data_loss(images, y) / (2 * 0.2**2) + 0.5 * z.pow(2).sum(dim=1)
    assert config.prior_loss is None and torch.allclose(loss, expected)
    with pytest.raises(ValueError, match="noise_std"):
        SearchConfig(loss="brgm", noise_std=0.0)


def test_yeh_prior_equals_log_one_minus_sigmoid() -> None:
    scores = torch.tensor([[-3.0], [0.0], [2.5]])
    assert torch.allclose(yeh_prior(scores), torch.log(1 - torch.sigmoid(scores[:, 0])), atol=1e-6)


def test_operators_mask_the_hole_and_average_pool() -> None:
    hole = torch.zeros(1, 1, 4, 4)
    hole[..., :2, :] = 1
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    assert MaskOperator(hole)(x)[..., :2, :].eq(0).all() and MaskOperator(hole)(x)[..., 2:, :].equal(x[..., 2:, :])
    assert DownsampleOperator(2)(x)[0, 0, 0, 0].item() == pytest.approx((0 + 1 + 4 + 5) / 4)
    with pytest.raises(ValueError):
        DownsampleOperator(3)
    with pytest.raises(ValueError):
        MaskOperator(hole, loss="l2")


def test_back_projection_makes_an_enlargement_agree_with_the_observation() -> None:
    generator = torch.Generator().manual_seed(0)
    observed = (
        torch.rand(2, 3, 4, 4, generator=generator) - 0.5
    ) / 2  # mid-range: the result's clamp to [-1, 1] stays idle
    detail = (torch.rand(2, 3, 16, 16, generator=generator) - 0.5) / 2
    operator = DownsampleOperator(4)
    assert (operator(detail) - observed).abs().max() > 0.05
    assert (operator(operator.back_project(detail, observed)) - observed).abs().max() < 1e-3


def test_projection_keeps_latents_inside_the_ball() -> None:
    z = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    projected = project_to_ball(z, 1.0)
    assert torch.allclose(projected[0], torch.tensor([0.6, 0.8])) and torch.equal(projected[1], z[1])


@pytest.mark.parametrize("loss", ["contextual", "yeh", "brgm"])
def test_latent_search_loss_decreases_on_a_tiny_prior(tiny_prior: InpaintPrior, loss: str) -> None:
    target = tiny_prior.generator(torch.randn(2, 8, generator=torch.Generator().manual_seed(3)))
    hole = torch.zeros(2, 1, 8, 8)
    hole[..., 2:6, 2:6] = 1
    operator = MaskOperator(hole, window=3, loss=loss)
    state = latent_search(
        tiny_prior, operator, operator(target), SearchConfig(loss=loss, iterations=60, restarts=3, lr=0.05)
    )
    assert state.images.shape == target.shape and state.z.shape == (2, 8)
    assert state.history[-1] < 0.7 * state.history[0]
    if loss != "brgm":  # L-BRGM's Gaussian prior replaces the projection onto the ball
        assert state.z.norm(dim=1).max().item() <= 8**0.5 + 1e-4


def test_the_mean_of_one_restart_is_that_restart_and_of_several_is_their_average_not_the_best(
    tiny_prior: InpaintPrior,
) -> None:
    target = tiny_prior.generator(torch.randn(2, 8, generator=torch.Generator().manual_seed(3)))
    hole = torch.zeros(2, 1, 8, 8)
    hole[..., 2:6, 2:6] = 1
    operator = MaskOperator(hole, window=3, loss="brgm")
    search = SearchConfig(loss="brgm", iterations=20, restarts=1, lr=0.05)
    one_best, one_mean = (
        latent_search(tiny_prior, operator, operator(target), SearchConfig(**{**vars(search), "combine": c}))
        for c in ("best", "mean")
    )
    assert torch.equal(one_best.images, one_mean.images) and one_mean.z is None
    best, mean = (
        latent_search(
            tiny_prior, operator, operator(target), SearchConfig(**{**vars(search), "restarts": 4, "combine": c})
        )
        for c in ("best", "mean")
    )
    assert mean.images.shape == target.shape and not torch.allclose(mean.images, best.images)
    assert (mean.loss >= best.loss).all()  # the mean of the restarts' losses, never below the best one's
    with pytest.raises(ValueError, match="combine must be one of best, mean"):
        SearchConfig(combine="median")


def test_super_resolution_search_reduces_the_data_term(tiny_prior: InpaintPrior) -> None:
    target = tiny_prior.generator(torch.randn(1, 8, generator=torch.Generator().manual_seed(5)))
    operator = DownsampleOperator(2)
    state = latent_search(
        tiny_prior, operator, operator(target), SearchConfig(iterations=60, restarts=2, lr=0.05, z_weight=1e-3)
    )
    assert state.history[-1] < 0.5 * state.history[0]


def test_poisson_blend_recovers_the_target_when_the_source_differs_by_a_constant() -> None:
    rng = np.random.default_rng(0)
    target = rng.random((16, 16, 3))
    hole = np.zeros((16, 16), dtype=bool)
    hole[0:10, 4:12] = True  # touches the top border
    blended = poisson_blend(target + 0.3, target, hole)
    assert np.abs(blended - target).max() < 1e-10


def test_poisson_blend_keeps_known_pixels_and_an_empty_hole_changes_nothing() -> None:
    rng = np.random.default_rng(1)
    target, source = rng.random((12, 12)), rng.random((12, 12))
    hole = preset_mask("random", 12, 12, seed=2)
    blended = poisson_blend(source, target, hole)
    assert np.array_equal(blended[~hole], target[~hole])
    assert np.array_equal(poisson_blend(source, target, np.zeros((12, 12), bool)), target)
    with pytest.raises(ValueError, match="whole image"):
        poisson_blend(source, target, np.ones((12, 12), bool))


def test_poisson_blend_detail_zero_is_the_membrane_fill_and_detail_scales_the_source_linearly() -> None:
    rng = np.random.default_rng(3)
    target, source = rng.random((14, 14, 3)), rng.random((14, 14, 3))
    hole = np.zeros((14, 14), dtype=bool)
    hole[3:11, 4:10] = True
    membrane = poisson_blend(source, target, hole, detail=0.0)
    assert np.allclose(membrane, poisson_blend(rng.random((14, 14, 3)), target, hole, detail=0.0))
    ys, xs = np.nonzero(hole)  # harmonic: every hole pixel is the mean of its four neighbours
    neighbours = (membrane[ys - 1, xs] + membrane[ys + 1, xs] + membrane[ys, xs - 1] + membrane[ys, xs + 1]) / 4
    assert np.allclose(membrane[ys, xs], neighbours)
    seamless = poisson_blend(source, target, hole)
    assert np.allclose(poisson_blend(source, target, hole, detail=0.4), membrane + 0.4 * (seamless - membrane))


def test_preset_masks_have_their_shapes() -> None:
    assert preset_mask("center", 32, 32)[8:24, 8:24].all() and preset_mask("center", 32, 32).sum() == 256
    assert preset_mask("half", 32, 32)[:, :16].all() and not preset_mask("half", 32, 32)[:, 16:].any()
    random = preset_mask("random", 32, 32, seed=4)
    assert random.mean() >= 0.25 and np.array_equal(random, preset_mask("random", 32, 32, seed=4))


def test_scratch_preset_is_a_thin_connected_stroke_from_the_left_edge_to_the_right() -> None:
    scratch = preset_mask("scratch", 64, 96, seed=3)
    assert scratch[:, 0].any() and scratch[:, -1].any()  # it crosses the whole image
    assert scratch.all(axis=0).sum() == 0 and scratch.any(axis=0).all()  # every column is touched, none covered
    assert 0.02 < scratch.mean() < 0.2  # thin: a few pixels wide, not a band
    count, _ = cv2.connectedComponents(scratch.astype(np.uint8))
    assert count == 2  # background and one stroke
    assert np.array_equal(scratch, preset_mask("scratch", 64, 96, seed=3)) and not np.array_equal(
        scratch, preset_mask("scratch", 64, 96, seed=4)
    )


def test_check_mask_refuses_full_and_mismatched_masks() -> None:
    with pytest.raises(ValueError, match="whole image"):
        check_mask(np.ones((8, 8)), (8, 8, 3))
    with pytest.raises(ValueError, match="same size"):
        check_mask(np.zeros((8, 9)), (8, 8, 3))


def test_inpainting_refuses_an_empty_mask_before_searching() -> None:
    image = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="mask is empty"):
        tiny_inpainter().inpaint(image, np.zeros((20, 30), bool))


def test_inpainting_a_large_image_changes_only_the_hole(device: torch.device) -> None:
    image = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    hole = np.zeros((40, 60), bool)
    hole[10:18, 30:38] = True
    assert context_frame(hole, 8, PHOTO_CONTEXT) == (2, 22, 26, 46)  # the hole's side of context each way
    reports = list(
        tiny_inpainter(device=device).inpaint_steps(
            image, hole, SearchConfig(iterations=10, restarts=2, report_every=5), "gan"
        )
    )
    result = reports[-1].result
    assert [r.done for r in reports] == [False, True]
    assert reports[0].preview.shape == (8, 8, 3)
    for filled in (result.image, result.classical):
        assert filled.shape == image.shape and filled.dtype == np.uint8
        assert np.array_equal(filled[~hole], image[~hole]) and not np.array_equal(filled[hole], image[hole])
    assert result.crop == (2, 22, 26, 46) and result.model == "tiny" and result.seconds > 0 and result.fill == "gan"


def test_a_forced_gan_fill_names_the_largest_hole_a_photo_prior_fills() -> None:
    inpainter = tiny_inpainter()
    image = np.zeros((200, 200, 3), np.uint8)
    hole = np.zeros((200, 200), bool)
    hole[:21, :21] = True
    assert inpainter.max_hole_side == 21  # 8 × 8 px / (1 + 2 × PHOTO_CONTEXT)
    inpainter.check_frame(hole, inpainter.framing(image, hole).box)
    hole[21, 0] = True
    with pytest.raises(ValueError, match=r"The hole spans 21×22 pixels, too large .* up to 21×21 pixels"):
        inpainter.inpaint(image, hole, SearchConfig(iterations=2, restarts=1), fill="gan")


def test_by_default_a_hole_too_large_for_the_frame_gets_the_classical_fill_without_a_search() -> None:
    image = np.random.default_rng(0).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    hole = np.zeros((200, 200), bool)
    hole[20:180, 20:180] = True
    result = tiny_inpainter().inpaint(image, hole, SearchConfig(iterations=2, restarts=1))
    assert result.fill == "skimage-biharmonic" and np.array_equal(result.image, result.classical)


def test_super_resolution_enlarges_the_input_by_the_factor(device: torch.device) -> None:
    small = np.random.default_rng(0).integers(0, 256, (4, 4, 3), dtype=np.uint8)
    result = tiny_inpainter(device=device).super_resolve(small, 2, SearchConfig(iterations=4, restarts=1))
    assert result.image.shape == (8, 8, 3) and result.bicubic.shape == (8, 8, 3) and result.factor == 2


def test_a_super_resolved_image_shrunk_back_is_the_input() -> None:
    small = np.random.default_rng(1).integers(60, 200, (4, 4, 3), dtype=np.uint8)
    result = tiny_inpainter().super_resolve(small, 2, SearchConfig(iterations=4, restarts=1))
    shrunk = result.image.astype(float).reshape(4, 2, 4, 2, 3).mean(axis=(1, 3))
    assert np.abs(shrunk - small).max() <= 1.0


def test_super_resolution_never_shrinks_and_enlarges_the_central_square_of_larger_inputs() -> None:
    inpainter = tiny_inpainter()
    narrow = np.zeros((3, 2, 3), np.uint8)
    result = inpainter.super_resolve(narrow, 2, SearchConfig(iterations=2, restarts=1))
    assert result.image.shape == (6, 4, 3)
    wide = inpainter.super_resolve(np.zeros((4, 5, 3), np.uint8), 2, SearchConfig(iterations=2, restarts=1))
    assert (
        wide.image.shape == (8, 8, 3) and "the central square (the 4×4 px frame at (0, 0)), ×2 to 8×8 px" in wide.note
    )
    with pytest.raises(ValueError, match="factor must be one of 2, 4"):
        inpainter.super_resolve(narrow, 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [("iterations", 0), ("restarts", 2.5), ("lr", float("nan")), ("alpha", -1.0), ("window", 4), ("loss", "l2")],
)
def test_search_config_refuses_values_that_cannot_work(field: str, value: object) -> None:
    with pytest.raises(ValueError, match="search"):
        SearchConfig(**{field: value})


def test_the_showcase_has_a_row_per_photo_and_mask_and_a_column_per_fill() -> None:
    from evaluation.inpaint_showcase import SOLVERS, showcase
    from gan.sheets import LABEL_HEIGHT

    rng = np.random.default_rng(0)
    photos = {f"face {i}": rng.integers(0, 255, (16, 16, 3), dtype=np.uint8) for i in range(2)}
    sheet = showcase(photos, ["center", "scratch"], tiny_inpainter(), SearchConfig(iterations=2, restarts=1), side=32)
    columns = 1 + len(SOLVERS) + 2  # the photo with its hole, each solver, the classical fill, the original
    assert sheet.size == (columns * 32, 4 * (32 + LABEL_HEIGHT))
    first = np.asarray(sheet.crop((0, LABEL_HEIGHT, 32, LABEL_HEIGHT + 32)))
    hole = preset_mask("center", 16, 16).repeat(2, 0).repeat(2, 1)
    assert (first[hole] == 255).all()  # the hole is shown white, enlarged with sharp pixels
    original = np.asarray(sheet.crop(((columns - 1) * 32, LABEL_HEIGHT, columns * 32, LABEL_HEIGHT + 32)))
    assert np.array_equal(original[::2, ::2], photos["face 0"])
