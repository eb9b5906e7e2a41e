"""ChromaGAN's generator: L → (a, b) through a decoder fused with global semantic features, and L → classes.

ChromaGAN (Vitoria, Raad, Ballester, WACV 2020) has two branches on a shared encoder: a global
branch that pools the image into a semantic vector and predicts the class distribution, and a
colour branch whose decoder receives that vector, broadcast over the image and concatenated to
its features (the fusion), so colour is chosen knowing what the picture shows. The paper's encoder
is VGG-16 with ImageNet weights, which cannot be had offline; here the encoder is a U-Net's,
trained from scratch, with skip connections so that colour edges follow the full-resolution L.
With `ab_bins`, the colour branch predicts a distribution over quantised (a, b) at half resolution instead
(Zhang et al. 2016, `colorgan.quantize`), shown as its annealed mean at the model's `temperature`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import Tensor, nn

from colorgan.quantize import annealed_mean
from colorgan.settings import DEFAULT_TEMPERATURE
from gan.nets import down_block, init_gan_weights, norm_layer, up_block


def conv3x3(channels: int, norm: str = "batch") -> nn.Sequential:
    """A shape-keeping 3×3 convolution, norm and ReLU: the extra depth at every encoder level."""
    return nn.Sequential(
        nn.Conv2d(channels, channels, 3, padding=1, bias=False), norm_layer(norm, channels), nn.ReLU(inplace=True)
    )


class GlobalBranch(nn.Module):
    """Bottleneck features → one semantic vector per image (the paper's global features)."""

    def __init__(self, in_channels: int, global_channels: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, in_channels, 3, padding=1, bias=False),
            norm_layer("batch", in_channels),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(in_channels, 2 * global_channels),
            nn.ReLU(inplace=True),
            nn.Linear(2 * global_channels, global_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, features: Tensor) -> Tensor:
        return self.net(features)


class ChromaGANGenerator(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="gan-imaging-studio",
    tags=["image-colorization", "gan", "chromagan"],
    repo_url="https://huggingface.co/spaces/gan-imaging-studio/gan-imaging-studio",
):
    """L (N, 1, H, W) in [-1, 1] → ab (N, 2, H, W) in [-1, 1], plus class logits (N, num_classes)."""

    def __init__(
        self,
        base_channels: int = 48,
        depth: int = 4,
        max_channels: int = 384,
        global_channels: int = 256,
        num_classes: int = 201,
        train_size: int = 64,
        ab_bins: int = 0,
    ) -> None:
        super().__init__()
        widths = [min(base_channels * 2**i, max_channels) for i in range(depth)]
        self.depth, self.train_size = depth, train_size
        self.encoder = nn.ModuleList(
            nn.Sequential(
                down_block(1 if i == 0 else widths[i - 1], widths[i], "batch", first=i == 0), conv3x3(widths[i])
            )
            for i in range(depth)
        )
        self.global_branch = GlobalBranch(widths[-1], global_channels)
        self.class_head = nn.Linear(global_channels, num_classes) if num_classes > 0 else None
        self.fusion = nn.Sequential(
            nn.Conv2d(widths[-1] + global_channels, widths[-1], 1, bias=False),
            norm_layer("batch", widths[-1]),
            nn.ReLU(inplace=True),
        )
        self.decoder = nn.ModuleList(
            up_block(widths[level] * (1 if level == depth - 1 else 2), widths[level - 1], "batch", 0.0)
            for level in reversed(range(1, depth))
        )
        if ab_bins:
            self.color_head = nn.Conv2d(2 * widths[0], ab_bins, 1)
            self.register_buffer("ab_centres", torch.zeros(ab_bins, 2))
        else:
            self.head = nn.Sequential(nn.ConvTranspose2d(2 * widths[0], 2, 4, stride=2, padding=1), nn.Tanh())
        self.ab_bins, self.temperature = ab_bins, DEFAULT_TEMPERATURE
        init_gan_weights(self)

    @property
    def size_multiple(self) -> int:
        """Input sides must be multiples of this."""
        return 2**self.depth

    def _features(self, lightness: Tensor) -> tuple[Tensor, Tensor]:
        multiple = self.size_multiple
        if lightness.shape[-1] % multiple or lightness.shape[-2] % multiple:
            raise ValueError(
                f"The generator needs sides that are multiples of {multiple}, got {tuple(lightness.shape[-2:])}."
            )
        x, skips = lightness, []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
        semantic = self.global_branch(x)
        x = self.fusion(torch.cat([x, semantic[:, :, None, None].expand(-1, -1, *x.shape[-2:])], 1))
        for block, skip in zip(self.decoder, reversed(skips[:-1])):
            x = torch.cat([block(x), skip], 1)
        return x, semantic

    def decode(self, logits: Tensor, temperature: float | None = None) -> Tensor:
        """ab at twice the logits' resolution: their annealed mean (temperature: the model's own by default)."""
        ab = annealed_mean(logits, self.ab_centres, self.temperature if temperature is None else temperature)
        return F.interpolate(ab, scale_factor=2, mode="bilinear", align_corners=False)

    def forward(
        self, lightness: Tensor, with_classes: bool = False, bins: bool = False
    ) -> Tensor | tuple[Tensor, Tensor | None]:
        """ab; with `with_classes`, (ab, class logits or None when the model has no class head).

        With `bins` (distribution models), (logits over the ab bins at half resolution, class logits or None).
        """
        if bins and not self.ab_bins:
            raise ValueError("This model predicts ab directly; it has no colour distribution.")
        x, semantic = self._features(lightness)
        classes = self.class_head(semantic) if self.class_head is not None else None
        if bins:
            return self.color_head(x), classes
        ab = self.decode(self.color_head(x)) if self.ab_bins else self.head(x)
        return (ab, classes) if with_classes else ab
