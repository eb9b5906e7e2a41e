"""Scores of a labelled split and what a threshold makes of them: metrics in both conventions, precision, recall, a
starting threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score

from gan.metrics import detection_scores


@dataclass
class ReferenceScores:
    """Anomaly scores (higher = more anomalous) of a split's normal and anomalous images."""

    normal: np.ndarray
    anomalous: np.ndarray

    @classmethod
    def from_labels(cls, scores: np.ndarray, labels: np.ndarray) -> "ReferenceScores":
        """Separate `scores` by `labels` (1 = anomalous)."""
        scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels).astype(bool)
        return cls(scores[~labels], scores[labels])

    def metrics(self) -> "DetectionMetrics":
        """AUPRC and AUROC of these scores in both conventions."""
        labels = np.r_[np.zeros(len(self.normal)), np.ones(len(self.anomalous))]
        return detection_metrics(labels, np.r_[self.normal, self.anomalous])


@dataclass
class DetectionMetrics:
    """AUPRC with anomalies positive (ours), with normal images positive (Fence-GAN's), AUROC, and the anomaly share."""

    auprc: float
    auprc_normal: float
    auroc: float
    anomaly_share: float

    @property
    def below_chance(self) -> bool:
        """True when the ranking is worse than a coin: anomalies called more normal than normal images."""
        return self.auroc < 0.5

    def as_dict(self) -> dict[str, float]:
        """The four numbers by name, for tables and JSON."""
        return {
            "auprc": self.auprc,
            "auprc_normal": self.auprc_normal,
            "auroc": self.auroc,
            "anomaly_share": self.anomaly_share,
        }


def detection_metrics(labels: np.ndarray, scores: np.ndarray) -> DetectionMetrics:
    """Both conventions from labels (1 = anomalous) and anomaly scores (higher = more anomalous).

    Fence-GAN's AUPRC takes the normal images as positives and the discriminator's output, i.e. minus
    our anomaly score, as their score.
    """
    labels, scores = np.asarray(labels).astype(int), np.asarray(scores, dtype=np.float64)
    ours = detection_scores(labels, scores)
    normal = float(average_precision_score(1 - labels, -scores))
    return DetectionMetrics(ours["auprc"], normal, ours["auroc"], ours["positive_share"])


def precision_recall(reference: ReferenceScores, threshold: float) -> tuple[float, float]:
    """Precision and recall on the reference images when score > threshold is called anomalous."""
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


@dataclass
class ThresholdView:
    """What the threshold slider shows: its range and step, a starting value, all rounded for people."""

    minimum: float
    maximum: float
    step: float
    value: float


def threshold_view(reference: ReferenceScores) -> ThresholdView:
    """Slider bounds and step at a readable precision (two significant digits of the range), starting at the best-F1
    threshold."""
    values = np.r_[reference.normal, reference.anomalous]
    low, high = float(values.min()), float(values.max())
    span = high - low or 1.0
    step = float(10 ** np.floor(np.log10(span / 100)))
    low, high = float(np.floor(low / step) * step), float(np.ceil(high / step) * step)
    value = float(np.round(best_f1_threshold(reference) / step) * step)
    digits = max(0, int(-np.floor(np.log10(step))))
    return ThresholdView(round(low, digits), round(high, digits), round(step, digits), round(value, digits))
