"""Image geometry between user photos and the prior: array/tensor conversion, crops, resizing, the prior's frame."""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from inpaint.prior import InpaintPrior

Box = tuple[int, int, int, int]
"""(top, left, bottom, right) of a crop, in pixels."""


def to_tensor(image: np.ndarray, channels: int) -> Tensor:
    """HxWx3 uint8 or float [0, 1] -> (1, channels, H, W) in [-1, 1]; RGB goes to luma for one channel."""
    array = image.astype(np.float32) / 255.0 if image.dtype == np.uint8 else image.astype(np.float32)
    if array.ndim == 2:
        array = array[..., None]
    if channels == 1 and array.shape[2] == 3:
        array = array @ np.array([0.299, 0.587, 0.114], dtype=np.float32)[:, None]
    elif channels == 3 and array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))[None] * 2 - 1


def to_array(tensor: Tensor) -> np.ndarray:
    """(1, C, H, W) in [-1, 1] -> HxWx3 float [0, 1] (gray repeated to RGB)."""
    array = (tensor[0].detach().float().cpu().clamp(-1, 1).numpy().transpose(1, 2, 0) + 1) / 2
    return np.repeat(array, 3, axis=2) if array.shape[2] == 1 else array


def to_uint8(array: np.ndarray) -> np.ndarray:
    """Float [0, 1] -> uint8."""
    return np.clip(np.round(array * 255), 0, 255).astype(np.uint8)


def hole_box(hole: np.ndarray) -> Box:
    """The bounding box of the hole's pixels."""
    ys, xs = np.nonzero(hole)
    return int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1


def resize(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an HxW(xC) float image to (height, width): area when shrinking, bicubic when growing."""
    height, width = size
    shrinking = height * width < array.shape[0] * array.shape[1]
    out = cv2.resize(
        array.astype(np.float32), (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
    )
    return out.reshape(height, width, *array.shape[2:])


def frame(tensor: Tensor, prior: InpaintPrior, fill: float) -> Tensor:
    """Pad a content-size tensor symmetrically into the prior's image_size frame with `fill`."""
    pad = prior.image_size - prior.content_size
    before = pad // 2
    return F.pad(tensor, (before, pad - before, before, pad - before), value=fill)


def unframe(tensor: Tensor, prior: InpaintPrior) -> Tensor:
    """The content-size centre of a frame-size tensor."""
    before = (prior.image_size - prior.content_size) // 2
    return tensor[..., before : before + prior.content_size, before : before + prior.content_size]
