"""CIE Lab (D65) conversions in torch, and the one place where L and ab are normalised for models.

L lies in [0, 100] and a, b in about [-110, 110]; models see L/50 - 1 and ab/110, both in [-1, 1].
Predicted ab is clamped to that range before conversion back, so highlights cannot turn red.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import Tensor

AB_RANGE = 110.0
_WHITE_D65 = (0.95047, 1.0, 1.08883)
_RGB_TO_XYZ = torch.tensor(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
)
_DELTA = 6.0 / 29.0


def _srgb_to_linear(rgb: Tensor) -> Tensor:
    return torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb.clamp(min=0) + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(linear: Tensor) -> Tensor:
    return torch.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear.clamp(min=1e-12) ** (1 / 2.4) - 0.055)


def _f(t: Tensor) -> Tensor:
    return torch.where(t > _DELTA**3, t.clamp(min=1e-12) ** (1 / 3), t / (3 * _DELTA**2) + 4 / 29)


def _f_inverse(t: Tensor) -> Tensor:
    return torch.where(t > _DELTA, t**3, 3 * _DELTA**2 * (t - 4 / 29))


def _mix(matrix: Tensor, image: Tensor) -> Tensor:
    return torch.einsum("ij,...jhw->...ihw", matrix.to(image), image)


def rgb_to_lab(rgb: Tensor) -> Tensor:
    """(..., 3, H, W) sRGB in [0, 1] -> Lab with L in [0, 100]."""
    xyz = _mix(_RGB_TO_XYZ, _srgb_to_linear(rgb))
    white = torch.tensor(_WHITE_D65, dtype=rgb.dtype, device=rgb.device).view(3, 1, 1)
    fx, fy, fz = _f(xyz / white).unbind(dim=-3)
    return torch.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], dim=-3)


def lab_to_rgb(lab: Tensor) -> Tensor:
    """(..., 3, H, W) Lab -> sRGB clamped to [0, 1]."""
    lightness, a, b = lab.unbind(dim=-3)
    fy = (lightness + 16) / 116
    f = torch.stack([fy + a / 500, fy, fy - b / 200], dim=-3)
    white = torch.tensor(_WHITE_D65, dtype=lab.dtype, device=lab.device).view(3, 1, 1)
    xyz = _f_inverse(f) * white
    linear = _mix(torch.linalg.inv(_RGB_TO_XYZ.double()).to(lab), xyz)
    return _linear_to_srgb(linear).clamp(0, 1)


def normalize_l(lightness: Tensor) -> Tensor:
    """L in [0, 100] -> [-1, 1]."""
    return lightness / 50.0 - 1.0


def denormalize_l(lightness: Tensor) -> Tensor:
    """[-1, 1] -> L in [0, 100]."""
    return (lightness + 1.0) * 50.0


def normalize_ab(ab: Tensor) -> Tensor:
    """ab in [-110, 110] -> [-1, 1]."""
    return ab / AB_RANGE


def denormalize_ab(ab: Tensor) -> Tensor:
    """[-1, 1] -> ab, clamped to the valid range."""
    return ab.clamp(-1.0, 1.0) * AB_RANGE


def split_normalized(rgb: Tensor) -> tuple[Tensor, Tensor]:
    """sRGB in [0, 1] -> (L, ab) normalised to [-1, 1], as the models see them."""
    lab = rgb_to_lab(rgb)
    return normalize_l(lab[..., :1, :, :]), normalize_ab(lab[..., 1:, :, :])


def join_normalized(lightness: Tensor, ab: Tensor) -> Tensor:
    """Normalised (L, ab) -> sRGB in [0, 1]."""
    return lab_to_rgb(torch.cat([denormalize_l(lightness), denormalize_ab(ab)], dim=-3))


def image_to_rgb(image: Image.Image) -> Tensor:
    """A PIL image (any mode) as a (3, H, W) sRGB tensor in [0, 1]."""
    return torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32) / 255).permute(2, 0, 1)


def rgb_to_image(rgb: Tensor) -> Image.Image:
    """A (3, H, W) sRGB tensor in [0, 1] as an 8-bit RGB PIL image."""
    return Image.fromarray((rgb.permute(1, 2, 0).cpu().numpy() * 255).round().astype(np.uint8))


def gray_rgb(rgb: Tensor) -> Tensor:
    """sRGB in [0, 1] with its color removed: its own L with a = b = 0 (the gray baseline, a black-and-white print)."""
    lightness, ab = split_normalized(rgb)
    return join_normalized(lightness, torch.zeros_like(ab))
