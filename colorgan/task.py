"""Colorization as a GAN task: the generator sees L, the critic judges (L, a, b) patches."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from colorgan.lab import AB_RANGE, join_normalized, split_normalized
from colorgan.models import ChromaGANGenerator
from colorgan.quantize import rebalanced_cross_entropy
from colorgan.variants import Variant
from gan.metrics import ab_auc, ab_error_table, ab_frequencies, colorfulness, inverse_frequency
from gan.nets import AutoencoderCritic, PatchGAN, init_gan_weights
from gan.objectives import make_objective
from gan.task import Batch, GanTask

LABEL_SMOOTHING = 0.1
PSNR_FLOOR = 1.0  # dB below the gray photo's PSNR that selection tolerates (PSNR charges plausible wrong colours)


def build_critic(variant: Variant, base_channels: int = 32, n_layers: int = 3) -> nn.Module | None:
    """The variant's critic on (L, a, b): PatchGAN (no BatchNorm where the objective forbids it), an autoencoder, or
    none."""
    if variant.objective is None:
        return None
    objective = make_objective(variant.objective)
    norm = "batch" if objective.critic_may_use_batchnorm else "instance"
    if variant.critic == "autoencoder":
        critic = AutoencoderCritic(3, base_channels, depth=3, norm=norm)
    else:
        critic = PatchGAN(3, base_channels, n_layers=n_layers, norm=norm)
    init_gan_weights(critic)
    return critic


def teacher_distribution(labels: Tensor, num_classes: int) -> Tensor:
    """The class distribution ChromaGAN's head is pulled towards: the label, smoothed by 0.1."""
    return F.one_hot(labels, num_classes).float() * (1 - LABEL_SMOOTHING) + LABEL_SMOOTHING / num_classes


def random_flip(images: Tensor, rng: torch.Generator | None = None) -> Tensor:
    """Mirror each image left-right with probability 1/2 (drawn from `rng`)."""
    flip = torch.rand(images.shape[0], 1, 1, 1, device=images.device, generator=rng) < 0.5
    return torch.where(flip, images.flip(-1), images)


def random_zoom(images: Tensor, max_zoom: float, rng: torch.Generator | None = None) -> Tensor:
    """Zoom each image in by a factor drawn uniformly from [1, max_zoom] about a random point, keeping the view inside
    it.

    A photo predicted at 128 px shows its objects at about twice the pixel size of a 64 px training photo;
    zoomed views show the generator that scale, blurred by the upsampling (on 64 px data this measured
    worse: README, Results). `max_zoom` 1 returns the images unchanged.
    """
    if max_zoom <= 1:
        return images
    n = images.shape[0]
    scale = 1 / (1 + (max_zoom - 1) * torch.rand(n, device=images.device, generator=rng))
    shift = (1 - scale)[:, None] * (2 * torch.rand(n, 2, device=images.device, generator=rng) - 1)
    theta = torch.zeros(n, 2, 3, device=images.device, dtype=images.dtype)
    theta[:, 0, 0] = theta[:, 1, 1] = scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def reconstruction_loss(kind: str, prediction: Tensor, target: Tensor) -> Tensor:
    """ "squared-norm": batch mean of each image's ||prediction - target||^2; "mse" and "l1": per-pixel means."""
    if kind == "squared-norm":
        return ((prediction - target) ** 2).flatten(1).sum(1).mean()
    if kind == "mse":
        return F.mse_loss(prediction, target)
    if kind == "l1":
        return F.l1_loss(prediction, target)
    raise ValueError(f"Unknown reconstruction loss {kind!r}.")


