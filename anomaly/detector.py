"""The Anomaly capability's inference object: `Detector.from_pretrained(name, device=...)`, then `detector(images)`.

    detector = Detector.from_pretrained("anomaly-fashion-mnist-0", device="cpu")
    result = detector(["shirt.png", "bag.png"])   # DetectionResult: scores, model, source, seconds
    reference = detector.reference()               # its labelled test split's scores and metrics

A request is bounded: at most MAX_IMAGES files and MAX_TOTAL_PIXELS pixels in all, both checked from
the files' headers before any pixel is decoded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from anomaly.data import AnomalySplit, make_split, to_model_format
from anomaly.model import HistoryADModel
from anomaly.scoring import DetectionMetrics, ReferenceScores
from anomaly.settings import MAX_IMAGES, MAX_TOTAL_PIXELS, RequestError
from gan.data import chroma_spread, to_unit_range
from gan.hub import WeightsSource
from gan.imageio import ImageSource, load_image
from gan.pipeline import Pipeline

REFERENCE_IMAGES = 2000
COLOR_SPREAD = 8.0  # mean max-min channel difference (0-255) above which an image counts as colored


@dataclass
class ImageScore:
    """One image's anomaly score (higher = more anomalous), how it was converted, and why it may be out of domain."""

    image: str
    score: float
    note: str
    out_of_domain: str = ""


@dataclass
class DetectionResult:
    """Scores of a request's images and the model that gave them."""

    scores: list[ImageScore]
    model: str
    source: str
    seconds: float


@dataclass
class Reference:
    """A model's labelled test split: its scores, metrics, and normal images (for the talk's figures)."""

    split: str
    scores: ReferenceScores
    metrics: DetectionMetrics
    normal_images: torch.Tensor


def _header_pixels(source: ImageSource) -> int:
    if not isinstance(source, (str, Path)):
        return source.width * source.height if isinstance(source, Image.Image) else 0
    try:
        with Image.open(source) as image:
            return image.width * image.height
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        return 0  # not readable as an image: load_image says so in a sentence


def check_request(sources: list[ImageSource]) -> None:
    """Refuse a request with no image, more than MAX_IMAGES images, or more than MAX_TOTAL_PIXELS pixels in all."""
    if not sources:
        raise RequestError("Please give one or more images to score.")
    if len(sources) > MAX_IMAGES:
        raise RequestError(f"{len(sources)} images were sent; at most {MAX_IMAGES} are scored per request.")
    total = sum(_header_pixels(source) for source in sources)
    if total > MAX_TOTAL_PIXELS:
        raise RequestError(
            f"These images hold {total / 1e6:.0f} megapixels together; the limit is {MAX_TOTAL_PIXELS // 1_000_000} "
            "per request. Send fewer or smaller images."
        )


def conversion_note(image: Image.Image, raw: torch.Tensor, model: HistoryADModel) -> str:
    """What converting `image` (`raw`: its uint8 RGB tensor) to the model's input does, in words ('' when nothing)."""
    steps = []
    if model.channels == 1 and not (raw == raw[:1]).all():
        steps.append("converted to grayscale")
    if (image.width, image.height) != (model.content_size, model.content_size):
        steps.append(f"resized from {image.width}×{image.height} to {model.content_size}×{model.content_size}")
    if model.content_size < model.image_size:
        steps.append(f"zero-padded to {model.image_size}×{model.image_size}")
    return ("; ".join(steps) + ", as the training data was.") if steps else ""


def domain_warning(raw: torch.Tensor, converted: torch.Tensor, model: HistoryADModel) -> str:
    """Why an image is unlike the model's training data, or '' (color for a grayscale model, brightness outside the
    training range)."""
    if model.channels == 1 and raw.shape[0] == 3:
        if chroma_spread(raw).item() > COLOR_SPREAD:
            return "a color image, but the model was trained on grayscale images only"
    if len(model.intensity_range) == 2:
        low, high = model.intensity_range
        mean = converted.mean().item()
        if mean < low or mean > high:
            return f"{'darker' if mean < low else 'brighter'} overall than 99 % of the training images"
    return ""


def prepare_images(images: list[Image.Image], model: HistoryADModel) -> tuple[torch.Tensor, list[str], list[str]]:
    """RGB PIL images -> model input in [-1, 1], converted like the training data; a note and a domain warning per
    image."""
    tensors, notes, warnings = [], [], []
    for image in images:
        raw = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.uint8).copy()).permute(2, 0, 1)
        converted = to_unit_range(to_model_format(raw[None], model.channels, model.content_size, model.image_size))
        tensors.append(converted)
        notes.append(conversion_note(image, raw, model))
        warnings.append(domain_warning(raw, converted, model))
    return torch.cat(tensors), notes, warnings


class Detector(Pipeline):
    """A HistoryAD model loaded by name, called on images; higher scores mean more anomalous."""

    model_class = HistoryADModel

    def __init__(self, model: HistoryADModel, name: str, source: WeightsSource | str, device: torch.device) -> None:
        super().__init__(model, name, source, device)
        self._references: dict[int, Reference] = {}

    def __call__(self, images: list[ImageSource], names: list[str] | None = None) -> DetectionResult:
        """Score `images` (paths, PIL images or arrays; see `check_request` for the limits)."""
        check_request(images)
        started = time.perf_counter()
        names = names or [
            Path(image).name if isinstance(image, (str, Path)) else f"image {i + 1}" for i, image in enumerate(images)
        ]
        batch, notes, warnings = prepare_images([load_image(image) for image in images], self.model)
        scores = self.score(batch).tolist()
        rows = [
            ImageScore(name, score, note, warning) for name, score, note, warning in zip(names, scores, notes, warnings)
        ]
        return DetectionResult(rows, self.name, str(self.source), time.perf_counter() - started)

    def score(self, images: torch.Tensor) -> torch.Tensor:
        """Anomaly scores −D_TV(x) of images already in the model's format, in [-1, 1]."""
        return self.model.score(images)

    def split(self, test_limit: int | None = REFERENCE_IMAGES, seed: int = 0) -> AnomalySplit:
        """The labelled split the model was trained for (a seeded subset of `test_limit` test images)."""
        model = self.model
        return make_split(
            model.dataset,
            model.anomalous_class,
            list(model.normal_classes),
            model.anomaly_dataset,
            model.protocol,
            test_limit=test_limit,
            train_limit=1,
            seed=seed,
        )

    def reference(self, test_limit: int = REFERENCE_IMAGES) -> Reference:
        """Scores and metrics of the model's test split (computed once per limit)."""
        if test_limit not in self._references:
            split = self.split(test_limit)
            scores = ReferenceScores.from_labels(self.score(split.test_tensor()).numpy(), split.test_labels.numpy())
            normal = split.test_tensor()[split.test_labels == 0]
            self._references[test_limit] = Reference(split.name, scores, scores.metrics(), normal)
        return self._references[test_limit]
