"""Classical inpainting the latent search is compared with: OpenCV Telea and Navier-Stokes, scikit-image biharmonic."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from skimage.restoration import inpaint_biharmonic

from inpaint.images import to_uint8

Baseline = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _opencv(flag: int, radius: int = 3) -> Baseline:
    """OpenCV's inpainting with `flag` on 8 bits; the known pixels are kept at full precision."""

    def run(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
        filled = cv2.inpaint(to_uint8(image), hole.astype(np.uint8), radius, flag).reshape(image.shape) / 255.0
        return np.where(hole[..., None] if image.ndim == 3 else hole, filled, image)

    return run


def biharmonic(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """scikit-image biharmonic inpainting of an HxW or HxWxC image in [0, 1]."""
    return inpaint_biharmonic(image, hole, channel_axis=-1 if image.ndim == 3 else None)


BASELINES: dict[str, Baseline] = {
    "opencv-telea": _opencv(cv2.INPAINT_TELEA),
    "opencv-ns": _opencv(cv2.INPAINT_NS),
    "skimage-biharmonic": biharmonic,
}
