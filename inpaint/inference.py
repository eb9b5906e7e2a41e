"""Inpainting and super-resolution of user images with a prior of fixed size: the `Inpainter` pipeline.

    inpainter = Inpainter.from_pretrained("inpaint-faces", device="cpu")
    result = inpainter.inpaint(photo, hole)      # InpaintResult: image, classical, crop, loss, model, source, seconds
    result = inpainter.super_resolve(small, 4)   # SuperResolutionResult: image, bicubic, ...

Inpainting works on a crop around the hole: the hole's bounding box grown by half its side on each
side (at least the prior's content size, clipped to the image) is resized to the prior's content
size and zero-padded into its frame, as in training. The latent search fills it, G(z*) is resized
back to the crop's size and Poisson-blended into the crop at full resolution, and the crop is pasted
back, so pixels outside the hole never change. A fill is enlarged at most MAX_UPSCALE times: a hole
too large for that is refused before any search, which also bounds the blend's work. The same
hole is filled by a classical method for comparison. Super-resolution only enlarges: its input is
at most the prior's size ÷ factor on a side, and G(z*) is back-projected onto it (downsampling the
result gives the input back). The `*_steps` generators report G(z) while searching.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from gan.imageio import MAX_PIXELS
from gan.pipeline import Pipeline
from inpaint.baselines import BASELINES
from inpaint.blend import poisson_blend
from inpaint.images import Box, crop_box, crop_side, frame, hole_box, resize, to_array, to_tensor, to_uint8, unframe
from inpaint.masks import check_mask
from inpaint.operators import DownsampleOperator, MaskOperator
from inpaint.prior import InpaintPrior
from inpaint.search import SearchConfig, search_steps
from inpaint.settings import SR_Z_WEIGHT

MAX_UPSCALE = 4
"""A fill made at the prior's content size is enlarged at most this much into the photo."""
CONTEXT = 0.5
"""Known border around the hole in the crop, as a share of the hole's longer side on each side."""
CLASSICAL = "skimage-biharmonic"
SR_FACTORS = (2, 4)


@dataclass
class InpaintResult:
    """A filled photo (the input outside the hole), the classical fill of the same hole, and how it was made."""

    image: np.ndarray
    classical: np.ndarray
    classical_method: str
    crop: Box
    loss: float
    model: str
    source: str
    seconds: float


@dataclass
class SuperResolutionResult:
    """An enlarged image, bicubic enlargement of the same input, and how it was made."""

    image: np.ndarray
    bicubic: np.ndarray
    factor: int
    loss: float
    model: str
    source: str
    seconds: float


@dataclass
class Progress:
    """One report of a running search: G(z) now (at the prior's size), and the result with the last report."""

    step: int
    total: int
    preview: np.ndarray
    loss: float
    result: InpaintResult | SuperResolutionResult | None = None

    @property
    def done(self) -> bool:
        """Whether this is the last report, carrying the result."""
        return self.result is not None


def last(reports: Iterator[Progress]) -> InpaintResult | SuperResolutionResult:
    """The result carried by the last report of a search."""
    progress = None
    for progress in reports:
        pass
    return progress.result


