"""Which fill a hole gets by default: the latent search or the classical fill, by a rule measured on validation photos.

Diffusion-type fills (Telea, Navier-Stokes, biharmonic) continue the colours at the hole's edge, and on thin strokes,
scratches and small holes in smooth surroundings they are hard to beat; a whole-image prior wins where the hole is
wide enough to need content (a face's missing eye, a patch of sky and branches), and a photo prior also where a thin
stroke crosses texture (grass, foliage, stone), which a diffusion smears. The rule looks at the hole as the prior sees
it, after its frame is shrunk to the prior's size: its width (twice the largest distance from a hole pixel to the known
pixels, so a long stroke is as wide as the brush) as a share of the prior's side, and for a photo prior the texture of
the known ring around it. Every threshold was chosen on validation photos (docs/inpaint.md, "Which fill wins where").
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from inpaint.images import Box

GAN_MIN_SHARE = 0.125
"""Holes at least this wide, as a share of the prior's side (8 px of a 64-px prior), get the latent search from every
prior: on validation faces, brush strokes 6–8 px wide lost up to 0.4 dB to biharmonic with 6 px, nothing from 8 px."""
TEXTURED_MIN_SHARE = 2.5 / 64
"""A photo prior also gets thinner holes, down to this share of its side (2.5 px of 64), in textured surroundings."""
TEXTURE_MIN = 0.2
"""Surroundings are textured from this mean Sobel gradient magnitude (gray levels in [0, 1]) of the ring of known
pixels around the hole: on 131 validation photos, with the photo prior's fill keeping a quarter of its detail
(inpaint.settings.FILL_DETAILS), the lowest of 0.05–0.3 that kept the brush strokes of every set above the best
classical fill (BSDS500 +0.74, photos-val +0.04, photos-128 +0.07 dB)."""
RING = 8
"""Width (pixels of the photo) of the ring of known pixels whose texture is measured."""


def hole_width(hole: np.ndarray) -> float:
    """Twice the largest distance (pixels) from a hole pixel to the nearest known one or the border: the brush width."""
    padded = np.pad(hole.astype(np.uint8), 1)
    return 2.0 * float(cv2.distanceTransform(padded, cv2.DIST_L2, 5).max())


def width_at_prior(hole: np.ndarray, box: Box, content_size: int) -> float:
    """The hole's width inside frame `box` once the frame is resized to the prior's `content_size`."""
    top, left, bottom, right = box
    return hole_width(hole[top:bottom, left:right]) * content_size / max(bottom - top, right - left)


def ring_texture(photo: np.ndarray, hole: np.ndarray, ring: int = RING) -> float:
    """Mean Sobel gradient magnitude (gray in [0, 1]) over the known pixels within `ring` px of the hole; 0 if none."""
    gray = cv2.cvtColor(photo[..., :3], cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    magnitude = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3))
    mask = hole.astype(np.uint8)
    near = cv2.dilate(mask, np.ones((2 * ring + 1,) * 2, np.uint8)).astype(bool)
    edge = cv2.dilate(mask, np.ones((3, 3), np.uint8)).astype(bool)  # Sobel there reads into the hole's old content
    ring_pixels = near & ~edge
    return float(magnitude[ring_pixels].mean()) if ring_pixels.any() else 0.0


@dataclass(frozen=True)
class FillChoice:
    """Whether a hole gets the latent search, and why, in words."""

    gan: bool
    why: str


def choose_fill(photo: np.ndarray, hole: np.ndarray, box: Box, content_size: int, photo_prior: bool) -> FillChoice:
    """The measured rule for `hole` of `photo`, framed by `box` for a prior of side `content_size`; only a
    `photo_prior` (colour photos, not faces: the kind the texture rule was measured for) fills thin strokes."""
    width = width_at_prior(hole, box, content_size)
    wide, thin = GAN_MIN_SHARE * content_size, TEXTURED_MIN_SHARE * content_size
    said = f"the hole is {width:.1f} px wide at the prior's scale"
    if width >= wide:
        return FillChoice(True, f"{said}, where the GAN fill wins")
    if not photo_prior or width < thin:
        return FillChoice(False, f"{said}, thinner than the {wide:g} px where the GAN fill starts to win")
    texture = ring_texture(photo, hole)
    if texture >= TEXTURE_MIN:
        return FillChoice(True, f"{said} and crosses texture (gradient {texture:.2f}), where the GAN fill wins")
    return FillChoice(
        False,
        f"{said} and its surroundings are smooth (gradient {texture:.2f}, under {TEXTURE_MIN:g}), where "
        "a diffusion wins",
    )
