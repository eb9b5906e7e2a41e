"""What a GAN method is to the training loop: networks, objective, and the two losses.

A task wires networks and an objective and says what one batch means; the loop in `gan.train`
owns the update order, optimisers, devices, checkpoints and logs. `UnconditionalGAN` is the task
of the inpainting prior and of HistoryAD's WGAN; colorization defines its own in `colorgan.task`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import Tensor, nn

from gan.objectives import AdversarialObjective

Batch = tuple[Tensor, ...]


class GanTask(nn.Module, ABC):
    """A generator, a critic and an objective, with the losses each player minimises on a batch.

    The loss methods receive the networks to call explicitly, because under DDP the loop passes
    the wrapped replica of the network being updated and the plain module of the other one.
    A task with no critic (critic and objective None) is plain regression: the loop then makes
    generator updates only.
    """

    generator: nn.Module
    critic: nn.Module | None
    objective: AdversarialObjective | None
    rng: torch.Generator | None = None  # the run's own random stream, set by gan.train (None: torch's global one)

    @abstractmethod
    def critic_loss(self, batch: Batch, generator: nn.Module, critic: nn.Module) -> tuple[Tensor, dict[str, float]]:
        """Loss of one critic update, and scalars worth logging."""

    @abstractmethod
    def generator_loss(self, batch: Batch, generator: nn.Module, critic: nn.Module) -> tuple[Tensor, dict[str, float]]:
        """Loss of one generator update, and scalars worth logging."""

    @abstractmethod
    def sample_images(self, batch: Batch) -> Tensor:
        """Images in [-1, 1] that show progress on `batch`, for the sample grids."""

    def evaluate(self, batch: Batch) -> dict[str, float]:
        """Held-out metrics on `batch`; none by default."""
        return {}


class UnconditionalGAN(GanTask):
    """G(z) against real images: batches are (images,) or (images, labels)."""

    def __init__(
        self, generator: nn.Module, critic: nn.Module, objective: AdversarialObjective, latent_dim: int
    ) -> None:
        super().__init__()
        self.generator, self.critic, self.objective, self.latent_dim = generator, critic, objective, latent_dim
        self.register_buffer("fixed_noise", torch.randn(64, latent_dim, generator=torch.Generator().manual_seed(0)))

    def sample_latent(self, n: int) -> Tensor:
        """n draws of z ~ N(0, I) on the task's device."""
        return torch.randn(n, self.latent_dim, device=self.fixed_noise.device, generator=self.rng)

    def critic_loss(self, batch: Batch, generator: nn.Module, critic: nn.Module) -> tuple[Tensor, dict[str, float]]:
        real = batch[0]
        with torch.no_grad():
            fake = generator(self.sample_latent(real.shape[0]))
        return self.objective.critic_loss(critic, real, fake)

    def generator_loss(self, batch: Batch, generator: nn.Module, critic: nn.Module) -> tuple[Tensor, dict[str, float]]:
        fake = generator(self.sample_latent(batch[0].shape[0]))
        loss = self.objective.generator_loss(critic, fake)
        return loss, {"g_adv": loss.item()}

    @torch.no_grad()
    def sample_images(self, batch: Batch) -> Tensor:
        was_training = self.generator.training
        self.generator.eval()
        images = self.generator(self.fixed_noise)
        self.generator.train(was_training)
        return images
