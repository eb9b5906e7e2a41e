"""The image prior of the latent search: a WGAN-GP generator and its critic, saved as one Hub module.

The search needs both networks (G to produce candidates, D for the prior loss -D(G(z))), and they
were trained together, so they live in one `PyTorchModelHubMixin` module: one `config.json`, one
`model.safetensors` (keys `generator.*` and `critic.*`), one model card, one Hub repo, and no way
to pair a generator with a critic from another run.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import Tensor, nn

from gan.data import pad_to
from gan.nets import DCGANCritic, DCGANGenerator


class InpaintPrior(nn.Module, PyTorchModelHubMixin, tags=["gan-imaging-studio", "inpainting", "wgan-gp"]):
    """DCGAN generator G: z -> image in [-1, 1] and layer-norm critic D: image -> score, trained as WGAN-GP.

    `content_size` is the side of the real images inside the `image_size` frame (28 for
    Fashion-MNIST padded to 32); `dataset` names what the prior was trained on.
    """

    def __init__(
        self,
        latent_dim: int = 100,
        channels: int = 1,
        image_size: int = 32,
        generator_channels: int = 64,
        critic_channels: int = 64,
        content_size: int = 32,
        dataset: str = "",
    ) -> None:
        super().__init__()
        self.latent_dim, self.channels, self.image_size = latent_dim, channels, image_size
        self.content_size, self.dataset = content_size, dataset
        self.generator = DCGANGenerator(latent_dim, channels, image_size, generator_channels)
        self.critic = DCGANCritic(channels, image_size, critic_channels, norm="layer")

    def forward(self, z: Tensor) -> Tensor:
        return self.generator(z)


def to_frame(images: Tensor, size: int) -> tuple[Tensor, int]:
    """uint8 images into a size x size frame: zero-pad when smaller, area-resize when larger; also the content side."""
    if images.shape[-2:] == (size, size):
        return images, size
    if images.shape[-1] <= size and images.shape[-2] <= size:
        return pad_to(images, size), images.shape[-1]
    resized = F.interpolate(images.float(), size=(size, size), mode="area").round().clamp(0, 255).to(torch.uint8)
    return resized, size
