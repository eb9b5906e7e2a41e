"""Hole masks (True = unknown pixel): the presets of the tab and of the evaluation, and checks of user masks."""
from __future__ import annotations

import numpy as np

PRESETS = ("center", "half", "random")


def center_mask(height: int, width: int, fraction: float = 0.5) -> np.ndarray:
    """A centred rectangle covering `fraction` of each side (a quarter of the image by default)."""
    hole = np.zeros((height, width), dtype=bool)
    h, w = max(1, round(height * fraction)), max(1, round(width * fraction))
    top, left = (height - h) // 2, (width - w) // 2
    hole[top : top + h, left : left + w] = True
    return hole


def half_mask(height: int, width: int) -> np.ndarray:
    """The left half of the image."""
    hole = np.zeros((height, width), dtype=bool)
    hole[:, : width // 2] = True
    return hole


def random_blocks_mask(height: int, width: int, seed: int = 0, blocks: int = 6, coverage: float = 0.25) -> np.ndarray:
    """`blocks` random squares with sides between 1/8 and 1/4 of the shorter side, added until `coverage` is reached."""
    rng = np.random.default_rng(seed)
    hole = np.zeros((height, width), dtype=bool)
    short = min(height, width)
    low, high = max(1, short // 8), max(2, short // 4 + 1)
    placed = 0
    while placed < blocks or hole.mean() < coverage:
        side = int(rng.integers(low, high))
        top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
        hole[top : top + side, left : left + side] = True
        placed += 1
    return hole


def preset_mask(name: str, height: int, width: int, seed: int = 0) -> np.ndarray:
    """The preset hole `name` (center | half | random) for an image of this size."""
    if name == "center":
        return center_mask(height, width)
    if name == "half":
        return half_mask(height, width)
    if name == "random":
        return random_blocks_mask(height, width, seed)
    raise ValueError(f"Unknown mask preset {name!r}; choose one of {PRESETS}.")


def check_mask(hole: np.ndarray, image_shape: tuple[int, ...]) -> np.ndarray:
    """The hole as HxW bool, or ValueError with a sentence for the user (size mismatch, full mask)."""
    hole = np.asarray(hole)
    if hole.ndim == 3:
        hole = hole.any(axis=2)
    if hole.shape != tuple(image_shape[:2]):
        raise ValueError(
            f"The mask is {hole.shape[1]}×{hole.shape[0]} pixels but the image is {image_shape[1]}×{image_shape[0]}; "
            "they must be the same size."
        )
    hole = hole.astype(bool)
    if hole.all():
        raise ValueError("The mask covers the whole image: leave some of the image unpainted so there is context to fill from.")
    return hole
