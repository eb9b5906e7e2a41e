"""Inpainting and super-resolution of user images of any size with a prior of fixed size.

Inpainting works on a crop around the hole: the hole's bounding box grown by `context` of its
side on each side (at least the prior's content size, clipped to the image), resized to the
prior's content size (and zero-padded into its frame, as in training). The latent search fills
it, G(z*) is resized back to the crop's size and Poisson-blended into the crop, and the crop is
pasted back, so pixels outside the hole are never changed. Limits: detail inside the hole is at
most the prior's resolution (32x32 for the shipped priors), so large holes in large photos come
out soft; a crop clipped by the image border is resized with a changed aspect ratio; a gray
prior fills RGB photos with gray content (the blend only shifts its colour to match the border).
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from inpaint.blend import poisson_blend
from inpaint.masks import check_mask
from inpaint.operators import DownsampleOperator, MaskOperator
from inpaint.prior import InpaintPrior
from inpaint.search import SearchConfig, search_steps

Box = tuple[int, int, int, int]
SR_Z_WEIGHT = 1e-3
"""Default lambda of ||z||^2 in the super-resolution objective ||y - A G(z)||^2 + lambda ||z||^2 + alpha (-D)."""


@dataclass
class Progress:
    """One report of a running search: the current G(z) as an image, and the final result once done."""

    step: int
    total: int
    preview: np.ndarray
    loss: float
    result: np.ndarray | None = None

    @property
    def done(self) -> bool:
        """Whether this is the last report, carrying the result."""
        return self.result is not None


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
    array = (tensor[0].detach().cpu().clamp(-1, 1).numpy().transpose(1, 2, 0) + 1) / 2
    return np.repeat(array, 3, axis=2) if array.shape[2] == 1 else array


def to_uint8(array: np.ndarray) -> np.ndarray:
    """Float [0, 1] -> uint8."""
    return np.clip(np.round(array * 255), 0, 255).astype(np.uint8)


def crop_box(hole: np.ndarray, content_size: int, context: float = 0.5) -> Box:
    """(top, left, bottom, right) of the crop around the hole's bounding box, inside the image."""
    height, width = hole.shape
    ys, xs = np.nonzero(hole)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    margin = math.ceil(max(bottom - top, right - left) * context)
    side = max(max(bottom - top, right - left) + 2 * margin, content_size)
    box_h, box_w = min(height, side), min(width, side)
    centre_y, centre_x = (top + bottom) // 2, (left + right) // 2
    y0 = int(np.clip(centre_y - box_h // 2, 0, height - box_h))
    x0 = int(np.clip(centre_x - box_w // 2, 0, width - box_w))
    return y0, x0, int(y0 + box_h), int(x0 + box_w)


def resize(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an HxW(xC) float image to (height, width): area when shrinking, bicubic when growing."""
    height, width = size
    shrinking = height * width < array.shape[0] * array.shape[1]
    out = cv2.resize(array.astype(np.float32), (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
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


def inpaint_steps(prior: InpaintPrior, image: np.ndarray, hole: np.ndarray, config: SearchConfig, context: float = 0.5) -> Iterator[Progress]:
    """Fill `hole` (HxW bool, True = unknown) of `image` (HxWx3 uint8); yield progress, the last with the result (uint8)."""
    hole = check_mask(hole, image.shape)
    if not hole.any():
        yield Progress(0, 0, image.copy(), 0.0, result=image.copy())
        return
    top, left, bottom, right = crop_box(hole, prior.content_size, context)
    crop = image[top:bottom, left:right].astype(np.float64) / 255.0
    crop_hole = hole[top:bottom, left:right]
    size = (prior.content_size, prior.content_size)
    small_hole = resize(crop_hole.astype(np.float32), size) > 1e-3
    device = next(prior.parameters()).device
    y = frame(to_tensor(resize(crop, size), prior.channels), prior, -1.0).to(device)
    hole_tensor = frame(torch.from_numpy(small_hole).float()[None, None], prior, 0.0).to(device)
    operator = MaskOperator(hole_tensor, window=config.window, loss=config.loss, beta=config.beta)
    for state in search_steps(prior, operator, operator(y), config):
        preview = to_uint8(to_array(unframe(state.images, prior)))
        if state.step < config.iterations:
            yield Progress(state.step, config.iterations, preview, state.loss.mean().item())
    generated = resize(to_array(unframe(state.images, prior)), crop_hole.shape)
    result = image.astype(np.float64) / 255.0
    result[top:bottom, left:right] = np.clip(poisson_blend(generated, crop, crop_hole), 0, 1)
    yield Progress(state.step, config.iterations, preview, state.loss.mean().item(), result=to_uint8(result))


def super_resolve_steps(prior: InpaintPrior, image: np.ndarray, factor: int, config: SearchConfig) -> Iterator[Progress]:
    """x`factor` reconstruction of a small image at the prior's scale: the input is resized to image_size / factor first."""
    side = prior.image_size // factor
    small = resize(image.astype(np.float64) / 255.0, (side, side)) if image.shape[:2] != (side, side) else image.astype(np.float64) / 255.0
    device = next(prior.parameters()).device
    y = to_tensor(small, prior.channels).to(device)
    operator = DownsampleOperator(factor)
    for state in search_steps(prior, operator, y, config):
        preview = to_uint8(to_array(state.images))
        yield Progress(state.step, config.iterations, preview, state.loss.mean().item(), result=preview if state.step == config.iterations else None)
