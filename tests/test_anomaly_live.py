"""Live training for the Anomaly tab: each run in its own folder with its own random generator, streaming, Stop keeps a
partial model."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from anomaly.data import one_vs_rest
from anomaly.live import RECIPES, LiveRecipe, LiveSession, LiveSettings, running_workers
from anomaly.settings import LIVE_MODEL


def tiny(steps: int) -> LiveRecipe:
    """The quick recipe's shape at a test's length (as many D_TV steps as WGAN steps)."""
    return LiveRecipe(steps=steps, dtv_steps=steps)


@pytest.fixture(scope="module")
def small_split():
    """200 real Fashion-MNIST training images and 100 test images; bags (class 8) held out."""
    return one_vs_rest("fashion-mnist", 8, train_limit=200, test_limit=100, seed=0)


def test_two_sessions_train_in_their_own_folders_each_deleted_when_its_run_ends(small_split) -> None:
    torch.set_num_threads(1)
    first, second = LiveSession(), LiveSession()
    first_run, second_run = first.train(small_split, tiny(400), every=1), second.train(small_split, tiny(400), every=1)
    next(first_run), next(second_run)
    assert first.run_dir != second.run_dir and first.run_dir.is_dir() and second.run_dir.is_dir()
    assert (first.run_dir / "train_config.json").exists() and (second.run_dir / "train_config.json").exists()
    first_run.close()  # the page was closed
    assert not first.run_dir.exists() and second.run_dir.is_dir()
    second.stop()
    assert [u.phase for u in second_run] == ["stopped"]
    assert not second.run_dir.exists()


def _final_scores(split, seed: int):
    return list(LiveSession(seed=seed).train(split, tiny(10)))[-1].scores.anomalous


def test_a_session_draws_from_its_own_generator_whatever_the_global_seed(small_split) -> None:
    torch.set_num_threads(1)
    torch.manual_seed(1)
    first = _final_scores(small_split, seed=7)
    torch.manual_seed(2)
    again = _final_scores(small_split, seed=7)
    other = _final_scores(small_split, seed=8)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_two_concurrent_sessions_give_the_result_each_gives_alone(small_split) -> None:
    torch.set_num_threads(1)
    alone = _final_scores(small_split, seed=7)
    results: dict[int, np.ndarray] = {}
    threads = [
        threading.Thread(target=lambda i=i: results.__setitem__(i, _final_scores(small_split, seed=7)))
        for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.array_equal(alone, results[i]) for i in range(2))


def test_live_training_streams_plain_phases_and_stop_keeps_the_partial_model(small_split) -> None:
    torch.set_num_threads(1)
    session = LiveSession()
    updates = session.train(small_split, tiny(400), every=2)
    first = next(updates)
    assert first.phase == "training the WGAN" and first.step == 2 and first.total == 400
    assert len(first.scores.normal) + len(first.scores.anomalous) == len(small_split.test_labels)
    assert "Training the WGAN: step 2 of 400" in first.message()
    session.stop()
    rest = list(updates)
    assert [u.phase for u in rest] == ["stopped"]  # no redraw of queued steps after Stop, then the stopped model
    assert session.detector is not None and session.detector.name == LIVE_MODEL
    scores = session.detector.score(small_split.at_size(16, 16).test_tensor())  # the quick recipe's 16 px
    assert scores.shape == (len(small_split.test_labels),)
    assert not running_workers()


def test_a_run_that_ends_below_chance_says_so(small_split) -> None:
    final = list(LiveSession().train(small_split, tiny(20)))[-1]
    assert final.phase == "done"
    assert ("Below chance" in final.message()) == (final.metrics.auroc < 0.5)


@pytest.mark.parametrize("steps, images", [(10_000, 3000), (60, 10**9), (float("nan"), 3000), ("60", 3000)])
def test_live_settings_refuse_values_outside_the_sliders(steps, images) -> None:
    with pytest.raises(ValueError, match="must be a number from"):
        LiveSettings(chosen_class=1, steps=steps, train_images=images)


def test_live_settings_name_their_recipe_and_default_to_its_length() -> None:
    settings = LiveSettings(chosen_class=1, recipe="thorough")
    assert (settings.steps, settings.train_images) == (RECIPES["thorough"].steps, RECIPES["thorough"].train_images)
    assert settings.live_recipe() == RECIPES["thorough"]
    assert LiveSettings(chosen_class=1, steps=300).live_recipe().steps == 300
    with pytest.raises(ValueError, match="Pick one of the recipes"):
        LiveSettings(chosen_class=1, recipe="fastest")


def test_the_quick_recipe_trains_on_the_chosen_class_and_the_others_hold_it_out() -> None:
    one_class = LiveSettings(chosen_class=1, train_images=500).data_split()
    assert one_class.normal_classes == (1,) and set(one_class.train.labels.tolist()) == {1}
    assert 0.8 < one_class.anomaly_share < 1  # the nine other classes are the anomalies
    held_out = LiveSettings(chosen_class=1, recipe="held-out", train_images=500).data_split()
    assert held_out.anomalous_class == 1 and 1 not in held_out.train.labels.tolist()
    assert held_out.anomaly_share < 0.2
    assert RECIPES["quick"].split == "one-class" and RECIPES["thorough"].split == "held-out"


def test_a_split_at_another_size_keeps_its_images_and_labels(small_split) -> None:
    small = small_split.at_size(16, 16)
    assert small.train.images.shape[1:] == small.test_images.shape[1:] == small.val_images.shape[1:] == (1, 16, 16)
    assert torch.equal(small.test_labels, small_split.test_labels) and len(small.train) == len(small_split.train)
    mean = lambda images: images.float().mean().item()  # noqa: E731
    content = small_split.test_images[..., 2:30, 2:30]
    assert abs(mean(small.test_images) - mean(content)) < 3  # the 28 px content resized, no padding
