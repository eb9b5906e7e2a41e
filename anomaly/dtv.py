"""Step (c) of HistoryAD: fit the total-variation critic D_TV of normal data against P_G_hist.

A focused loop rather than `gan.train.train`: here the generator side is a fixed sampler with no
parameters and no update, so the shared loop's generator step, optimiser and checkpoints would
all be idle. The objective is the shared `gan.objectives.BoundedTotalVariation` ('tv-bounded').
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from anomaly.history import HistorySampler
from gan.objectives import BoundedTotalVariation, per_sample_mean


@torch.no_grad()
def rescale_to_bound(critic: nn.Module, normal: Tensor, history: Tensor, quantile: float = 0.99) -> tuple[float, float]:
    """Shift and scale the critic's last layer so its outputs on `normal` and `history` lie in [-1, 1]; (centre, scale).

    A WGAN critic's outputs are unbounded (tens here), while D_TV lives in [-1, 1]: started as is, the
    bound penalty dominates the first updates and wipes out the ranking the averaged critics carry. The
    affine map keeps that ranking and centres the two means on either side of 0.
    """
    last = [m for m in critic.modules() if isinstance(m, (nn.Conv2d, nn.Linear))][-1]
    device = last.weight.device
    was_training = critic.training
    critic.eval()
    real, fake = per_sample_mean(critic(normal.to(device))), per_sample_mean(critic(history.to(device)))
    critic.train(was_training)
    centre = float(0.5 * (real.mean() + fake.mean()))
    scale = float(torch.quantile((torch.cat([real, fake]) - centre).abs(), quantile).clamp_min(1e-6))
    last.weight.div_(scale)
    last.bias.sub_(centre).div_(scale)
    return centre, scale


@dataclass
class DTVConfig:
    """How D_TV is fitted. History samples are drawn `pool_batches` batches at a time, so each saved
    generator runs once per pool rather than once per batch; every sample is still used once."""

    steps: int = 300
    batch_size: int = 32
    lr: float = 1e-4
    bound_weight: float = 10.0
    pool_batches: int = 16


def fit_dtv(
    critic: nn.Module,
    normal: Tensor,
    sampler: HistorySampler,
    config: DTVConfig,
    rng: torch.Generator,
    on_step: Callable[[int, nn.Module, dict[str, float]], None] | None = None,
) -> dict[str, float]:
    """Maximise E_normal[D] − E_hist[D] − λ·d(D, [−1, 1])² over `critic`, drawing from `rng`; `on_step(step, critic,
    logs)` after each update."""
    objective = BoundedTotalVariation(bound_weight=config.bound_weight)
    device = next(critic.parameters()).device
    optimizer = torch.optim.Adam(critic.parameters(), lr=config.lr, betas=objective.adam_betas)
    critic.train()
    logs: dict[str, float] = {}
    pool = torch.empty(0)
    for step in range(1, config.steps + 1):
        rows = torch.randint(len(normal), (config.batch_size,), generator=rng)
        real = normal[rows].to(device)
        if len(pool) < config.batch_size:
            pool = sampler.sample(config.batch_size * config.pool_batches, rng)
        fake, pool = pool[: config.batch_size], pool[config.batch_size :]
        loss, logs = objective.critic_loss(critic, real, fake)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if on_step is not None:
            on_step(step, critic, logs)
    critic.eval()
    return logs
