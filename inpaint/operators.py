"""Forward operators A(x) of the inverse problems the latent search solves: masking and downsampling.

Each operator maps a full-resolution image batch x (N, C, H, W) in [-1, 1] to what is observed,
and owns the data term that compares A(G(z)) with the observation y, so the solver in
`inpaint.search` is the same code for inpainting and for super-resolution.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch.nn.functional as F
from torch import Tensor

from inpaint.losses import SEARCH_LOSSES, contextual_loss, importance_weights, masked_squared_error


class ForwardOperator(ABC):
    """y = A(x): the degradation, and the per-sample data term between A(x) and y."""

    @abstractmethod
    def __call__(self, x: Tensor) -> Tensor:
        """Apply the degradation to a batch x (N, C, H, W)."""

    @abstractmethod
    def data_loss(self, x: Tensor, y: Tensor) -> Tensor:
        """Per-sample data term (N,) comparing the candidate x with the observation y."""


class MaskOperator(ForwardOperator):
    """Inpainting: A(x) = M ⊙ x with M = 1 on known pixels, 0 in the hole.

    `loss` is "contextual" (Vitoria et al.: weighted L1 + beta * weighted L1 of the image
    gradients), "yeh" (Yeh et al.: weighted L1 alone), where W counts the hole's share of each
    known pixel's `window` x `window` neighbourhood, or "brgm" (L-BRGM: squared error over every
    known pixel, the Gaussian likelihood's data term).
    """

    def __init__(self, hole: Tensor, window: int = 7, loss: str = "contextual", beta: float = 1.0) -> None:
        if loss not in SEARCH_LOSSES:
            raise ValueError(f"Unknown inpainting loss {loss!r}; choose one of {', '.join(SEARCH_LOSSES)}.")
        self.hole = hole.float()
        self.known = 1.0 - self.hole
        self.weights = importance_weights(self.hole, window)
        self.loss = loss
        self.beta = beta if loss == "contextual" else 0.0

    def __call__(self, x: Tensor) -> Tensor:
        return x * self.known

    def data_loss(self, x: Tensor, y: Tensor) -> Tensor:
        repeats = (x.shape[0] // self.weights.shape[0], 1, 1, 1)
        if self.loss == "brgm":
            return masked_squared_error(x, y, self.known.repeat(repeats))
        return contextual_loss(x, y, self.weights.repeat(repeats), self.beta, self.known.repeat(repeats))


BACK_PROJECTION_STEPS = 10
"""Iterations of back-projection; its residual stops changing after about three (measured on faces)."""


class DownsampleOperator(ForwardOperator):
    """Super-resolution: A(x) = average pooling by `factor` (2 or 4); data term ||y - A(x)||^2."""

    def __init__(self, factor: int) -> None:
        if factor not in (2, 4):
            raise ValueError(f"Super-resolution factor must be 2 or 4, got {factor}.")
        self.factor = factor

    def __call__(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.factor)

    def data_loss(self, x: Tensor, y: Tensor) -> Tensor:
        return (self(x) - y).pow(2).flatten(1).sum(dim=1)

    def enlarge(self, y: Tensor) -> Tensor:
        """Bicubic enlargement of an observation by `factor`: the classical answer."""
        return F.interpolate(y, scale_factor=self.factor, mode="bicubic", align_corners=False)

    def back_project(self, x: Tensor, y: Tensor, iterations: int = BACK_PROJECTION_STEPS) -> Tensor:
        """Iterative back-projection (Irani and Peleg 1991): x += bicubic(y - A(x)) until A(x) matches y.

        The enlargement then agrees with what was observed: its coarse content is the observation's, its
        fine detail the generator's (the super-resolution counterpart of blending known pixels back).
        """
        for _ in range(iterations):
            x = x + self.enlarge(y - self(x))
        return x.clamp(-1, 1)
