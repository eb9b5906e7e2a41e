"""The colour measure: AuC of per-pixel ab error, raw and class-rebalanced, sees what PSNR does not."""

import numpy as np
import pytest
import torch
from PIL import Image

from colorgan.lab import lab_to_rgb
from evaluation.colorize import GRAY_BASELINE, MEAN_TINT, classifier_accuracy, colour_scores, mean_true_ab, score_pairs
from evaluation.colorize import main as evaluate_main
from gan.fid import TinyImageNetClassifier
from gan.metrics import ab_auc, ab_error_table, ab_frequencies, inverse_frequency, top1_accuracy


def lab_photo(patches: list[tuple[float, float]], lightness: float = 60.0, side: int = 8) -> np.ndarray:
    """An HWC float [0, 1] photo of vertical stripes, one (a, b) each, at one lightness."""
    lab = torch.zeros(3, side, side * len(patches))
    lab[0] = lightness
    for i, (a, b) in enumerate(patches):
        lab[1, :, i * side : (i + 1) * side], lab[2, :, i * side : (i + 1) * side] = a, b
    return lab_to_rgb(lab).permute(1, 2, 0).double().numpy()


@pytest.fixture
def scene() -> list[np.ndarray]:
    """Mostly brown ground, a little green grass and blue sky: the common colour and two rare, saturated ones."""
    return [lab_photo([(10, 20)] * 6 + [(-40, 40), (0, -40)]), lab_photo([(12, 18)] * 7 + [(-35, 35)])]


def test_a_perfect_colouring_scores_100_and_every_threshold_missed_scores_0():
    truth = np.random.default_rng(0).normal(0, 30, (6, 6, 2))
    assert ab_auc(ab_error_table(truth, truth)) == pytest.approx(100)
    assert ab_auc(ab_error_table(truth + 200, truth)) == 0


def test_the_auc_is_the_mean_share_of_pixels_within_each_threshold():
    truth = np.zeros((1, 2, 2))
    prediction = np.array([[[0.0, 0.0], [75.0, 0.0]]])  # one pixel right, one 75 off
    # the share is 1/2 below 75 and 1 from 75 on: area (75 * 0.5 + 75 * 1) / 150 = 0.75
    assert ab_auc(ab_error_table(prediction, truth)) == pytest.approx(75, abs=0.5)


def test_tables_of_several_images_add_up_to_the_table_of_all_their_pixels():
    rng = np.random.default_rng(1)
    first, second = rng.normal(0, 20, (4, 4, 2)), rng.normal(0, 20, (3, 5, 2))
    truth1, truth2 = rng.normal(0, 20, (4, 4, 2)), rng.normal(0, 20, (3, 5, 2))
    joined = ab_error_table(
        np.concatenate([first.reshape(-1, 2), second.reshape(-1, 2)]),
        np.concatenate([truth1.reshape(-1, 2), truth2.reshape(-1, 2)]),
    )
    assert np.array_equal(ab_error_table(first, truth1) + ab_error_table(second, truth2), joined)


def test_rebalancing_weighs_each_colour_by_the_inverse_of_its_frequency():
    truth = np.array([[[10.0, 20.0]] * 9 + [[-40.0, 40.0]]])  # 9 brown pixels, 1 green
    gray = np.zeros_like(truth)
    table = ab_error_table(gray, truth)
    weights = inverse_frequency(ab_frequencies(table))
    # rebalanced, the green pixel counts as much as all nine brown ones: the gray photo loses more
    assert ab_auc(table, weights) < ab_auc(table)
    assert ab_frequencies(table).sum() == pytest.approx(1) and ab_frequencies(truth).max() == pytest.approx(0.9)


def test_a_colour_the_reference_never_saw_weighs_as_its_rarest_colour():
    assert np.array_equal(inverse_frequency(np.array([0.5, 0.25, 0.0, 0.25])), [2, 4, 4, 4])


def test_gray_and_a_constant_mean_tint_score_below_a_correct_colouring(scene):
    gray = [lab_photo([(0, 0)] * (t.shape[1] // 8)) for t in scene]
    tint_ab = mean_true_ab(scene)
    tint = [lab_photo([tuple(tint_ab)] * (t.shape[1] // 8)) for t in scene]
    near = [
        lab_photo([(12, 22)] * 6 + [(-38, 38), (2, -38)]),
        lab_photo([(14, 16)] * 7 + [(-33, 37)]),
    ]  # right, a few units off
    right, gray_scores, tint_scores = (colour_scores(p, scene, None) for p in (near, gray, tint))
    for key in ("auc", "auc_rebalanced"):
        assert right[key] > tint_scores[key] and right[key] > gray_scores[key]
    # gray loses far more when rare colours count: the rebalanced measure sees the sepia wash
    assert gray_scores["auc"] - gray_scores["auc_rebalanced"] > 5
    assert right["auc_rebalanced"] > 90


def test_rebalancing_weights_from_other_data_are_reported_beside_the_sets_own(scene):
    other = ab_frequencies(np.array([[[10.0, 20.0]] * 99 + [[0.0, -40.0]]]))
    scores = score_pairs(scene, scene, other)
    assert scores["auc"] == scores["auc_rebalanced"] == pytest.approx(100) == scores["auc_rebalanced_training"]


def test_top1_accuracy_counts_the_rows_whose_largest_logit_is_the_label():
    assert top1_accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)


def test_the_semantic_test_classifies_photos_of_any_size():
    classifier = TinyImageNetClassifier(width=2, num_classes=3).eval()
    photos = [np.random.default_rng(i).random((40, 50 + i, 3)) for i in range(4)]
    assert 0 <= classifier_accuracy(photos, np.array([0, 1, 2, 0]), classifier) <= 1


def test_the_evaluation_table_has_the_gray_and_mean_tint_rows_and_both_rebalanced_aucs(tmp_path, capsys, scene):
    (tmp_path / "photos").mkdir()
    for i, photo in enumerate(scene):
        Image.fromarray((photo * 255).round().astype(np.uint8)).save(tmp_path / "photos" / f"{i}.png")
    evaluate_main(
        [
            "--data",
            f"folder:{tmp_path / 'photos'}",
            "--models",
            "colorgan-chromagan",
            "--size",
            "32",
            "--weights-from",
            "",
        ]
    )
    table = capsys.readouterr().out
    assert GRAY_BASELINE in table and MEAN_TINT in table and "colorgan-chromagan" in table
    assert "AuC raw" in table and "AuC rebalanced (set)" in table and "AuC rebalanced (training)" not in table
