"""The talk's figures as data: scores along a latent interpolation, and under growing Gaussian noise."""

from __future__ import annotations

import torch
from torch import Tensor

from anomaly.model import HistoryADModel


@torch.no_grad()
def latent_interpolation_scores(
    model: HistoryADModel, z1: Tensor, z2: Tensor, n: int = 16
) -> tuple[Tensor, Tensor, Tensor]:
    """(t, images G((1−t)z1 + t·z2), their anomaly scores) for n values of t in [0, 1], with the model's last
    generator."""
    t = torch.linspace(0, 1, n)
    z = (1 - t[:, None]) * z1.reshape(1, -1) + t[:, None] * z2.reshape(1, -1)
    model.generator.eval()
    images = model.generator(z.to(next(model.parameters()).device)).cpu()
    return t, images, model.score(images)


@torch.no_grad()
def noise_score_densities(
    model: HistoryADModel, images: Tensor, sigmas: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.4), seed: int = 0
) -> dict[float, Tensor]:
    """Anomaly scores of `images` (in [-1, 1]) with N(0, σ²) noise added and clamped, for each σ."""
    rng = torch.Generator().manual_seed(seed)
    return {
        sigma: model.score((images + sigma * torch.randn(images.shape, generator=rng)).clamp(-1, 1)) for sigma in sigmas
    }
