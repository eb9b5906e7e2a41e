"""The colorization networks: ChromaGAN's two-headed generator and the conditional critics.

ChromaGAN (Vitoria, Raad, Ballester, WACV 2020) maps L to (a, b) and, through a second head on the
shared trunk, to a distribution over semantic classes. Here the trunk is a pix2pix U-Net (the
paper's VGG-16 trunk wants ImageNet weights we cannot ship offline); the class head reads the
U-Net bottleneck. With `num_classes=0` the same network is the plain generator of the other variants.
"""
from __future__ import annotations

from huggingface_hub import PyTorchModelHubMixin
from torch import Tensor, nn

from gan.nets import UNet, init_gan_weights

SHIPPED_MODELS = ("colorgan-chromagan-mse", "colorgan-chromagan", "colorgan-lsgan", "colorgan-pix2pix")
DEFAULT_MODEL = SHIPPED_MODELS[0]


class ChromaGANGenerator(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="gan-imaging-studio",
    tags=["image-colorization", "gan", "chromagan"],
    repo_url="https://huggingface.co/spaces/gan-imaging-studio/gan-imaging-studio",
):
    """L (N, 1, H, W) in [-1, 1] -> ab (N, 2, H, W) in [-1, 1], plus class logits (N, num_classes)."""

    def __init__(
        self,
        base_channels: int = 32,
        depth: int = 5,
        max_channels: int = 256,
        num_classes: int = 10,
        dropout: float = 0.0,
        train_size: int = 32,
    ) -> None:
        super().__init__()
        self.train_size = train_size
        self.trunk = UNet(1, 2, base_channels=base_channels, depth=depth, max_channels=max_channels, norm="batch", dropout=dropout)
        self.class_head = (
            nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(self.trunk.bottleneck_channels, num_classes))
            if num_classes > 0
            else None
        )
        init_gan_weights(self)

    @property
    def size_multiple(self) -> int:
        """Input sides must be multiples of this."""
        return 2**self.trunk.depth

    def forward(self, lightness: Tensor, with_classes: bool = False) -> Tensor | tuple[Tensor, Tensor | None]:
        """ab; with `with_classes`, (ab, class logits or None when the model has no class head)."""
        if not with_classes:
            return self.trunk(lightness)
        ab, bottleneck = self.trunk.forward_features(lightness)
        return ab, (self.class_head(bottleneck) if self.class_head is not None else None)
