"""A tiny real HistoryAD run on Fashion-MNIST, the baselines registry, saving and loading, and user-image conversion."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from anomaly.baselines import BASELINES
from anomaly.data import load_images, one_vs_rest
from anomaly.experiment import HistoryADConfig, evaluate, train_historyad
from anomaly.inference import ReferenceScores, prepare_images, precision_recall
from anomaly.model import HistoryADModel
from gan.hub import ModelCard, fetch, save_model


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
    """30 WGAN-GP steps and 200 D_TV steps of a width-8 DCGAN: about 30 s on one core."""
    torch.set_num_threads(1)
    config = HistoryADConfig(base_channels=8, latent_dim=16, gan_steps=30, batch_size=16, snapshot_every=3, dtv_steps=200, run_dir=str(tmp_path_factory.mktemp("runs")))
    trained = train_historyad(bag_split, config)
    return trained, evaluate(bag_split, trained, baselines=(), seed=0)


def test_tiny_historyad_run_beats_chance_auprc_on_held_out_fashion_class(tiny_run) -> None:
    trained, (results, _) = tiny_run
    assert trained.n_snapshots == 10
    ours = results["historyad"]
    assert 0.05 < ours["positive_share"] < 0.15
    assert ours["auprc"] > 2 * ours["positive_share"]
    assert ours["auroc"] > 0.6
    assert set(results) == {"historyad", "wgan-critic-last"}


def test_saved_model_loads_through_hub_fetch_and_scores_identically(tiny_run, bag_split, tmp_path) -> None:
    trained, _ = tiny_run
    card = ModelCard("test", "tiny", "Fashion-MNIST", "CPU", metrics={"AUPRC (HistoryAD)": 0.5})
    folder = save_model(trained.model, tmp_path / "anomaly-test", card)
    loaded, source = fetch(HistoryADModel, str(folder))
    assert source.startswith("folder") and loaded.anomalous_class == 8 and loaded.dataset == "fashion-mnist"
    images = bag_split.test_tensor()[:20]
    torch.testing.assert_close(loaded.score(images), trained.model.score(images))
    assert "AUPRC (HistoryAD) | 0.5" in (folder / "README.md").read_text()


def test_score_is_minus_dtv_so_higher_means_more_anomalous(tiny_run, bag_split) -> None:
    trained, _ = tiny_run
    images = bag_split.test_tensor()[:8]
    torch.testing.assert_close(trained.model.score(images), -trained.model.critic(images).reshape(-1))


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_registered_baseline_ranks_held_out_trousers_above_chance(name, trouser_split) -> None:
    rows = lambda images: images.reshape(len(images), -1).numpy()  # noqa: E731
    detector = BASELINES[name](seed=0).fit(rows(trouser_split.normal_tensor()))
    scores = detector.score(rows(trouser_split.test_tensor()))
    labels = trouser_split.test_labels.numpy()
    assert scores.shape == labels.shape
    assert scores[labels == 1].mean() > scores[labels == 0].mean()


def test_user_images_of_other_size_and_color_are_converted_like_training_data() -> None:
    model = HistoryADModel(channels=1, image_size=32, content_size=28, base_channels=4, latent_dim=4)
    photo = Image.fromarray(np.full((60, 100, 3), (255, 0, 0), dtype=np.uint8))
    digit = Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).convert("RGB")
    batch, notes = prepare_images([photo, digit], model)
    assert batch.shape == (2, 1, 32, 32)
    assert "resized from 100×60 to 28×28" in notes[0] and "grayscale" in notes[0]
    assert "resized" not in notes[1] and "zero-padded to 32×32" in notes[1]
    assert batch[0, 0, 0, 0] == -1.0  # the padding is black, as Fashion-MNIST's background
    assert batch[0, 0, 16, 16].item() == pytest.approx(round(0.299 * 255) / 127.5 - 1, abs=0.02)


def test_precision_and_recall_at_a_threshold_count_scores_above_it() -> None:
    reference = ReferenceScores(normal=np.array([0.0, 1.0, 2.0, 3.0]), anomalous=np.array([2.5, 3.5, 0.5]))
    assert precision_recall(reference, 2.2) == (2 / 3, 2 / 3)
    assert precision_recall(reference, 10.0) == (1.0, 0.0)


def test_an_image_folder_splits_into_disjoint_train_and_test_images(tmp_path) -> None:
    rng = np.random.default_rng(0)
    for label in ("cats", "dogs"):
        (tmp_path / label).mkdir()
        for i in range(10):
            Image.fromarray(rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(tmp_path / label / f"{i}.png")
    train, test = load_images(f"folder:{tmp_path}", "train"), load_images(f"folder:{tmp_path}", "test")
    assert (len(train), len(test)) == (16, 4) and train.images.shape[1:] == (3, 32, 32)
    seen = {image.numpy().tobytes() for image in train.images}
    assert not any(image.numpy().tobytes() in seen for image in test.images)
