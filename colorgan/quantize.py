"""Colour as a distribution (Zhang, Isola and Efros 2016): quantised (a, b), soft targets, rebalancing, annealed mean.

The ab plane is cut into square bins of 10; a bin is kept when some 8-bit sRGB colour falls in it (261 bins:
Zhang et al.'s 313 cover a wider gamut than sRGB, and the extra bins can never be the truth of a photo).
A model predicts a distribution over the bins per pixel and is trained with cross-entropy against soft
targets (the 5 nearest bins of the true ab, weighted by a Gaussian of sigma 5), each pixel weighted by the
inverse of a smoothed prior of its colour mixed with uniform (lambda = 0.5), so that rare, saturated colours
count. The colour shown is the annealed mean: the mean of the distribution sharpened by temperature T
(T = 1 the mean, which drifts to brown; T -> 0 the mode, which is vivid but patchy; 0.38 in the paper).
Bin centres are held normalised, in the models' units (ab / 110).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from colorgan.lab import AB_RANGE, rgb_to_lab
from colorgan.settings import DEFAULT_TEMPERATURE

BIN_SIZE = 10.0
SOFT_NEIGHBOURS, SOFT_SIGMA = 5, 5.0
PRIOR_SIGMA, UNIFORM_MIX = 5.0, 0.5
GRID_CELLS = 13  # the ab grid searched for bins spans -130 to 130


def in_gamut_bins(step: int = 3) -> Tensor:
    """(Q, 2) normalised centres of the 10-wide bins some sRGB colour falls in (8-bit cube sampled every `step`)."""
    levels = torch.arange(0, 256, step, dtype=torch.float32) / 255
    found = []
    for red in levels.split(16):
        r, g, b = torch.meshgrid(red, levels, levels, indexing="ij")
        ab = rgb_to_lab(torch.stack([r.flatten(), g.flatten(), b.flatten()])[:, :, None])[1:, :, 0]
        found.append(torch.unique(torch.round(ab / BIN_SIZE).T, dim=0))
    return torch.unique(torch.cat(found), dim=0) * BIN_SIZE / AB_RANGE


def annealed_mean(logits: Tensor, centres: Tensor, temperature: float = DEFAULT_TEMPERATURE) -> Tensor:
    """(N, Q, H, W) bin logits -> (N, 2, H, W) normalised ab: the mean of softmax(logits / T) over the bins."""
    probabilities = F.softmax(logits / max(temperature, 1e-3), dim=1)
    return torch.einsum("nqhw,qc->nchw", probabilities, centres.to(probabilities))


def soft_encode(ab: Tensor, centres: Tensor) -> Tensor:
    """Normalised (N, 2, H, W) ab -> (N, Q, H, W) soft targets: the 5 nearest bins, Gaussian weights of sigma 5."""
    points = ab.permute(0, 2, 3, 1).reshape(-1, 2) * AB_RANGE
    distances = torch.cdist(points, centres.to(points) * AB_RANGE)
    nearest, index = distances.topk(SOFT_NEIGHBOURS, dim=1, largest=False)
    weights = torch.exp(
        -(nearest**2 - nearest[:, :1] ** 2) / (2 * SOFT_SIGMA**2)
    )  # shifted: far colours do not underflow
    target = torch.zeros(points.shape[0], centres.shape[0], dtype=ab.dtype, device=ab.device)
    target.scatter_(1, index, weights / weights.sum(1, keepdim=True))
    n, _, h, w = ab.shape
    return target.view(n, h, w, -1).permute(0, 3, 1, 2)


def nearest_bins(ab: Tensor, centres: Tensor) -> Tensor:
    """(N, H, W) index of the bin nearest to each colour of normalised (N, 2, H, W) ab (via its grid cell)."""
    cells = torch.arange(-GRID_CELLS, GRID_CELLS + 1, dtype=torch.float32) * BIN_SIZE
    grid = torch.cartesian_prod(cells, cells)
    lookup = torch.cdist(grid, centres.float().cpu() * AB_RANGE).argmin(1).to(ab.device)
    cell = (torch.round(ab * AB_RANGE / BIN_SIZE).clamp(-GRID_CELLS, GRID_CELLS) + GRID_CELLS).long()
    return lookup[cell[:, 0] * (2 * GRID_CELLS + 1) + cell[:, 1]]


def bin_prior(ab: Tensor, centres: Tensor) -> Tensor:
    """(Q,) share of the pixels of normalised (N, 2, H, W) ab whose nearest bin is each centre."""
    index = nearest_bins(ab, centres).flatten()
    return torch.bincount(index, minlength=centres.shape[0]).double() / len(index)


def rebalancing_weights(prior: Tensor, centres: Tensor) -> Tensor:
    """(Q,) weight of each true bin: 1 / ((1 - lambda) * smoothed prior + lambda / Q), mean 1 under the prior."""
    gap = torch.cdist(centres.double() * AB_RANGE, centres.double() * AB_RANGE)
    kernel = torch.exp(-(gap**2) / (2 * PRIOR_SIGMA**2))
    smoothed = kernel @ prior.double()
    smoothed = smoothed / smoothed.sum()
    weights = 1 / ((1 - UNIFORM_MIX) * smoothed + UNIFORM_MIX / len(prior))
    return (weights / (prior.double() * weights).sum()).float()


def images_prior(rgb: Tensor, centres: Tensor, batch: int = 256) -> Tensor:
    """(Q,) colour prior of uint8 RGB images (N, 3, H, W) over the bins (normalised centres)."""
    counts = torch.zeros(centres.shape[0], dtype=torch.float64)
    for start in range(0, len(rgb), batch):
        ab = rgb_to_lab(rgb[start : start + batch].float() / 255)[:, 1:] / AB_RANGE
        counts += bin_prior(ab, centres) * ab[:, 0].numel()
    return counts / counts.sum()


def rebalanced_cross_entropy(logits: Tensor, ab: Tensor, centres: Tensor, weights: Tensor) -> Tensor:
    """Class-rebalanced cross-entropy of (N, Q, H, W) logits against soft-encoded (N, 2, H, W) ab (sum per image)."""
    target = soft_encode(ab, centres)
    pixel_weight = weights.to(logits)[target.argmax(1)]
    loss = -(target * F.log_softmax(logits, dim=1)).sum(1) * pixel_weight
    return loss.flatten(1).sum(1).mean()
