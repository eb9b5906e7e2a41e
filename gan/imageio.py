"""Reading images that users bring: every mode and size either becomes RGB or a clear sentence.

Files are opened lazily, so their size is checked from the header before any pixel is decoded: more than `MAX_PIXELS` is
refused (the user is told to downscale), fewer than `MIN_SIDE` pixels on a side is refused; `image_pixels` reads that
size alone, for limits on several images together. Transparent images are composited on white, palette and CMYK images
are converted, 16-bit and float images are rescaled to 8 bits, and the EXIF orientation is applied.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Colorizing costs about 130-150 bytes per pixel at its peak (measured: 16 MP -> +2.0 GB, 4 MP -> +0.57 GB);
# two at once (the queue's concurrency) at this cap take about 4 GB of a 16 GB CPU Space, leaving the rest
# to inpainting, anomaly scoring and the app. 16 MP is 4000x4000 or 4900x3265 (a 16 MP camera).
MAX_PIXELS = 16_000_000
MIN_SIDE = 8
ImageSource = str | Path | bytes | Image.Image | np.ndarray


class InvalidImageError(ValueError):
    """An input that is not a usable image; the message is meant for the user."""


def _open(source: ImageSource) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, np.ndarray):
        return _from_array(source)
    if isinstance(source, (str, Path)) and not Path(source).is_file():
        raise InvalidImageError("The image file was not found; please upload it again.")
    try:
        return Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except UnidentifiedImageError as error:
        raise InvalidImageError(
            "This file is not an image that can be read (PNG, JPEG, TIFF, WebP, BMP...)."
        ) from error
    except Image.DecompressionBombError:
        raise InvalidImageError(
            f"This image is larger than {MAX_PIXELS // 1_000_000} megapixels; please downscale it first."
        ) from None


def _from_array(array: np.ndarray) -> Image.Image:
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise InvalidImageError(f"An image array must be HxW, HxWx3 or HxWx4, not {array.shape}.")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.dtype != np.uint8:
        array = _rescale_to_uint8(array.astype(np.float64))
    return Image.fromarray(array)


def _rescale_to_uint8(values: np.ndarray) -> np.ndarray:
    high = values.max() if values.size else 1.0
    scale = 1.0 if high <= 1.0 else 255.0 if high <= 255.0 else 65535.0
    return np.clip(np.round(values / scale * 255.0), 0, 255).astype(np.uint8)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return Image.fromarray(_rescale_to_uint8(np.asarray(image, dtype=np.float64))).convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def image_pixels(source: ImageSource) -> int:
    """Width × height of an image, read from its header (nothing decoded), or InvalidImageError."""
    if source is None:
        raise InvalidImageError("Please provide an image first.")
    image = _open(source)
    try:
        return image.width * image.height
    finally:
        if image is not source:
            image.close()


def load_image(source: ImageSource) -> Image.Image:
    """Open a user's image as 8-bit RGB, upright, or raise InvalidImageError with a sentence for them."""
    if source is None:
        raise InvalidImageError("Please provide an image first.")
    image = _open(source)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise InvalidImageError(
            f"This image has {width * height / 1e6:.0f} megapixels; the limit is {MAX_PIXELS // 1_000_000}. Please "
            "downscale it first."
        )
    if min(width, height) < MIN_SIDE:
        raise InvalidImageError(
            f"This image is {width}×{height} pixels; it needs at least {MIN_SIDE} pixels on each side."
        )
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
        return _to_rgb(image)
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidImageError("This image file is damaged or truncated and cannot be decoded.") from error
