"""Colorize photos of any size: predict ab at a moderate size, join it with the full-resolution L.

The model sees the photo's L channel resized so that its longer side is `size` (rounded to the
model's size multiple); the predicted ab (for distribution models the annealed mean at `temperature`,
the model's own by default: lower is more vivid), scaled by the color strength (1 by default), is upsampled
bicubically to the photo's size, clamped to the model's range, and joined with the photo's own L,
so the output has exactly the input's size and luminance.

    colorizer = Colorizer.from_pretrained("colorgan-chromagan", device="cpu")
    result = colorizer(photo)          # ColorizeResult: image, model, source, size, seconds, strength, temperature
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor

from colorgan.lab import image_to_rgb, join_normalized, normalize_l, rgb_to_image, rgb_to_lab
from colorgan.models import ChromaGANGenerator
from colorgan.settings import DEFAULT_SIZE, DEFAULT_STRENGTH, MAX_SIZE, MIN_SIZE, check_strength, check_temperature
from gan.pipeline import Pipeline


@dataclass
class ColorizeResult:
    """A colorized photo and how it was made."""

    image: Image.Image
    model: str
    source: str
    size: tuple[int, int]  # (height, width) at which the model predicted color
    seconds: float
    strength: float  # scale applied to the predicted chroma
    temperature: float | None = None  # annealed-mean temperature used (distribution models), else None


def _model_side(length: int, longer: int, size: int, multiple: int) -> int:
    return max(multiple, round(length * size / longer / multiple) * multiple)


def prediction_size(height: int, width: int, size: int, multiple: int) -> tuple[int, int]:
    """(height, width) the model sees: the photo's shape with its longer side near `size`, in multiples of
    `multiple`."""
    longer = max(height, width)
    return _model_side(height, longer, size, multiple), _model_side(width, longer, size, multiple)


def predict_ab(
    model: ChromaGANGenerator, lightness: Tensor, strength: float = DEFAULT_STRENGTH, temperature: float | None = None
) -> Tensor:
    """The model's ab for normalized L (distributions decoded at `temperature`), scaled by `strength`, in [-1, 1]."""
    if temperature is not None and model.ab_bins:
        ab = model.decode(model(lightness, bins=True)[0], temperature)
    else:
        ab = model(lightness)
    return (ab * strength).clamp(-1, 1)


@torch.no_grad()
def colorize(
    image: Image.Image,
    model: ChromaGANGenerator,
    size: int | None = None,
    strength: float = DEFAULT_STRENGTH,
    temperature: float | None = None,
) -> Image.Image:
    """A color version of `image` (RGB or gray, any size) with the same size and luminance.

    `strength` scales the predicted chroma; `temperature` sharpens a predicted distribution (None: the model's own).
    """
    device = next(model.parameters()).device
    rgb = image_to_rgb(image)[None].to(device)
    lightness = rgb_to_lab(rgb)[:, :1]
    height, width = lightness.shape[-2:]
    small = F.interpolate(
        lightness, size=prediction_size(height, width, size or DEFAULT_SIZE, model.size_multiple), mode="area"
    )
    ab = predict_ab(model, normalize_l(small), strength, temperature)
    ab_full = F.interpolate(ab, size=(height, width), mode="bicubic", align_corners=False)
    result = join_normalized(normalize_l(lightness), ab_full)
    return rgb_to_image(result[0])


class Colorizer(Pipeline):
    """A colorization model loaded by name, called on photos of any size."""

    model_class = ChromaGANGenerator

    @property
    def predicts_distribution(self) -> bool:
        """Whether the model predicts a colour distribution, so that a temperature applies."""
        return bool(self.model.ab_bins)

    def __call__(
        self,
        image: Image.Image,
        size: int | None = None,
        strength: float = DEFAULT_STRENGTH,
        temperature: float | None = None,
    ) -> ColorizeResult:
        """Colorize `image`: color predicted at `size` px, chroma scaled by `strength`, then `temperature`."""
        size = size or DEFAULT_SIZE
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"The prediction size must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {size}.")
        check_strength(strength)
        check_temperature(temperature)
        started = time.perf_counter()
        colored = colorize(image, self.model, size, strength, temperature)
        shape = prediction_size(image.height, image.width, size, self.model.size_multiple)
        used = (self.model.temperature if temperature is None else temperature) if self.predicts_distribution else None
        seconds = time.perf_counter() - started
        return ColorizeResult(colored, self.name, str(self.source), shape, seconds, strength, used)
