"""Losses of the latent search: importance weights W, the contextual loss and the critic priors.

Contextual loss (Vitoria, Sintes and Ballester 2019):
    L_c(z) = ||W ⊙ (G(z) - y)||_1 + beta * ||W ⊙ (∇G(z) - ∇y)||_1
with W(i) = (number of unknown pixels in the window N_i) / |N_i| at known pixels and 0 in the
hole. Prior losses: the WGAN critic's -D(G(z)), or Yeh et al.'s log(1 - sigmoid(D(G(z)))).
L-BRGM's data term is the Gaussian likelihood's ||M ⊙ (G(z) - y)||^2 over every known pixel.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor


def importance_weights(hole: Tensor, window: int = 7) -> Tensor:
    """W for a hole mask (N, 1, H, W), 1 = unknown: the hole's share of each known pixel's window, 0 inside.

    Windows are `window` x `window` (odd), centred on the pixel; outside the image counts as known.
    """
    if window < 1 or window % 2 == 0:
        raise ValueError(f"The neighbourhood size must be odd and positive, got {window}.")
    hole = hole.float()
    share = F.avg_pool2d(hole, window, stride=1, padding=window // 2, count_include_pad=True)
    return share * (1.0 - hole)


def image_gradients(x: Tensor) -> tuple[Tensor, Tensor]:
    """Forward differences (d/dx, d/dy) of x (N, C, H, W), zero on the last column / row; same shape as x."""
    dx = F.pad(x[..., :, 1:] - x[..., :, :-1], (0, 1, 0, 0))
    dy = F.pad(x[..., 1:, :] - x[..., :-1, :], (0, 0, 0, 1))
    return dx, dy


def weighted_l1(difference: Tensor, weights: Tensor) -> Tensor:
    """Per-sample ||W ⊙ difference||_1, W broadcast over channels: (N,)."""
    return (weights * difference).abs().flatten(1).sum(dim=1)


def known_pairs(known: Tensor) -> tuple[Tensor, Tensor]:
    """Where the forward differences (d/dx, d/dy) join two known pixels: 1 there, 0 where either end is unknown."""
    along_x = F.pad(known[..., :, 1:] * known[..., :, :-1], (0, 1, 0, 0))
    along_y = F.pad(known[..., 1:, :] * known[..., :-1, :], (0, 0, 0, 1))
    return along_x, along_y


def contextual_loss(x: Tensor, y: Tensor, weights: Tensor, beta: float, known: Tensor | None = None) -> Tensor:
    """Per-sample ||W ⊙ (x - y)||_1 + beta ||W ⊙ (∇x - ∇y)||_1 (the Yeh et al. loss when beta = 0).

    With `known` (1 = known pixel), differences that reach into the hole are left out: ∇y is
    only defined between two known pixels (y holds no data in the hole).
    """
    loss = weighted_l1(x - y, weights)
    if beta:
        (gx, gy), (yx, yy) = image_gradients(x), image_gradients(y)
        along_x, along_y = known_pairs(known) if known is not None else (1.0, 1.0)
        loss = loss + beta * (weighted_l1(gx - yx, weights * along_x) + weighted_l1(gy - yy, weights * along_y))
    return loss


def masked_squared_error(x: Tensor, y: Tensor, known: Tensor) -> Tensor:
    """Per-sample ||M ⊙ (x - y)||_2^2 over the known pixels (M = `known`, broadcast over channels): (N,)."""
    return (known * (x - y)).pow(2).flatten(1).sum(dim=1)


def wasserstein_prior(scores: Tensor) -> Tensor:
    """Prior loss -D(G(z)) of a WGAN critic, per sample."""
    return -scores.reshape(scores.shape[0], -1).mean(dim=1)


def yeh_prior(scores: Tensor) -> Tensor:
    """Yeh et al.'s prior log(1 - sigmoid(D(G(z)))), per sample, computed stably as -softplus(D)."""
    return -F.softplus(scores.reshape(scores.shape[0], -1).mean(dim=1))


PRIOR_LOSSES = {"wasserstein": wasserstein_prior, "yeh": yeh_prior}
SEARCH_LOSSES = ("contextual", "yeh", "brgm")
"""The latent search's variants: Vitoria et al.'s contextual loss, Yeh et al.'s, and L-BRGM's Gaussian MAP."""