class ColorizationTask(GanTask):
    """Batches are (RGB in [-1, 1], class label or -1 for none); the loss terms follow the variant.

    Training views are mirrored at random and, when `max_zoom` > 1, zoomed in at random (`random_zoom`).
    A distribution variant needs `bin_weights`, the rebalancing weight of each of the generator's ab bins.
    """

    def __init__(
        self,
        generator: ChromaGANGenerator,
        critic: nn.Module | None,
        variant: Variant,
        max_zoom: float = 1.0,
        bin_weights: Tensor | None = None,
    ) -> None:
        super().__init__()
        self.generator, self.critic, self.variant, self.max_zoom = generator, critic, variant, max_zoom
        self.objective = make_objective(variant.objective) if variant.objective is not None else None
        if variant.predicts_distribution:
            if bin_weights is None or len(bin_weights) != generator.ab_bins:
                raise ValueError("A distribution variant needs a generator with ab bins and a weight per bin.")
            self.register_buffer("bin_weights", bin_weights.float())

    def _lab(self, batch: Batch, augment: bool = True) -> tuple[Tensor, Tensor]:
        rgb = batch[0] * 0.5 + 0.5
        return split_normalized(random_zoom(random_flip(rgb, self.rng), self.max_zoom, self.rng) if augment else rgb)

    def critic_loss(self, batch: Batch, generator: nn.Module, critic: nn.Module) -> tuple[Tensor, dict[str, float]]:
        lightness, ab = self._lab(batch)
        with torch.no_grad():
            fake_ab = generator(lightness)
        return self.objective.critic_loss(critic, torch.cat([lightness, ab], 1), torch.cat([lightness, fake_ab], 1))

    def generator_loss(self, batch: Batch, generator: nn.Module, critic: nn.Module) -> tuple[Tensor, dict[str, float]]:
        lightness, ab = self._lab(batch)
        v = self.variant
        if v.predicts_distribution:
            bins, logits = generator(lightness, bins=True)
            target = F.avg_pool2d(ab, 2)  # the bins are predicted at half resolution
            reconstruction = rebalanced_cross_entropy(bins, target, self.generator.ab_centres, self.bin_weights)
            fake_ab = self.generator.decode(bins)
        else:
            fake_ab, logits = generator(lightness, with_classes=True)
            reconstruction = reconstruction_loss(v.reconstruction, fake_ab, ab)
        loss = v.reconstruction_weight * reconstruction
        logs = {"reconstruction": reconstruction.item()}
        if self.objective is not None:
            adversarial = self.objective.generator_loss(critic, torch.cat([lightness, fake_ab], 1))
            loss = loss + v.adversarial_weight * adversarial
            logs["g_adv"] = adversarial.item()
        labelled = batch[1] >= 0  # photos with no class of the data (label -1) teach colour only
        if v.class_weight > 0 and logits is not None and labelled.any():
            teacher = teacher_distribution(batch[1][labelled], logits.shape[1])
            kl = F.kl_div(F.log_softmax(logits[labelled], dim=1), teacher, reduction="batchmean")
            loss = loss + v.class_weight * kl
            logs["class_kl"] = kl.item()
        return loss, logs

    @torch.no_grad()
    def sample_images(self, batch: Batch) -> Tensor:
        """Rows of 8: gray input, prediction, ground truth."""
        lightness, ab = self._lab((batch[0][:8],), augment=False)
        was_training = self.generator.training
        self.generator.eval()
        prediction = join_normalized(lightness, self.generator(lightness))
        self.generator.train(was_training)
        gray = join_normalized(lightness, torch.zeros_like(ab))
        return torch.cat([gray, prediction, join_normalized(lightness, ab)]) * 2 - 1

    @torch.no_grad()
    def evaluate(self, batch: Batch) -> dict[str, float]:
        """PSNR, raw and rebalanced ab AuC (the batch's own colour weights) of prediction and gray, and colorfulness.

        "selection" is the model-selection score: the rebalanced AuC when raw AuC is no worse than the gray
        photo's and PSNR at most PSNR_FLOOR dB below it (the floors), else that AuC less 100.
        """
        lightness, ab = self._lab(batch, augment=False)
        truth = join_normalized(lightness, ab)
        predicted_ab = self.generator(lightness).clamp(-1, 1)
        prediction = join_normalized(lightness, predicted_ab)
        gray = join_normalized(lightness, torch.zeros_like(ab))

        def mean_psnr(images: Tensor) -> float:
            error = ((images - truth) ** 2).flatten(1).mean(1).clamp(min=1e-10)
            return (10 * torch.log10(1 / error)).mean().item()

        def mean_colorfulness(images: Tensor) -> float:
            arrays = (images.permute(0, 2, 3, 1).cpu().numpy() * 255).round()
            return float(sum(colorfulness(a) for a in arrays) / len(arrays))

        def table(candidate: Tensor) -> np.ndarray:
            return ab_error_table(*((x * AB_RANGE).permute(0, 2, 3, 1).cpu().numpy() for x in (candidate, ab)))

        predicted, grayed = table(predicted_ab), table(torch.zeros_like(ab))
        weights = inverse_frequency(ab_frequencies(predicted))
        metrics = {
            "psnr": mean_psnr(prediction),
            "psnr_gray": mean_psnr(gray),
            "auc": ab_auc(predicted),
            "auc_gray": ab_auc(grayed),
            "auc_rebalanced": ab_auc(predicted, weights),
            "auc_rebalanced_gray": ab_auc(grayed, weights),
            "colorfulness": mean_colorfulness(prediction),
            "colorfulness_truth": mean_colorfulness(truth),
        }
        floors = metrics["psnr"] >= metrics["psnr_gray"] - PSNR_FLOOR and metrics["auc"] >= metrics["auc_gray"]
        metrics["selection"] = metrics["auc_rebalanced"] - (0 if floors else 100)
        return metrics
