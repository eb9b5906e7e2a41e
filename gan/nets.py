"""Networks shared by every capability: U-Net generator, PatchGAN critic, DCGAN pair, autoencoder critic.

Read top to bottom: normalisation helper, blocks, then the networks. Every network takes its
norm by name, so a WGAN-GP critic is built without BatchNorm ("none" / "instance" / "layer").
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

NORMS = ("batch", "instance", "layer", "none")


def norm_layer(kind: str, channels: int) -> nn.Module:
    """A 2-d normalisation layer by name; "layer" normalises each sample over (C, H, W)."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    if kind == "layer":
        return nn.GroupNorm(1, channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"Unknown norm {kind!r}; choose one of {NORMS}.")


def down_block(in_ch: int, out_ch: int, norm: str, first: bool = False) -> nn.Sequential:
    """Conv 4x4 stride 2, norm (none on the first block, as in pix2pix), LeakyReLU 0.2."""
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, 4, stride=2, padding=1, bias=norm != "batch" or first),
        nn.Identity() if first else norm_layer(norm, out_ch),
        nn.LeakyReLU(0.2, inplace=True),
    )


def up_block(in_ch: int, out_ch: int, norm: str, dropout: float) -> nn.Sequential:
    """ConvTranspose 4x4 stride 2, norm, optional dropout, ReLU."""
    return nn.Sequential(
        nn.ConvTranspose2d(in_ch, out_ch, 4, stride=2, padding=1, bias=norm != "batch"),
        norm_layer(norm, out_ch),
        nn.Dropout(dropout) if dropout > 0 else nn.Identity(),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """pix2pix U-Net: `depth` stride-2 encoder blocks, mirrored decoder with skips, tanh output.

    Input sides must be multiples of 2**depth. `forward_features` also returns the bottleneck,
    which ChromaGAN's class head reads.
    """

    def __init__(
        self,
        in_channels: int = 1,
        out_channels: int = 2,
        base_channels: int = 64,
        depth: int = 5,
        max_channels: int = 512,
        norm: str = "batch",
        dropout: float = 0.5,
        dropout_blocks: int = 2,
    ) -> None:
        super().__init__()
        widths = [min(base_channels * 2**i, max_channels) for i in range(depth)]
        self.depth = depth
        self.encoder = nn.ModuleList(
            down_block(in_channels if i == 0 else widths[i - 1], widths[i], norm, first=i == 0) for i in range(depth)
        )
        decoder = []
        for level in reversed(range(1, depth)):
            in_ch = widths[level] if level == depth - 1 else 2 * widths[level]
            block_index = depth - 1 - level
            decoder.append(up_block(in_ch, widths[level - 1], norm, dropout if block_index < dropout_blocks else 0.0))
        self.decoder = nn.ModuleList(decoder)
        self.head = nn.Sequential(nn.ConvTranspose2d(2 * widths[0], out_channels, 4, stride=2, padding=1), nn.Tanh())
        self.bottleneck_channels = widths[-1]

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Return (output, bottleneck features)."""
        multiple = 2**self.depth
        if x.shape[-1] % multiple or x.shape[-2] % multiple:
            raise ValueError(
                f"U-Net of depth {self.depth} needs sides that are multiples of {multiple}, got {tuple(x.shape[-2:])}."
            )
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
        bottleneck = x
        for block, skip in zip(self.decoder, reversed(skips[:-1])):
            x = torch.cat([block(x), skip], dim=1)
        return self.head(x), bottleneck

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_features(x)[0]


class PatchGAN(nn.Module):
    """PatchGAN critic (pix2pix): C64-C128-C256 stride 2, C512 stride 1, 1-channel output map.

    With n_layers=3 each output sees a 70x70 patch. Outputs are raw scores (no sigmoid).
    """

    def __init__(self, in_channels: int = 3, base_channels: int = 64, n_layers: int = 3, norm: str = "none") -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(in_channels, base_channels, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        width = base_channels
        for i in range(1, n_layers + 1):
            stride = 2 if i < n_layers else 1
            next_width = base_channels * min(2**i, 8)
            layers += [
                nn.Conv2d(width, next_width, 4, stride, 1, bias=norm != "batch"),
                norm_layer(norm, next_width),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            width = next_width
        layers.append(nn.Conv2d(width, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def _dcgan_levels(image_size: int) -> int:
    levels = int(math.log2(image_size)) - 2
    if 2 ** (levels + 2) != image_size or levels < 1:
        raise ValueError(f"DCGAN image_size must be a power of two >= 8, got {image_size}.")
    return levels


class DCGANGenerator(nn.Module):
    """DCGAN generator (Radford et al. 2016): z -> 4x4 -> ... -> image_size, BatchNorm + ReLU, tanh out."""

    def __init__(self, latent_dim: int = 100, channels: int = 1, image_size: int = 32, base_channels: int = 64) -> None:
        super().__init__()
        levels = _dcgan_levels(image_size)
        self.latent_dim = latent_dim
        width = base_channels * 2 ** (levels - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, width, 4, 1, 0, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        ]
        for _ in range(levels - 1):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(width // 2),
                nn.ReLU(inplace=True),
            ]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z.reshape(z.shape[0], -1, 1, 1))


class DCGANCritic(nn.Module):
    """DCGAN critic: stride-2 convs down to 4x4, then one score per image (N, 1); norm by name."""

    def __init__(self, channels: int = 1, image_size: int = 32, base_channels: int = 64, norm: str = "layer") -> None:
        super().__init__()
        levels = _dcgan_levels(image_size)
        layers: list[nn.Module] = [nn.Conv2d(channels, base_channels, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        width = base_channels
        for _ in range(levels - 1):
            layers += [
                nn.Conv2d(width, width * 2, 4, 2, 1, bias=norm != "batch"),
                norm_layer(norm, width * 2),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            width *= 2
        layers.append(nn.Conv2d(width, 1, 4, 1, 0))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).reshape(x.shape[0], 1)


class AutoencoderCritic(nn.Module):
    """EBGAN critic: a small convolutional autoencoder whose output has the input's shape."""

    def __init__(self, in_channels: int = 3, base_channels: int = 64, depth: int = 3, norm: str = "batch") -> None:
        super().__init__()
        widths = [base_channels * 2**i for i in range(depth)]
        self.encoder = nn.Sequential(
            *(down_block(in_channels if i == 0 else widths[i - 1], widths[i], norm, first=i == 0) for i in range(depth))
        )
        decoder: list[nn.Module] = []
        for i in reversed(range(1, depth)):
            decoder.append(up_block(widths[i], widths[i - 1], norm, 0.0))
        decoder.append(nn.ConvTranspose2d(widths[0], in_channels, 4, 2, 1))
        self.decoder = nn.Sequential(*decoder)

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))


def init_gan_weights(module: nn.Module, std: float = 0.02) -> None:
    """DCGAN initialisation: conv weights N(0, std), norm scales N(1, std), biases 0."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(layer.weight, 0.0, std)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, (nn.BatchNorm2d, nn.GroupNorm, nn.InstanceNorm2d)) and layer.weight is not None:
            nn.init.normal_(layer.weight, 1.0, std)
            nn.init.zeros_(layer.bias)
