"""Using a trained HistoryAD model: find and load it, rebuild its test split, score users' images, pick a threshold."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from PIL import Image

from anomaly.data import AnomalySplit, class_split, cross_dataset, to_model_format
from anomaly.model import HistoryADModel
from gan.data import to_unit_range
from gan.hub import WEIGHTS_ROOT, fetch

MODEL_PREFIX = "anomaly-"


def shipped_models() -> list[str]:
    """Names of the bundled HistoryAD weights folders (weights/anomaly-*), sorted."""
    return sorted(p.name for p in WEIGHTS_ROOT.glob(f"{MODEL_PREFIX}*") if (p / "model.safetensors").exists())


@lru_cache(maxsize=16)
def load_model(name: str) -> tuple[HistoryADModel, str]:
    """A HistoryAD model by bundled name, Hub repo id or folder, and where it came from (cached)."""
    return fetch(HistoryADModel, name)


def reference_split(model: HistoryADModel, test_limit: int | None = 2000, seed: int = 0) -> AnomalySplit:
    """The labelled test split the model was evaluated on (a seeded subset of `test_limit` images)."""
    if model.anomaly_dataset:
        return cross_dataset(model.dataset, model.anomaly_dataset, model.image_size, test_limit=test_limit, seed=seed)
    return class_split(model.dataset, list(model.normal_classes), model.image_size, test_limit=test_limit, seed=seed)


@dataclass
class ReferenceScores:
    """Anomaly scores of a model's normal and anomalous test images."""

    normal: np.ndarray
    anomalous: np.ndarray


def reference_scores(model: HistoryADModel, split: AnomalySplit) -> ReferenceScores:
    """Score the split's test images and separate them by label."""
    scores = model.score(split.test_tensor()).numpy()
    labels = split.test_labels.numpy().astype(bool)
    return ReferenceScores(scores[~labels], scores[labels])


def prepare_images(images: list[Image.Image], model: HistoryADModel) -> tuple[torch.Tensor, list[str]]:
    """RGB PIL images -> model input in [-1, 1], converted like the training data; one note per image."""
    tensors, notes = [], []
    for image in images:
        array = np.asarray(image.convert("RGB"), dtype=np.uint8)
        raw = torch.from_numpy(array.copy()).permute(2, 0, 1)[None]
        steps = []
        if model.channels == 1:
            steps.append("converted to grayscale")
        if tuple(raw.shape[-2:]) != (model.content_size, model.content_size):
            steps.append(f"resized from {raw.shape[-1]}×{raw.shape[-2]} to {model.content_size}×{model.content_size}")
        if model.content_size < model.image_size:
            steps.append(f"zero-padded to {model.image_size}×{model.image_size}")
        tensors.append(to_model_format(raw, model.channels, model.content_size, model.image_size))
        notes.append(("; ".join(steps) + ", as the training data was.") if steps else "")
    return to_unit_range(torch.cat(tensors)), notes


def precision_recall(reference: ReferenceScores, threshold: float) -> tuple[float, float]:
    """Precision and recall on the reference test images when score > threshold is called anomalous."""
    true_positives = float((reference.anomalous > threshold).sum())
    flagged = true_positives + float((reference.normal > threshold).sum())
    precision = true_positives / flagged if flagged else 1.0
    recall = true_positives / len(reference.anomalous) if len(reference.anomalous) else 0.0
    return precision, recall


def best_f1_threshold(reference: ReferenceScores) -> float:
    """The reference threshold with the highest F1 (a starting point for the user's slider)."""
    candidates = np.unique(np.concatenate([reference.normal, reference.anomalous]))
    best, best_f1 = float(np.median(candidates)), -1.0
    for threshold in np.quantile(candidates, np.linspace(0.01, 0.99, 99)):
        precision, recall = precision_recall(reference, float(threshold))
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best
