"""A tiny real HistoryAD run on Fashion-MNIST, the Detector pipeline, the PyOD baselines, the splits and the metrics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from anomaly import Detector
from anomaly.baselines import BASELINES
from anomaly.data import fence_gan_parts, one_vs_rest
from anomaly.detector import prepare_images
from anomaly.experiment import HistoryADConfig, train_historyad
from anomaly.model import HistoryADModel
from anomaly.scoring import ReferenceScores, detection_metrics, precision_recall, threshold_view
from anomaly.settings import MAX_IMAGES, MAX_TOTAL_PIXELS, RequestError
from gan.card import ModelCard
from gan.hub import WeightsSource, save_model
from gan.train import TrainConfig


@pytest.fixture(scope="module")
def trouser_split():
    """A few hundred real Fashion-MNIST images; trousers (class 1) held out as the anomaly."""
    return one_vs_rest("fashion-mnist", 1, train_limit=400, test_limit=300, seed=0)


@pytest.fixture(scope="module")
def bag_split():
    """A few hundred real Fashion-MNIST images; bags (class 8) held out as the anomaly."""
    return one_vs_rest("fashion-mnist", 8, train_limit=400, test_limit=300, seed=0)


@pytest.fixture(scope="module")
def tiny_run(bag_split, tmp_path_factory):
    """30 WGAN-GP steps and 200 D_TV steps of a width-8 DCGAN: a few seconds on one core."""
    torch.set_num_threads(1)
    config = HistoryADConfig(base_channels=8, latent_dim=16, snapshot_every=3, alpha=0.0, dtv_steps=200)
    train_config = TrainConfig(
        run_dir=str(tmp_path_factory.mktemp("runs")),
        steps=30,
        batch_size=16,
        progress=False,
        resume=False,
        device="cpu",
    )
    return train_historyad(bag_split, config, train_config)


def test_tiny_historyad_run_ranks_held_out_bags_above_chance(tiny_run, bag_split) -> None:
    metrics = detection_metrics(bag_split.test_labels.numpy(), tiny_run.model.score(bag_split.test_tensor()).numpy())
    assert len(tiny_run.sampler.snapshots) == 10
    assert 0.05 < metrics.anomaly_share < 0.15
    assert metrics.auprc > 2 * metrics.anomaly_share and metrics.auroc > 0.6


def test_detector_loads_saved_weights_on_every_device_and_scores_like_the_model(
    tiny_run, bag_split, tmp_path, device
) -> None:
    card = ModelCard("test", "tiny", "a test detector", "Fashion-MNIST", metrics={"test AUPRC": 0.5})
    folder = save_model(tiny_run.model.cpu(), tmp_path / "anomaly-test", card)
    detector = Detector.from_pretrained(str(folder), device=device)
    assert isinstance(detector.source, WeightsSource) and detector.source.kind == "folder"
    assert (
        detector.model.anomalous_class == 8
        and detector.model.dataset == "fashion-mnist"
        and detector.model.protocol == "ours"
    )
    images = bag_split.test_tensor()[:20]
    torch.testing.assert_close(detector.score(images), tiny_run.model.cpu().score(images), atol=1e-4, rtol=1e-4)
    digit = tmp_path / "bag.png"
    Image.fromarray(bag_split.test_images[0, 0, 2:30, 2:30].numpy()).save(digit)
    result = detector([str(digit)])
    assert result.model == str(folder) and result.scores[0].image == "bag.png" and result.scores[0].out_of_domain == ""
    assert result.scores[0].score == pytest.approx(detector.score(bag_split.test_tensor()[:1]).item(), abs=1e-4)


def test_score_is_minus_dtv_so_higher_means_more_anomalous(tiny_run, bag_split) -> None:
    images = bag_split.test_tensor()[:8]
    model = tiny_run.model.cpu()
    torch.testing.assert_close(model.score(images), -model.critic(images).reshape(-1))


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_pyod_baseline_fits_normal_images_and_scores_every_test_image(name, trouser_split) -> None:
    rows = lambda images: images.reshape(len(images), -1).numpy()  # noqa: E731
    scores = BASELINES[name].fit_score(rows(trouser_split.normal_tensor()), rows(trouser_split.test_tensor()), seed=0)
    labels = trouser_split.test_labels.numpy()
    assert scores.shape == labels.shape and np.isfinite(scores).all()
    if name in ("isolation-forest", "one-class-svm"):  # trousers stand out in pixel space for these two
        assert scores[labels == 1].mean() > scores[labels == 0].mean()


def test_user_images_of_other_size_and_color_are_converted_like_training_data_and_color_is_out_of_domain() -> None:
    model = HistoryADModel(
        channels=1, image_size=32, content_size=28, base_channels=4, latent_dim=4, intensity_range=(-0.9, -0.2)
    )
    photo = Image.fromarray(np.full((60, 100, 3), (255, 0, 0), dtype=np.uint8))
    digit = Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).convert("RGB")
    batch, notes, warnings = prepare_images([photo, digit], model)
    assert batch.shape == (2, 1, 32, 32)
    assert "resized from 100×60 to 28×28" in notes[0] and "grayscale" in notes[0]
    assert "resized" not in notes[1] and "zero-padded to 32×32" in notes[1]
    assert batch[0, 0, 0, 0] == -1.0  # the padding is black, as Fashion-MNIST's background
    assert "color image" in warnings[0]
    assert "darker" in warnings[1]  # an all-black image is darker than the training range


def test_a_request_over_the_file_or_pixel_limit_is_refused_before_decoding(tmp_path) -> None:
    detector = Detector(HistoryADModel(base_channels=4, latent_dim=4).eval(), "tiny", "test", torch.device("cpu"))
    small = tmp_path / "small.png"
    Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).save(small)
    with pytest.raises(RequestError, match=f"at most {MAX_IMAGES}"):
        detector([str(small)] * (MAX_IMAGES + 1))
    side = int((MAX_TOTAL_PIXELS / 2) ** 0.5) + 8
    big = tmp_path / "big.png"
    Image.new("L", (side, side)).save(big)
    with pytest.raises(RequestError, match="megapixels together"):
        detector([str(big), str(big)])
    with pytest.raises(RequestError, match="one or more"):
        detector([])
    assert len(detector([str(small), str(small)]).scores) == 2


def test_fence_gan_protocol_splits_normal_80_15_5_and_anomalous_75_25_disjointly() -> None:
    labels = torch.arange(10).repeat_interleave(torch.tensor([700, 800, 700, 700, 700, 700, 700, 700, 700, 700]))
    parts = fence_gan_parts(labels, anomalous_class=1, seed=0)
    normal, anomalous = int((labels != 1).sum()), int((labels == 1).sum())
    test_labels = labels[parts["test"]]
    assert len(parts["train"]) == int(0.8 * normal) and (labels[parts["train"]] != 1).all()
    assert (
        int((test_labels != 1).sum()) == int(0.15 * normal)
        and int((test_labels == 1).sum()) == int(0.75 * anomalous) == 600
    )
    assert int((labels[parts["val"]] == 1).sum()) == anomalous - 600 == 200
    joined = torch.cat(list(parts.values()))
    assert len(joined) == len(labels) and len(joined.unique()) == len(labels)
    assert torch.equal(fence_gan_parts(labels, 1, seed=0)["test"], parts["test"])


def test_both_auprc_conventions_flip_positives_and_score_sign() -> None:
    labels = np.array([0, 0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.9, 0.8, 0.7])
    metrics = detection_metrics(labels, scores)
    assert metrics.auprc == pytest.approx((1 / 2 + 2 / 3) / 2)  # anomalies ranked 2nd and 3rd
    assert metrics.auprc_normal == pytest.approx((1 + 1 + 3 / 5) / 3)  # normal images ranked 1st, 2nd and 5th by −score
    assert metrics.anomaly_share == pytest.approx(0.4) and not metrics.below_chance


def test_precision_and_recall_at_a_threshold_count_scores_above_it() -> None:
    reference = ReferenceScores(normal=np.array([0.0, 1.0, 2.0, 3.0]), anomalous=np.array([2.5, 3.5, 0.5]))
    assert precision_recall(reference, 2.2) == (2 / 3, 2 / 3)
    assert precision_recall(reference, 10.0) == (1.0, 0.0)


def test_threshold_slider_values_are_rounded_to_the_step_and_cover_every_score() -> None:
    reference = ReferenceScores(normal=np.array([-1.23456, 0.1111]), anomalous=np.array([0.98765, 2.71828]))
    view = threshold_view(reference)
    assert view.step == 0.01 and view.minimum == -1.24 and view.maximum == 2.72
    assert view.value == round(view.value, 2) and view.minimum <= view.value <= view.maximum
