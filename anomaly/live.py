"""Live training for the tab: run HistoryAD in a worker thread and stream test-score histograms as it trains.

`live_training` is a generator; the consumer (the UI) closing it, or setting `stop`, ends the
worker at its next step, so a user pressing Stop or closing the page stops the work.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from anomaly.data import AnomalySplit
from anomaly.experiment import HistoryADConfig, TrainedHistoryAD, critic_anomaly_scores, train_historyad
from gan.metrics import detection_scores
from gan.task import GanTask

WORKER_NAME = "historyad-live"


def running_workers() -> list[threading.Thread]:
    """The live-training worker threads still alive (each stops within a step of its stop flag)."""
    return [thread for thread in threading.enumerate() if thread.name == WORKER_NAME and thread.is_alive()]


class TrainingStopped(Exception):
    """Raised inside the worker when the consumer asked to stop."""


@dataclass
class LiveUpdate:
    """One redraw: the phase, progress, the current scores of the normal and anomalous test images."""

    phase: str
    step: int
    total: int
    normal: np.ndarray
    anomalous: np.ndarray
    metrics: dict[str, float]
    trained: TrainedHistoryAD | None = None


def _update(phase: str, step: int, total: int, scores: torch.Tensor, labels: np.ndarray) -> LiveUpdate:
    values = scores.numpy().astype(np.float64)
    return LiveUpdate(phase, step, total, values[labels == 0], values[labels == 1], detection_scores(labels, values))


def live_training(split: AnomalySplit, config: HistoryADConfig, every: int = 10, stop: threading.Event | None = None) -> Iterator[LiveUpdate]:
    """Train HistoryAD on `split`, yielding the test-score histograms every `every` steps of each phase, then the result."""
    stop = stop or threading.Event()
    updates: queue.Queue = queue.Queue()
    test, labels = split.test_tensor(), split.test_labels.numpy()

    def check() -> None:
        if stop.is_set():
            raise TrainingStopped

    def gan_hook(step: int, task: GanTask) -> None:
        check()
        if step % every == 0 or step == config.gan_steps:
            updates.put(_update("WGAN-GP critic (step a)", step, config.gan_steps, critic_anomaly_scores(task.critic, test), labels))

    def dtv_hook(step: int, critic: torch.nn.Module, logs: dict[str, float]) -> None:
        check()
        if step % every == 0:
            critic.eval()
            scores = critic_anomaly_scores(critic, test)
            critic.train()
            updates.put(_update("D_TV (step c)", step, config.dtv_steps, scores, labels))

    def work() -> None:
        torch.set_num_threads(1)
        try:
            trained = train_historyad(split, config, gan_hooks=[gan_hook], on_dtv_step=dtv_hook)
            final = _update("done", config.dtv_steps, config.dtv_steps, trained.model.score(test), labels)
            final.trained = trained
            updates.put(final)
        except TrainingStopped:
            updates.put(None)
        except Exception as error:  # handed to the consumer, which re-raises it
            updates.put(error)

    worker = threading.Thread(target=work, daemon=True, name=WORKER_NAME)
    worker.start()
    try:
        while True:
            item = updates.get()
            if item is None or stop.is_set():
                return
            if isinstance(item, Exception):
                raise item
            yield item
            if item.trained is not None:
                return
    finally:
        stop.set()
        worker.join(timeout=30)