class Inpainter(Pipeline):
    """A WGAN-GP prior loaded by name; fills holes of photos of any size and enlarges small images."""

    model_class = InpaintPrior
    model: InpaintPrior

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model.requires_grad_(False)

    @property
    def max_hole_side(self) -> int:
        """The longest hole side (pixels) this prior fills: its crop is enlarged at most MAX_UPSCALE times."""
        return int(MAX_UPSCALE * self.model.content_size / (1 + 2 * CONTEXT))

    def max_input_side(self, factor: int) -> int:
        """Largest input side super-resolution by `factor` accepts: the prior's size ÷ factor."""
        return self.model.image_size // factor

    def check_inpaint(self, image: np.ndarray, hole: np.ndarray) -> np.ndarray:
        """The hole as HxW bool if this photo and hole can be filled, else ValueError with a sentence; nothing is searched."""
        check_pixels(image)
        hole = check_mask(hole, image.shape)
        if not hole.any():
            raise ValueError("The mask is empty: paint over the region to fill, or apply a preset.")
        top, left, bottom, right = hole_box(hole)
        if crop_side(hole, self.model.content_size, CONTEXT) > MAX_UPSCALE * self.model.content_size:
            raise ValueError(
                f"The hole spans {right - left}×{bottom - top} pixels, too large for the prior {self.name}: it fills holes up to "
                f"{self.max_hole_side}×{self.max_hole_side} pixels (it works at {self.model.content_size}×{self.model.content_size}). "
                "Paint a smaller hole or downscale the photo."
            )
        return hole

    def inpaint_steps(self, image: np.ndarray, hole: np.ndarray, config: SearchConfig | None = None) -> Iterator[Progress]:
        """Fill `hole` (HxW bool, True = unknown) of `image` (HxWx3 uint8); report every `config.report_every` steps, the result last."""
        hole = self.check_inpaint(image, hole)
        config = config or SearchConfig()
        started = time.perf_counter()
        prior, size = self.model, (self.model.content_size, self.model.content_size)
        top, left, bottom, right = crop_box(hole, prior.content_size, CONTEXT)
        crop = image[top:bottom, left:right, :3].astype(np.float64) / 255.0
        crop_hole = hole[top:bottom, left:right]
        y = frame(to_tensor(resize(crop, size), prior.channels), prior, -1.0).to(self.device)
        small_hole = frame(torch.from_numpy(resize(crop_hole.astype(np.float32), size) > 1e-3).float()[None, None], prior, 0.0)
        operator = MaskOperator(small_hole.to(self.device), window=config.window, loss=config.loss, beta=config.beta)
        for state in search_steps(prior, operator, operator(y), config):
            preview = to_uint8(to_array(unframe(state.images, prior)))
            if state.step < config.iterations:
                yield Progress(state.step, config.iterations, preview, state.loss.mean().item())
        generated = resize(to_array(unframe(state.images, prior)), crop_hole.shape)
        filled = image[..., :3].copy()
        filled[top:bottom, left:right] = to_uint8(np.clip(poisson_blend(generated, crop, crop_hole), 0, 1))
        classical = image[..., :3].copy()
        classical[top:bottom, left:right] = to_uint8(np.clip(BASELINES[CLASSICAL](crop, crop_hole), 0, 1))
        loss = state.loss.mean().item()
        result = InpaintResult(filled, classical, CLASSICAL, (top, left, bottom, right), loss, self.name, str(self.source), time.perf_counter() - started)
        yield Progress(config.iterations, config.iterations, preview, loss, result)

    def inpaint(self, image: np.ndarray, hole: np.ndarray, config: SearchConfig | None = None) -> InpaintResult:
        """Fill `hole` of `image`: the photo with the hole filled and Poisson-blended, beside the classical fill."""
        return last(self.inpaint_steps(image, hole, config))

    __call__ = inpaint

    def check_super_resolve(self, image: np.ndarray, factor: int) -> None:
        """Nothing if `image` can be enlarged `factor` times by this prior, else ValueError with a sentence."""
        if factor not in SR_FACTORS:
            raise ValueError(f"The super-resolution factor must be one of {', '.join(map(str, SR_FACTORS))}; got {factor}.")
        side, height, width = self.max_input_side(factor), *image.shape[:2]
        if max(height, width) > side:
            raise ValueError(
                f"Super-resolution ×{factor} with {self.name} enlarges images of at most {side}×{side} pixels to "
                f"{self.model.image_size}×{self.model.image_size}; this one is {width}×{height}. Crop a small region (a face) first."
            )

    def super_resolve_steps(self, image: np.ndarray, factor: int = 4, config: SearchConfig | None = None) -> Iterator[Progress]:
        """Enlarge a small image (at most image_size ÷ factor a side) by latent search; report as `inpaint_steps` does."""
        check_pixels(image)
        self.check_super_resolve(image, factor)
        config = config or SearchConfig(z_weight=SR_Z_WEIGHT)
        started = time.perf_counter()
        side, height, width = self.max_input_side(factor), *image.shape[:2]
        scale = self.model.image_size / side
        out_size = (round(height * scale), round(width * scale))
        small = image[..., :3].astype(np.float64) / 255.0
        y = to_tensor(resize(small, (side, side)) if (height, width) != (side, side) else small, self.model.channels).to(self.device)
        operator = DownsampleOperator(factor)
        for state in search_steps(self.model, operator, y, config):
            preview = to_uint8(to_array(state.images))
            if state.step < config.iterations:
                yield Progress(state.step, config.iterations, preview, state.loss.mean().item())
        enlarged = to_uint8(np.clip(resize(to_array(operator.back_project(state.images, y)), out_size), 0, 1))
        bicubic = to_uint8(np.clip(resize(small, out_size), 0, 1))
        loss = state.loss.mean().item()
        result = SuperResolutionResult(enlarged, bicubic, factor, loss, self.name, str(self.source), time.perf_counter() - started)
        yield Progress(config.iterations, config.iterations, preview, loss, result)

    def super_resolve(self, image: np.ndarray, factor: int = 4, config: SearchConfig | None = None) -> SuperResolutionResult:
        """`image` (at most image_size ÷ factor a side) enlarged to the prior's scale, beside its bicubic enlargement."""
        return last(self.super_resolve_steps(image, factor, config))


def check_pixels(image: np.ndarray) -> None:
    """Nothing if `image` is an HxWx3/4 array within the photo pixel cap, else ValueError with a sentence."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"The photo must be an 8-bit RGB image (height × width × 3), not a {image.dtype} array of shape {image.shape}.")
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise ValueError(f"This photo has {image.shape[0] * image.shape[1] / 1e6:.0f} megapixels; the limit is {MAX_PIXELS // 1_000_000}. Please downscale it first.")
