"""Evaluation metrics shared by every capability: fidelity, color, detection and vote statistics."""

from __future__ import annotations

import math

import numpy as np


def mse(prediction: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error of two images in [0, 1]."""
    return float(np.mean((prediction.astype(np.float64) - target.astype(np.float64)) ** 2))


def psnr(prediction: np.ndarray, target: np.ndarray, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB; images in [0, data_range]. Identical images give inf."""
    error = mse(prediction, target)
    return math.inf if error == 0 else 10.0 * math.log10(data_range**2 / error)


def ssim(prediction: np.ndarray, target: np.ndarray, data_range: float = 1.0) -> float:
    """Structural similarity (Wang et al. 2004) of HxW or HxWxC images in [0, data_range]."""
    from skimage.metrics import structural_similarity  # deferred: keeps scikit-image out of the app's start-up

    channel_axis = -1 if prediction.ndim == 3 else None
    side = min(prediction.shape[0], prediction.shape[1])
    win_size = min(7, side if side % 2 else side - 1)
    return float(
        structural_similarity(prediction, target, data_range=data_range, channel_axis=channel_axis, win_size=win_size)
    )


def colorfulness(rgb: np.ndarray) -> float:
    """Hasler and Süsstrunk (2003) colorfulness of an HxWx3 image in [0, 255]: 0 for gray."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(math.hypot(rg.std(), yb.std()) + 0.3 * math.hypot(rg.mean(), yb.mean()))


def detection_scores(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """AUPRC (positives = label 1, higher score = more positive), AUROC and the positive share (AUPRC's chance)."""
    from sklearn.metrics import average_precision_score, roc_auc_score  # deferred, as above

    labels = np.asarray(labels).astype(int)
    return {
        "auprc": float(average_precision_score(labels, scores)),
        "auroc": float(roc_auc_score(labels, scores)),
        "positive_share": float(labels.mean()),
    }


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95 % by default); (0, 1) with no trials."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_mean_interval(
    values: np.ndarray, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `values` (95 % by default; seeded, so reruns agree).

    Given per-image differences between two methods on the same images (a paired comparison), it says
    how far the mean difference could move with another draw of images of the same kind.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        raise ValueError("A bootstrap interval needs at least one value.")
    rng = np.random.default_rng(seed)
    chunk = 200  # resamples drawn at once: bounded memory for 10 000 values
    means = np.concatenate(
        [
            values[rng.integers(0, len(values), size=(min(chunk, resamples - done), len(values)))].mean(axis=1)
            for done in range(0, resamples, chunk)
        ]
    )
    tail = (1 - level) / 2 * 100
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


AB_BIN = 10.0  # side of the ab bins whose inverse frequency rebalances the AuC
AB_GRID = 13  # bins from -130 to 130 on each axis: every real colour of sRGB and some room
MAX_AB_ERROR = 150  # thresholds of the AuC: 0, 1, ..., 150 in ab units


def ab_bins_of(ab: np.ndarray) -> np.ndarray:
    """Index of the 10-wide (a, b) bin of each colour of a (..., 2) array in ab units, on a grid of 27 x 27 bins."""
    index = np.clip(np.round(np.asarray(ab, dtype=np.float64) / AB_BIN), -AB_GRID, AB_GRID).astype(np.int64) + AB_GRID
    return index[..., 0] * (2 * AB_GRID + 1) + index[..., 1]


def ab_error_table(prediction: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Counts of pixels by (true colour's bin, ab error rounded up): a (27 * 27, 152) table from (..., 2) ab arrays.

    Tables of several images add up; `ab_auc` reads any rebalancing off the table afterwards.
    """
    error = np.ceil(np.linalg.norm(np.asarray(prediction, np.float64) - np.asarray(truth, np.float64), axis=-1))
    errors = np.minimum(error, MAX_AB_ERROR + 1).astype(np.int64).ravel()
    bins = ab_bins_of(truth).ravel()
    width = MAX_AB_ERROR + 2
    return np.bincount(bins * width + errors, minlength=(2 * AB_GRID + 1) ** 2 * width).reshape(-1, width)


def ab_frequencies(table_or_ab: np.ndarray) -> np.ndarray:
    """Share of pixels in each (a, b) bin, from an `ab_error_table` or from a (..., 2) ab array."""
    if table_or_ab.ndim == 2 and table_or_ab.shape[1] == MAX_AB_ERROR + 2:
        counts = table_or_ab.sum(1).astype(np.float64)
    else:
        counts = np.bincount(ab_bins_of(table_or_ab).ravel(), minlength=(2 * AB_GRID + 1) ** 2).astype(np.float64)
    return counts / max(counts.sum(), 1.0)


def inverse_frequency(frequencies: np.ndarray) -> np.ndarray:
    """Weight of each bin: 1 / its frequency; bins the frequencies never saw get the weight of the rarest bin seen."""
    seen = frequencies[frequencies > 0]
    return 1.0 / np.where(frequencies > 0, frequencies, seen.min() if len(seen) else 1.0)


def ab_auc(table: np.ndarray, bin_weights: np.ndarray | None = None) -> float:
    """Area (0 to 100) under the share of pixels within t of the true ab, for t = 0..150 (Zhang et al. 2016).

    `bin_weights` weighs each pixel by its true colour's bin (e.g. `inverse_frequency`): class-rebalanced AuC.
    """
    counts = table.astype(np.float64) if bin_weights is None else table * np.asarray(bin_weights, np.float64)[:, None]
    by_error = counts.sum(0)
    within = np.cumsum(by_error)[: MAX_AB_ERROR + 1] / max(by_error.sum(), 1e-300)
    return float(100 * np.trapezoid(within, dx=1.0) / MAX_AB_ERROR)


def top1_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose largest logit is at the label."""
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(labels)))
