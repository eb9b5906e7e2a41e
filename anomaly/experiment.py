"""Training HistoryAD on a split: (a) the WGAN-GP with snapshots through `gan.train.train`, (b) the history sampler, (c)
D_TV."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from torch import Tensor, nn

from anomaly.data import AnomalySplit
from anomaly.dtv import DTVConfig, fit_dtv, rescale_to_bound
from anomaly.history import HistorySampler, SnapshotHook, averaged_state, state_weights
from anomaly.model import HistoryADModel
from gan.checkpoint import latest_checkpoint
from gan.cli import ConfigError, require_at_least_one
from gan.data import TensorImages
from gan.device import private_global_rng
from gan.nets import DCGANCritic, DCGANGenerator, init_gan_weights
from gan.objectives import make_objective, per_sample_mean
from gan.task import GanTask, UnconditionalGAN
from gan.train import TrainConfig, effective_n_critic, train

M = TypeVar("M", bound=nn.Module)

DTV_INITS = ("averaged", "averaged-unscaled", "fresh")


@dataclass
class HistoryADConfig:
    """HistoryAD's own settings; the WGAN's length, batch, learning rates and n_critic are gan.train.TrainConfig's."""

    base_channels: int = 16
    latent_dim: int = 64
    snapshot_every: int = 25
    alpha: float = 1.6
    beta: float = 0.1875
    dtv_steps: int = 1000
    dtv_lr: float = 1e-4
    bound_weight: float = 10.0
    dtv_init: str = "averaged"
    memory_limit_mb: float = 0.0

    def __post_init__(self) -> None:
        require_at_least_one(self, "base_channels", "latent_dim", "snapshot_every", "dtv_steps")
        if self.alpha < 0 or not self.dtv_lr > 0 or self.bound_weight < 0 or self.memory_limit_mb < 0:
            raise ConfigError("--alpha, --bound-weight and --memory-limit-mb must be 0 or more, --dtv-lr positive.")
        if self.dtv_init not in DTV_INITS:
            raise ConfigError(f"--dtv-init must be one of {', '.join(DTV_INITS)}, got {self.dtv_init!r}.")


HISTORYAD_HELP = {
    "base_channels": "width of the DCGAN generator and critic",
    "latent_dim": "size of z",
    "snapshot_every": "save generator and critic every this many generator steps",
    "alpha": "history sampler: states younger than alpha epochs are never drawn",
    "beta": "history sampler: the state of epoch t is drawn with weight exp(-beta t)",
    "dtv_steps": "D_TV updates (step c)",
    "dtv_lr": "Adam learning rate of D_TV",
    "bound_weight": "weight of the bound penalty d(D, [-1, 1])^2",
    "dtv_init": (
        "D_TV's start: averaged (weighted mean of the saved critics, last layer rescaled into [-1, 1]), "
        "averaged-unscaled, or fresh"
    ),
    "memory_limit_mb": (
        "keep saved states in memory up to this size, then on disk as safetensors (0: all on disk, needed to resume)"
    ),
}


@dataclass
class TrainedHistoryAD:
    """The trained model, the last WGAN critic (a baseline), the history, and how long each phase took."""

    model: HistoryADModel
    last_critic: DCGANCritic
    sampler: HistorySampler
    steps_per_epoch: float
    seconds: dict[str, float] = field(default_factory=dict)


def intensity_range(images: Tensor, quantile: float = 0.005) -> tuple[float, float]:
    """The central range of the images' mean intensities in [-1, 1] (a user's image outside it is unlike the training
    data)."""
    means = images.float().mean(dim=(1, 2, 3))
    return float(torch.quantile(means, quantile)), float(torch.quantile(means, 1 - quantile))


def _init(module: nn.Module, rng: torch.Generator) -> None:
    """DCGAN initialisation drawn from `rng`, leaving the global RNG as it was."""
    with private_global_rng(int(torch.randint(2**62, (1,), generator=rng))):
        init_gan_weights(module)


def built(factory: Callable[[], M]) -> M:
    """`factory()` with the global-RNG draws of module construction kept private (a concurrent run's seeded
    initialisation is not disturbed)."""
    with private_global_rng():
        return factory()


def historyad_model(split: AnomalySplit, config: HistoryADConfig) -> HistoryADModel:
    """An (uninitialised) HistoryAD model for `split` with the networks of `config`."""
    return built(
        lambda: HistoryADModel(
            split.channels,
            split.image_size,
            split.content_size,
            config.base_channels,
            config.latent_dim,
            split.dataset,
            split.anomalous_class,
            list(split.class_names),
            list(split.normal_classes),
            split.anomaly_dataset,
            split.protocol,
            intensity_range(split.normal_tensor()),
        )
    )


