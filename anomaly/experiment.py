"""One HistoryAD experiment: train (a)-(c) on a split, then score HistoryAD and the baselines on its test set."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from anomaly.baselines import BASELINES
from anomaly.data import AnomalySplit
from anomaly.dtv import DTVConfig, fit_dtv
from anomaly.history import HistorySampler, SnapshotHook, averaged_state, state_weights
from anomaly.model import HistoryADModel
from gan.data import TensorImages
from gan.device import seed_everything
from gan.metrics import detection_scores
from gan.nets import DCGANCritic, DCGANGenerator, init_gan_weights
from gan.objectives import make_objective, per_sample_mean
from gan.task import GanTask, UnconditionalGAN
from gan.train import TrainConfig, train


@dataclass
class HistoryADConfig:
    """Everything that defines a HistoryAD run; saved in the model card."""

    base_channels: int = 16
    latent_dim: int = 64
    gan_steps: int = 150
    batch_size: int = 32
    lr: float = 2e-4
    n_critic: int = 5
    snapshot_every: int = 5
    alpha: float = 0.1
    beta: float = 3.0
    dtv_steps: int = 500
    dtv_lr: float = 1e-4
    bound_weight: float = 10.0
    memory_limit_mb: float = 256.0
    seed: int = 0
    device: str = "cpu"
    run_dir: str = "runs/anomaly"


@dataclass
class TrainedHistoryAD:
    """The trained model, the last WGAN critic (a baseline; None for loaded weights) and how long each phase took."""

    model: HistoryADModel
    last_critic: DCGANCritic | None
    n_snapshots: int
    seconds: dict[str, float] = field(default_factory=dict)


def train_historyad(
    split: AnomalySplit,
    config: HistoryADConfig,
    gan_hooks: Sequence[Callable[[int, GanTask], None]] = (),
    on_dtv_step: Callable[[int, torch.nn.Module, dict[str, float]], None] | None = None,
) -> TrainedHistoryAD:
    """(a) WGAN-GP on the normal images with snapshots, (b) the history sampler, (c) D_TV from the averaged critics."""
    seed_everything(config.seed)
    make_generator = lambda: DCGANGenerator(config.latent_dim, split.channels, split.image_size, config.base_channels)  # noqa: E731
    generator, critic = make_generator(), DCGANCritic(split.channels, split.image_size, config.base_channels, norm="layer")
    init_gan_weights(generator)
    init_gan_weights(critic)
    task = UnconditionalGAN(generator, critic, make_objective("wgan-gp"), config.latent_dim)
    run_dir = Path(config.run_dir) / split.name
    snapshots = SnapshotHook(config.snapshot_every, config.memory_limit_mb, run_dir / "history")
    train_config = TrainConfig(
        run_dir=str(run_dir), steps=config.gan_steps, batch_size=config.batch_size, lr_generator=config.lr, lr_critic=config.lr,
        n_critic=config.n_critic, log_every=50, sample_every=config.gan_steps, checkpoint_every=config.gan_steps, keep_checkpoints=1,
        seed=config.seed, device=config.device, resume=False, progress=False,
    )
    started = time.perf_counter()
    train(task, TensorImages(split.train), train_config, hooks=[snapshots, *gan_hooks])
    gan_seconds = time.perf_counter() - started

    history = snapshots.snapshots
    weights = state_weights([s.step for s in history], config.gan_steps, config.alpha, config.beta)
    model = HistoryADModel(
        split.channels, split.image_size, split.content_size, config.base_channels, config.latent_dim,
        split.dataset, split.anomalous_class, list(split.class_names), list(split.normal_classes), split.anomaly_dataset,
    ).to(task.fixed_noise.device)
    model.generator.load_state_dict(task.generator.state_dict())
    model.critic.load_state_dict(averaged_state([s.critic_state() for s in history], weights))
    sampler = HistorySampler(history, weights, make_generator, config.latent_dim, device=task.fixed_noise.device)
    started = time.perf_counter()
    dtv = DTVConfig(steps=config.dtv_steps, batch_size=config.batch_size, lr=config.dtv_lr, bound_weight=config.bound_weight, seed=config.seed)
    fit_dtv(model.critic, split.normal_tensor(), sampler, dtv, on_dtv_step)
    model.eval()
    return TrainedHistoryAD(model, task.critic.eval(), len(history), {"gan": gan_seconds, "dtv": time.perf_counter() - started})


@torch.no_grad()
def critic_anomaly_scores(critic: torch.nn.Module, images: Tensor, batch_size: int = 512) -> Tensor:
    """−critic(x) for a plain WGAN critic (the 'early-stopped GAN' baseline), higher = more anomalous."""
    device = next(critic.parameters()).device
    return torch.cat([-per_sample_mean(critic(images[i : i + batch_size].to(device))).cpu() for i in range(0, len(images), batch_size)])


def _rows(images: Tensor) -> np.ndarray:
    return images.reshape(len(images), -1).numpy().astype(np.float32)


def evaluate(
    split: AnomalySplit,
    trained: TrainedHistoryAD,
    baselines: Sequence[str] = tuple(BASELINES),
    baseline_train_size: int = 5000,
    seed: int = 0,
) -> tuple[dict[str, dict[str, float]], dict[str, np.ndarray]]:
    """AUPRC, AUROC, positive share and seconds of HistoryAD, the last critic and the baselines; and their test scores."""
    test, labels = split.test_tensor(), split.test_labels.numpy()
    results, scores = {}, {}

    def record(name: str, score: Callable[[], np.ndarray], fit_seconds: float) -> None:
        started = time.perf_counter()
        values = np.asarray(score(), dtype=np.float64)
        scores[name] = values
        results[name] = {**detection_scores(labels, values), "fit_seconds": fit_seconds, "score_seconds": time.perf_counter() - started}

    record("historyad", lambda: trained.model.score(test).numpy(), trained.seconds.get("gan", 0.0) + trained.seconds.get("dtv", 0.0))
    if trained.last_critic is not None:
        record("wgan-critic-last", lambda: critic_anomaly_scores(trained.last_critic, test).numpy(), trained.seconds.get("gan", 0.0))
    normal = split.normal_tensor()
    subset = torch.randperm(len(normal), generator=torch.Generator().manual_seed(seed))[:baseline_train_size]
    normal_rows, test_rows = _rows(normal[subset]), _rows(test)
    for name in baselines:
        started = time.perf_counter()
        detector = BASELINES[name](seed=seed).fit(normal_rows)
        record(name, lambda: detector.score(test_rows), time.perf_counter() - started)
    return results, scores


def config_dict(config: HistoryADConfig) -> dict:
    """The config as a plain dict for cards and JSON."""
    return asdict(config)
