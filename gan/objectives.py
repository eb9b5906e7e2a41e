"""Adversarial objectives behind one interface.

Every objective answers two questions for a critic `D` (a network, so that gradient penalties and
autoencoder energies can be computed) and samples of the real and generated distributions:
what the critic minimises, and what the generator minimises. The training loop, the colorization
variants, the inpainting prior and HistoryAD all pick an objective by name from `OBJECTIVES`.

Conventions: inputs are batches (N, C, H, W); critic outputs may be per sample (N, 1) or per patch
(N, 1, h, w): every objective averages over everything that is not the batch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

Critic = Callable[[Tensor], Tensor]


def per_sample_mean(values: Tensor) -> Tensor:
    """Average a critic output over all dimensions but the batch: (N, ...) -> (N,)."""
    return values.reshape(values.shape[0], -1).mean(dim=1)


def gradient_penalty(critic: Critic, real: Tensor, fake: Tensor, rng: torch.Generator | None = None) -> Tensor:
    """WGAN-GP penalty E[(||grad D(x_hat)||_2 - 1)^2] on random interpolates of real and fake (drawn from `rng`).

    D(x) is the per-image score the Wasserstein estimate uses: a patch critic's map averaged
    (`per_sample_mean`). Penalising the gradient of the map's sum instead would hold the averaged
    score to 1/patches-Lipschitz, a critic too weak to tell real colours from fake ones.
    """
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), device=real.device, dtype=real.dtype, generator=rng)
    interpolates = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = per_sample_mean(critic(interpolates))
    (grads,) = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
    return ((grads.reshape(grads.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()


def distance_to_interval(values: Tensor, low: float = -1.0, high: float = 1.0) -> Tensor:
    """Distance of each value to [low, high]: zero inside, linear outside."""
    return F.relu(values - high) + F.relu(low - values)


class AdversarialObjective(ABC):
    """What the critic and the generator each minimise, plus the optimiser habits of the method."""

    name: str = ""
    n_critic: int = 1
    adam_betas: tuple[float, float] = (0.5, 0.999)
    optimizer: str = "adam"
    critic_may_use_batchnorm: bool = True
    rng: torch.Generator | None = (
        None  # the run's own random stream, set by gan.train; None draws from torch's global one
    )

    @abstractmethod
    def critic_loss(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, dict[str, float]]:
        """Loss the critic minimises, and scalars worth logging."""

    @abstractmethod
    def generator_loss(self, critic: Critic, fake: Tensor) -> Tensor:
        """Loss the generator minimises through the critic."""

    def after_critic_step(self, critic: nn.Module) -> None:
        """Hook run after each critic update (weight clipping uses it)."""

    def score(self, critic: Critic, images: Tensor) -> Tensor:
        """Per-sample realness score: higher means judged more real."""
        return per_sample_mean(critic(images))


@dataclass
class BCE(AdversarialObjective):
    """Vanilla / conditional GAN (Goodfellow 2014; pix2pix): sigmoid cross-entropy on logits.

    `real_label` below 1 gives one-sided label smoothing (Salimans et al. 2016), e.g. 0.9.
    """

    real_label: float = 1.0
    name = "bce"

    def critic_loss(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, dict[str, float]]:
        real_logits, fake_logits = critic(real), critic(fake.detach())
        loss_real = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, self.real_label))
        loss_fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        loss = 0.5 * (loss_real + loss_fake)
        return loss, {
            "d_real": torch.sigmoid(real_logits).mean().item(),
            "d_fake": torch.sigmoid(fake_logits).mean().item(),
        }

    def generator_loss(self, critic: Critic, fake: Tensor) -> Tensor:
        logits = critic(fake)
        return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


@dataclass
class LSGAN(AdversarialObjective):
    """Least-squares GAN (Mao et al. 2017): critic regresses real to 1 and fake to 0."""

    name = "lsgan"

    def critic_loss(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, dict[str, float]]:
        real_out, fake_out = critic(real), critic(fake.detach())
        loss = 0.5 * (((real_out - 1) ** 2).mean() + (fake_out**2).mean())
        return loss, {"d_real": real_out.mean().item(), "d_fake": fake_out.mean().item()}

    def generator_loss(self, critic: Critic, fake: Tensor) -> Tensor:
        return 0.5 * ((critic(fake) - 1) ** 2).mean()


class _Wasserstein(AdversarialObjective):
    """Shared Kantorovich-Rubinstein estimate E[D(real)] - E[D(fake)]."""

    n_critic = 5

    def _estimate(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        real_score, fake_score = per_sample_mean(critic(real)), per_sample_mean(critic(fake.detach()))
        return real_score.mean() - fake_score.mean(), real_score, fake_score

    def generator_loss(self, critic: Critic, fake: Tensor) -> Tensor:
        return -per_sample_mean(critic(fake)).mean()


@dataclass
class WGANClip(_Wasserstein):
    """WGAN (Arjovsky et al. 2017): Lipschitz by clipping every critic weight to [-c, c]; RMSprop."""

    clip: float = 0.01
    name = "wgan-clip"
    optimizer = "rmsprop"

    def critic_loss(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, dict[str, float]]:
        distance, _, _ = self._estimate(critic, real, fake)
        return -distance, {"wasserstein": distance.item()}

    def after_critic_step(self, critic: nn.Module) -> None:
        with torch.no_grad():
            for parameter in critic.parameters():
                parameter.clamp_(-self.clip, self.clip)


@dataclass
class WGANGP(_Wasserstein):
    """WGAN-GP (Gulrajani et al. 2017): gradient penalty of weight `gp_weight` on interpolates.

    No BatchNorm in the critic: the penalty is per sample, and batch statistics break it.
    """

    gp_weight: float = 10.0
    name = "wgan-gp"
    adam_betas = (0.5, 0.9)
    critic_may_use_batchnorm = False

    def critic_loss(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, dict[str, float]]:
        distance, _, _ = self._estimate(critic, real, fake)
        penalty = gradient_penalty(critic, real, fake, self.rng)
        return -distance + self.gp_weight * penalty, {
            "wasserstein": distance.item(),
            "gradient_penalty": penalty.item(),
        }


@dataclass
class EBGAN(AdversarialObjective):
    """Energy-based GAN (Zhao et al. 2017): the critic is an autoencoder, its energy the
    per-sample reconstruction error; it pushes real energy down and fake energy above `margin`.
    """

    margin: float = 1.0
    name = "ebgan"

    @staticmethod
    def energy(critic: Critic, images: Tensor) -> Tensor:
        """Per-sample autoencoder energy ||AE(x) - x||^2 / dim."""
        return per_sample_mean((critic(images) - images) ** 2)

    def critic_loss(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, dict[str, float]]:
        real_energy, fake_energy = self.energy(critic, real), self.energy(critic, fake.detach())
        loss = real_energy.mean() + F.relu(self.margin - fake_energy).mean()
        return loss, {"energy_real": real_energy.mean().item(), "energy_fake": fake_energy.mean().item()}

    def generator_loss(self, critic: Critic, fake: Tensor) -> Tensor:
        return self.energy(critic, fake).mean()

    def score(self, critic: Critic, images: Tensor) -> Tensor:
        return -self.energy(critic, images)


@dataclass
class BoundedTotalVariation(AdversarialObjective):
    """Total-variation critic of HistoryAD (Chatillon & Ballester 2020).

    The critic maximises E_real[D(x)] - E_fake[D(y)], kept inside [-1, 1] by the smooth penalty
    `bound_weight` * d(D, [-1, 1])^2 rather than a tanh, so it estimates the total-variation distance.
    """

    bound_weight: float = 10.0
    name = "tv-bounded"
    critic_may_use_batchnorm = False

    def bound_penalty(self, scores: Tensor) -> Tensor:
        """Mean squared distance of the scores to [-1, 1]."""
        return (distance_to_interval(scores) ** 2).mean()

    def critic_loss(self, critic: Critic, real: Tensor, fake: Tensor) -> tuple[Tensor, dict[str, float]]:
        real_score, fake_score = per_sample_mean(critic(real)), per_sample_mean(critic(fake.detach()))
        distance = real_score.mean() - fake_score.mean()
        penalty = self.bound_penalty(torch.cat([real_score, fake_score]))
        return -distance + self.bound_weight * penalty, {
            "tv_distance": distance.item(),
            "bound_penalty": penalty.item(),
        }

    def generator_loss(self, critic: Critic, fake: Tensor) -> Tensor:
        return -per_sample_mean(critic(fake)).mean()


OBJECTIVES: dict[str, type[AdversarialObjective]] = {
    cls.name: cls for cls in (BCE, LSGAN, WGANClip, WGANGP, EBGAN, BoundedTotalVariation)
}


def make_objective(name: str, **options: float) -> AdversarialObjective:
    """Build the objective registered under `name` with its options (e.g. gp_weight=10)."""
    if name not in OBJECTIVES:
        raise ValueError(f"Unknown objective {name!r}; choose one of {sorted(OBJECTIVES)}.")
    return OBJECTIVES[name](**options)
