"""FID-TIN: Fréchet distance over the features of a classifier we train on Tiny ImageNet.

No pretrained Inception-v3 can be had offline, so the studio's distribution score uses its own
feature network: `TinyImageNetClassifier`, a small ResNet trained from scratch on Tiny ImageNet 200
(`python -m training.fid_classifier`, validation accuracy in its model card). Its pooled
features go to torchmetrics' `FrechetInceptionDistance` as a custom feature extractor; the
score is named "FID-TIN" wherever it is printed, never "FID". Users online may ask for the
standard Inception-v3 features instead (`feature="inception"`, needs `torch-fidelity` and a download).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import Tensor, nn

FID_TIN_MODEL = "fid-tin-classifier"
INCEPTION = "inception"  # the standard Inception-v3 features (torch-fidelity; online only)
FEATURE_SIZE = 64


def conv_bn(in_channels: int, out_channels: int, stride: int = 1) -> nn.Sequential:
    """3×3 convolution, BatchNorm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class ResidualBlock(nn.Module):
    """Two 3×3 convolutions with an identity shortcut (He et al. 2016)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            conv_bn(channels, channels), nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels)
        )

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x + self.body(x))


class TinyImageNetClassifier(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="gan-imaging-studio",
    tags=["image-classification", "fid-features", "tiny-imagenet"],
):
    """RGB (N, 3, 64, 64) in [-1, 1] → 200 class logits; `features` gives the pooled vector FID-TIN uses."""

    def __init__(self, width: int = 16, num_classes: int = 200) -> None:
        super().__init__()
        widths = [width, 2 * width, 4 * width, 8 * width]
        stages: list[nn.Module] = [conv_bn(3, widths[0])]
        for previous, current in zip(widths, widths[1:]):
            stages += [conv_bn(previous, current, stride=2), ResidualBlock(current)]
        self.trunk = nn.Sequential(*stages, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(widths[-1], num_classes))
        self.num_features = widths[-1]

    def features(self, images: Tensor) -> Tensor:
        """Pooled features of RGB images in [-1, 1]."""
        return self.trunk(images)

    def forward(self, images: Tensor) -> Tensor:
        return self.classifier(self.features(images))


class FeatureExtractor(nn.Module):
    """The classifier as torchmetrics wants a feature network: uint8 RGB of any size in, features out."""

    def __init__(self, classifier: TinyImageNetClassifier) -> None:
        super().__init__()
        self.classifier = classifier.eval()
        self.num_features = classifier.num_features

    @torch.no_grad()
    def forward(self, images: Tensor) -> Tensor:
        x = images.float() / 127.5 - 1 if images.dtype == torch.uint8 else images * 2 - 1
        if x.shape[-2:] != (FEATURE_SIZE, FEATURE_SIZE):
            x = F.interpolate(
                x, size=(FEATURE_SIZE, FEATURE_SIZE), mode="bilinear", antialias=True, align_corners=False
            )
        return self.classifier.features(x).double()


def frechet_distance(real: Tensor, fake: Tensor, feature: TinyImageNetClassifier | str, batch_size: int = 250) -> float:
    """FID-TIN between uint8 RGB image sets (N, 3, H, W) with our classifier, or FID with feature="inception"
    (online)."""
    from torchmetrics.image.fid import FrechetInceptionDistance

    network = FeatureExtractor(feature) if isinstance(feature, TinyImageNetClassifier) else 2048
    if isinstance(feature, str) and feature != INCEPTION:
        raise ValueError(f"Unknown feature network {feature!r}; give the FID-TIN classifier or 'inception'.")
    metric = FrechetInceptionDistance(feature=network, reset_real_features=True)
    for images, real_flag in ((real, True), (fake, False)):
        for start in range(0, len(images), batch_size):
            metric.update(images[start : start + batch_size], real=real_flag)
    return float(metric.compute())
