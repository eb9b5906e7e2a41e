"""The prior's training task: an unconditional WGAN-GP whose validation is the critic's held-out distance."""

from __future__ import annotations

import torch
from torch import Tensor

from gan.task import Batch, UnconditionalGAN

VALIDATION_SEED = 1  # the same latents at every validation, so the curve compares like with like


class PriorTask(UnconditionalGAN):
    """G(z) against real images; `evaluate` scores validation images against as many samples of G from fixed latents."""

    @torch.no_grad()
    def evaluate(self, batch: Batch) -> dict[str, float]:
        """E[D(val)] − E[D(G(z))] (the critic's Wasserstein estimate on unseen images) and both means."""
        real = batch[0]
        z = torch.randn(len(real), self.latent_dim, generator=torch.Generator().manual_seed(VALIDATION_SEED)).to(
            real.device
        )
        fake = torch.cat([self.generator(chunk) for chunk in z.split(256)])
        real_score = _mean_score(self.critic, real)
        fake_score = _mean_score(self.critic, fake)
        return {"wasserstein_estimate": real_score - fake_score, "critic_real": real_score, "critic_fake": fake_score}


def _mean_score(critic: torch.nn.Module, images: Tensor) -> float:
    return torch.cat([critic(chunk) for chunk in images.split(256)]).mean().item()
