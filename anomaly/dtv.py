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
from gan.objectives import BoundedTotalVariation


@dataclass
class DTVConfig:
    """How D_TV is fitted. History samples are drawn `pool_batches` batches at a time, so each saved
    generator runs once per pool rather than once per batch; every sample is still used once."""

    steps: int = 300
    batch_size: int = 32
    lr: float = 1e-4
    bound_weight: float = 10.0
    seed: int = 0
    pool_batches: int = 16


def fit_dtv(
    critic: nn.Module,
    normal: Tensor,
    sampler: HistorySampler,
    config: DTVConfig,
    on_step: Callable[[int, nn.Module, dict[str, float]], None] | None = None,
) -> dict[str, float]:
    """Maximise E_normal[D] − E_hist[D] − λ·d(D, [−1, 1])² over `critic`; `on_step(step, critic, logs)` after each update."""
    objective = BoundedTotalVariation(bound_weight=config.bound_weight)
    device = next(critic.parameters()).device
    optimizer = torch.optim.Adam(critic.parameters(), lr=config.lr, betas=objective.adam_betas)
    rng = torch.Generator().manual_seed(config.seed)
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
