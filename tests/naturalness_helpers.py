"""A small naturalness pool for the tests: real photo crops and two deterministic color transforms as methods."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance
from skimage import data

from naturalness.pool import Pool, build_pool

METHODS = ("real", "half-saturation", "swapped-channels")


def photo_crops(count: int, side: int = 32) -> list[tuple[str, Image.Image]]:
    """`count` distinct side x side crops of scikit-image's color photos, as (source id, image)."""
    photos = {name: getattr(data, name)() for name in ("coffee", "chelsea", "astronaut", "rocket")}
    crops = []
    for index in range(count):
        name = sorted(photos)[index % len(photos)]
        array = photos[name]
        top, left = 40 * (index // len(photos)) + 60, 50 * (index // len(photos)) + 80
        crops.append(
            (
                f"skimage/{name}@{top},{left}",
                Image.fromarray(np.ascontiguousarray(array[top : top + side, left : left + side])),
            )
        )
    return crops


def fixture_colorizers() -> dict:
    """Two deterministic recolorings that stand in for models: half the saturation, and RGB -> BRG."""
    return {
        "half-saturation": lambda image: ImageEnhance.Color(image).enhance(0.5),
        "swapped-channels": lambda image: Image.merge("RGB", image.split()[::-1][:1] + image.split()[:2]),
    }


def make_pool(out: Path, photos: int = 12) -> Pool:
    """Build the test pool (photos x 3 methods) in `out`."""
    return build_pool(
        photo_crops(photos),
        fixture_colorizers(),
        out,
        {"half-saturation": "test fixture", "swapped-channels": "test fixture"},
    )
