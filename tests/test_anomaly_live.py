"""Live training for the Anomaly tab: histograms stream while training, and Stop or closing the page ends the work."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
import torch

from anomaly.data import one_vs_rest
from anomaly.experiment import HistoryADConfig
from anomaly.live import live_training, running_workers
from ui import anomaly as tab


@pytest.fixture(scope="module")
def small_split():
    """200 real Fashion-MNIST training images and 100 test images; bags (class 8) held out."""
    return one_vs_rest("fashion-mnist", 8, train_limit=200, test_limit=100, seed=0)


def test_live_training_streams_test_histograms_and_stops_without_a_later_redraw_when_asked(small_split, tmp_path) -> None:
    torch.set_num_threads(1)
    config = HistoryADConfig(base_channels=4, latent_dim=8, gan_steps=5000, batch_size=8, snapshot_every=50, dtv_steps=10, run_dir=str(tmp_path))
    stop = threading.Event()
    updates = live_training(small_split, config, every=2, stop=stop)
    first = next(updates)
    assert first.phase.startswith("WGAN-GP") and first.step == 2 and first.total == 5000
    assert len(first.normal) + len(first.anomalous) == len(small_split.test_labels) and len(first.anomalous) > 0
    assert 0.0 <= first.metrics["auprc"] <= 1.0
    stop.set()
    assert list(updates) == []  # no redraw after Stop, even of steps already queued
    assert not running_workers()


def test_closing_the_page_sets_the_stop_flag_of_that_session_only(monkeypatch) -> None:
    monkeypatch.setattr(tab, "one_vs_rest", lambda *args, **kwargs: SimpleNamespace(train=[0] * 500))
    mine, other = SimpleNamespace(session_hash="mine"), SimpleNamespace(session_hash="other")
    mine_run, other_run = tab.train_live("bag", 20, 500, mine), tab.train_live("bag", 20, 500, other)
    next(mine_run), next(other_run)
    mine_stop, other_stop = tab._LIVE_STOPS["mine"], tab._LIVE_STOPS["other"]
    tab.stop_on_unload(mine)
    assert mine_stop.is_set() and not other_stop.is_set()
    other_run.close()
    assert other_stop.is_set() and "other" not in tab._LIVE_STOPS
    mine_run.close()
