"""Colorize photos of any size: predict ab at a moderate size, join it with the full-resolution L.

The model sees the photo's L channel resized so that its longer side is `size` (rounded to the
model's size multiple); the predicted ab is upsampled bicubically to the photo's size and joined
with the photo's own L, so the output has exactly the input's size and luminance.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorgan.lab import join_normalized, normalize_l, rgb_to_lab
from colorgan.models import DEFAULT_MODEL, ChromaGANGenerator
from gan.hub import fetch

DEFAULT_SIZE = 64


def load_colorizer(name: str = DEFAULT_MODEL, device: torch.device | str = "cpu") -> tuple[ChromaGANGenerator, str]:
    """The colorizer named `name` (shipped name, Hub repo id or folder), and where its weights came from."""
    model, source = fetch(ChromaGANGenerator, name)
    return model.to(device).eval(), source


def _model_side(length: int, longer: int, size: int, multiple: int) -> int:
    return max(multiple, round(length * size / longer / multiple) * multiple)


@torch.no_grad()
def colorize(image: Image.Image, model: ChromaGANGenerator, size: int | None = None) -> Image.Image:
    """A color version of `image` (RGB or gray, any size) with the same size and luminance."""
    device = next(model.parameters()).device
    rgb = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32) / 255).permute(2, 0, 1)[None].to(device)
    lightness = rgb_to_lab(rgb)[:, :1]
    height, width = lightness.shape[-2:]
    size = size or DEFAULT_SIZE
    multiple = model.size_multiple
    model_size = (_model_side(height, max(height, width), size, multiple), _model_side(width, max(height, width), size, multiple))
    small = F.interpolate(lightness, size=model_size, mode="area")
    ab = model(normalize_l(small))
    ab_full = F.interpolate(ab, size=(height, width), mode="bicubic", align_corners=False)
    result = join_normalized(normalize_l(lightness), ab_full)
    return Image.fromarray((result[0].permute(1, 2, 0).cpu().numpy() * 255).round().astype(np.uint8))
