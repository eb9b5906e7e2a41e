"""The shipped HistoryAD model: the D_TV critic, the last generator, and what their inputs look like."""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import Tensor, nn

from gan.nets import DCGANCritic, DCGANGenerator
from gan.objectives import per_sample_mean


class HistoryADModel(nn.Module, PyTorchModelHubMixin):
    """D_TV critic plus the final WGAN generator G_T (for the talk's latent-interpolation figure).

    The config records the input format (channels, content_size padded to image_size), the
    experiment (dataset, normal classes, held-out class or anomaly dataset, split protocol) and the
    range of mean intensities of the training images, so a user's image is converted the way
    training data was, an image unlike it is flagged, and the reference test split can be rebuilt.
    """

    def __init__(
        self,
        channels: int = 1,
        image_size: int = 32,
        content_size: int = 28,
        base_channels: int = 16,
        latent_dim: int = 64,
        dataset: str = "fashion-mnist",
        anomalous_class: int = -1,
        class_names: tuple[str, ...] | list[str] = (),
        normal_classes: tuple[int, ...] | list[int] = (),
        anomaly_dataset: str = "",
        protocol: str = "ours",
        intensity_range: tuple[float, float] | list[float] = (),
    ) -> None:
        super().__init__()
        self.channels, self.image_size, self.content_size = channels, image_size, content_size
        self.latent_dim, self.dataset, self.anomalous_class = latent_dim, dataset, anomalous_class
        self.class_names, self.normal_classes, self.anomaly_dataset = (
            list(class_names),
            list(normal_classes),
            anomaly_dataset,
        )
        self.protocol, self.intensity_range = protocol, list(intensity_range)
        self.critic = DCGANCritic(channels, image_size, base_channels, norm="layer")
        self.generator = DCGANGenerator(latent_dim, channels, image_size, base_channels)

    def forward(self, images: Tensor) -> Tensor:
        """D_TV(x), one value per image (N,)."""
        return per_sample_mean(self.critic(images))

    @torch.no_grad()
    def score(self, images: Tensor, batch_size: int = 512) -> Tensor:
        """Anomaly score −D_TV(x) of images in [-1, 1]: HIGHER MEANS MORE ANOMALOUS (the one place the sign is set)."""
        device = next(self.parameters()).device
        parts = [-self(images[i : i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)]
        return torch.cat(parts) if parts else torch.empty(0)

    @property
    def anomalous_name(self) -> str:
        """Name of the held-out class, or a description when the anomalies are another dataset."""
        if self.anomaly_dataset:
            return self.anomaly_dataset
        if 0 <= self.anomalous_class < len(self.class_names):
            return self.class_names[self.anomalous_class]
        return "other classes"