def train_historyad(
    split: AnomalySplit,
    config: HistoryADConfig,
    train_config: TrainConfig,
    rng: torch.Generator | None = None,
    gan_hooks: Sequence[Callable[[int, GanTask], None]] = (),
    on_dtv_step: Callable[[int, nn.Module, dict[str, float]], None] | None = None,
) -> TrainedHistoryAD:
    """(a) WGAN-GP on the normal images with snapshots, (b) the history sampler, (c) D_TV from the averaged critics.

    With `rng` (a live session), the initial weights and D_TV's draws come from it; without, from generators seeded by
    `train_config.seed`. The WGAN's own draws always come from the loop's per-run generator, never the global RNG.
    """
    dtv_rng = rng or torch.Generator().manual_seed(train_config.seed)
    init_rng = rng or torch.Generator().manual_seed(train_config.seed + 1)

    def make_generator() -> DCGANGenerator:
        return built(lambda: DCGANGenerator(config.latent_dim, split.channels, split.image_size, config.base_channels))

    generator, critic = (
        make_generator(),
        built(lambda: DCGANCritic(split.channels, split.image_size, config.base_channels, norm="layer")),
    )
    _init(generator, init_rng)
    _init(critic, init_rng)
    task = UnconditionalGAN(generator, critic, make_objective("wgan-gp"), config.latent_dim)
    snapshots = SnapshotHook(config.snapshot_every, config.memory_limit_mb, Path(train_config.run_dir) / "history")
    checkpoint = latest_checkpoint(Path(train_config.run_dir)) if train_config.resume else None
    if checkpoint is not None:
        snapshots.restore(int(json.loads((checkpoint / "state.json").read_text())["step"]))
    started = time.perf_counter()
    train(task, TensorImages(split.train), train_config, hooks=[snapshots, *gan_hooks])
    gan_seconds = time.perf_counter() - started

    device = task.fixed_noise.device
    steps_per_epoch = len(split.train) / (train_config.batch_size * effective_n_critic(task, train_config))
    history = snapshots.snapshots
    weights = state_weights([s.step for s in history], steps_per_epoch, config.alpha, config.beta)
    model = historyad_model(split, config).to(device)
    model.generator.load_state_dict(task.generator.state_dict())
    sampler = HistorySampler(history, weights, make_generator, config.latent_dim, device=device)
    normal = split.normal_tensor()
    if config.dtv_init == "fresh":
        _init(model.critic, init_rng)
    else:
        model.critic.load_state_dict(averaged_state([s.critic_state() for s in history], weights))
        if config.dtv_init == "averaged":
            probe = torch.randint(len(normal), (512,), generator=dtv_rng)
            rescale_to_bound(model.critic, normal[probe], sampler.sample(512, dtv_rng))
    started = time.perf_counter()
    dtv = DTVConfig(
        steps=config.dtv_steps, batch_size=train_config.batch_size, lr=config.dtv_lr, bound_weight=config.bound_weight
    )
    fit_dtv(model.critic, normal, sampler, dtv, dtv_rng, on_dtv_step)
    model.eval()
    seconds = {"gan": gan_seconds, "dtv": time.perf_counter() - started}
    return TrainedHistoryAD(model, task.critic.eval(), sampler, steps_per_epoch, seconds)


@torch.no_grad()
def history_score_panels(
    trained: TrainedHistoryAD, split: AnomalySplit, panels: int = 4, samples: int = 1000
) -> list[tuple[str, dict[str, np.ndarray]]]:
    """Scores −D(x) of normal and anomalous test images and of G_t(z), for the critics of a few saved states t and for
    D_TV."""
    test, labels = split.test_tensor(), split.test_labels.bool()
    rng = torch.Generator().manual_seed(0)
    history = trained.sampler.snapshots
    chosen = sorted({round(i * (len(history) - 1) / max(panels - 1, 1)) for i in range(panels)})
    result = []
    for index in chosen:
        critic = copy.deepcopy(trained.last_critic).cpu()
        critic.load_state_dict(history[index].critic_state())
        z = torch.randn(samples, trained.model.latent_dim, generator=rng)
        generated = trained.sampler.generator(index)(z.to(trained.sampler.device)).cpu()
        scores = critic_anomaly_scores(critic.eval(), torch.cat([test, generated])).numpy()
        epoch = history[index].step / trained.steps_per_epoch
        result.append(
            (
                f"critic at epoch {epoch:.1f}",
                {
                    "normal": scores[: len(test)][~labels.numpy()],
                    "anomalous": scores[: len(test)][labels.numpy()],
                    "history": scores[len(test) :],
                },
            )
        )
    model = trained.model
    scores = model.score(torch.cat([test, trained.sampler.sample(samples, rng).cpu()])).numpy()
    result.append(
        (
            "D_TV (final)",
            {
                "normal": scores[: len(test)][~labels.numpy()],
                "anomalous": scores[: len(test)][labels.numpy()],
                "history": scores[len(test) :],
            },
        )
    )
    return result


@torch.no_grad()
def critic_anomaly_scores(critic: nn.Module, images: Tensor, batch_size: int = 512) -> Tensor:
    """−critic(x) for a plain WGAN critic (the 'early-stopped GAN' baseline), higher = more anomalous."""
    device = next(critic.parameters()).device
    parts = [
        -per_sample_mean(critic(images[i : i + batch_size].to(device))).cpu() for i in range(0, len(images), batch_size)
    ]
    return torch.cat(parts) if parts else torch.empty(0)
