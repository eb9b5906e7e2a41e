"""Hole masks (True = unknown pixel): the presets of the tab and of the evaluation, and checks of user masks."""

from __future__ import annotations

import cv2
import numpy as np

PRESETS = ("center", "half", "random", "scratch")


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


def scratch_mask(height: int, width: int, seed: int = 0, thickness: float = 1 / 16) -> np.ndarray:
    """A scratch across the image: a smooth random stroke from the left edge to the right, `thickness` of the shorter
    side wide (at least 2 px).

    The stroke is a quadratic Bézier curve whose ends and bend are drawn from `seed`, like a crease or a
    scratch on an old print.
    """
    rng = np.random.default_rng(seed)
    start = np.array([0.0, rng.uniform(0.2, 0.8) * (height - 1)])
    end = np.array([width - 1.0, rng.uniform(0.2, 0.8) * (height - 1)])
    bend = np.array([rng.uniform(0.3, 0.7) * (width - 1), rng.uniform(0.0, 1.0) * (height - 1)])
    t = np.linspace(0.0, 1.0, 64)[:, None]
    curve = (1 - t) ** 2 * start + 2 * (1 - t) * t * bend + t**2 * end
    canvas = np.zeros((height, width), dtype=np.uint8)
    width_px = max(2, round(min(height, width) * thickness))
    cv2.polylines(canvas, [np.round(curve).astype(np.int32)], isClosed=False, color=1, thickness=width_px)
    return canvas.astype(bool)


def preset_mask(name: str, height: int, width: int, seed: int = 0) -> np.ndarray:
    """The preset hole `name` (center | half | random | scratch) for an image of this size."""
    if name == "center":
        return center_mask(height, width)
    if name == "half":
        return half_mask(height, width)
    if name == "random":
        return random_blocks_mask(height, width, seed)
    if name == "scratch":
        return scratch_mask(height, width, seed)
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
        raise ValueError(
            "The mask covers the whole image: leave some of the image unpainted so there is context to fill from."
        )
    return hole


def square_mask(height: int, width: int, share: float) -> np.ndarray:
    """A centred square whose side is `share` of the shorter side."""
    hole = np.zeros((height, width), dtype=bool)
    side = max(1, round(min(height, width) * share))
    top, left = (height - side) // 2, (width - side) // 2
    hole[top : top + side, left : left + side] = True
    return hole


def brush_mask(height: int, width: int, seed: int = 0, strokes: int = 3, thickness: float = 0.05) -> np.ndarray:
    """`strokes` free-hand brush strokes (smooth random walks), `thickness` of the shorter side wide, as people
    paint."""
    rng = np.random.default_rng(seed)
    canvas = np.zeros((height, width), dtype=np.uint8)
    short = min(height, width)
    width_px = max(2, round(short * thickness))
    for _ in range(strokes):
        point = rng.uniform((0.15 * height, 0.15 * width), (0.85 * height, 0.85 * width))
        angle = rng.uniform(0, 2 * np.pi)
        points = [point]
        for _ in range(12):
            angle += rng.normal(0, 0.5)
            point = np.clip(point + short * 0.04 * np.array([np.sin(angle), np.cos(angle)]), 0, (height - 1, width - 1))
            points.append(point)
        cv2.polylines(
            canvas, [np.round(np.array(points)[:, ::-1]).astype(np.int32)], isClosed=False, color=1, thickness=width_px
        )
    return canvas.astype(bool)
