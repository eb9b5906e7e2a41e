"""Which fill a hole gets by default: the latent search or the classical fill, by a rule measured on held-out photos.

Diffusion-type fills (Telea, Navier-Stokes, biharmonic) continue the colours at the hole's edge, and on thin strokes,
scratches and small holes they are hard to beat; a whole-image prior wins where the hole is wide enough to need
content: a face's missing eye, a patch of texture. The rule looks at the hole as the prior sees it, after its frame
is shrunk to the prior's size: its width (twice the largest distance from a hole pixel to the known pixels, so a
long stroke is as wide as the brush) and its share of the frame. The thresholds are the measured crossover
(docs/inpaint.md, "Which fill wins where").
"""

from __future__ import annotations

import cv2
import numpy as np

from inpaint.images import Box

GAN_MIN_WIDTH = 6.0
"""Narrowest hole, in the prior's pixels, where the latent search fills better than the classical fill."""


def hole_width(hole: np.ndarray) -> float:
    """Twice the largest distance (pixels) from a hole pixel to the nearest known one or the border: the brush width."""
    padded = np.pad(hole.astype(np.uint8), 1)
    return 2.0 * float(cv2.distanceTransform(padded, cv2.DIST_L2, 5).max())


def width_at_prior(hole: np.ndarray, box: Box, content_size: int) -> float:
    """The hole's width inside frame `box` once the frame is resized to the prior's `content_size`."""
    top, left, bottom, right = box
    return hole_width(hole[top:bottom, left:right]) * content_size / max(bottom - top, right - left)


def prefers_gan(hole: np.ndarray, box: Box, content_size: int) -> bool:
    """Whether the measured rule gives this hole, in this frame, the latent search rather than the classical fill."""
    return width_at_prior(hole, box, content_size) >= GAN_MIN_WIDTH
