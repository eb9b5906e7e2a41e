"""Matplotlib figures of anomaly scores, shared by the tab and the evaluation CLI."""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def score_histograms(
    normal: np.ndarray,
    anomalous: np.ndarray,
    title: str = "",
    marks: Sequence[float] = (),
    threshold: float | None = None,
    anomalous_label: str = "anomalous",
) -> Figure:
    """Overlaid density histograms of normal and anomalous scores, with user images and a threshold marked."""
    figure, axes = plt.subplots(figsize=(7, 3.6), dpi=100)
    values = np.concatenate([normal, anomalous, np.asarray(marks, dtype=float)]) if len(normal) + len(anomalous) else np.zeros(1)
    bins = np.linspace(values.min(), values.max() + 1e-9, 50)
    axes.hist(normal, bins=bins, density=True, alpha=0.55, color="tab:blue", label=f"normal test ({len(normal)})")
    axes.hist(anomalous, bins=bins, density=True, alpha=0.55, color="tab:red", label=f"{anomalous_label} test ({len(anomalous)})")
    for i, mark in enumerate(marks):
        axes.axvline(mark, color="black", linewidth=1.5, linestyle=":", label="your images" if i == 0 else None)
    if threshold is not None:
        axes.axvline(threshold, color="tab:green", linewidth=2, label=f"threshold {threshold:.3g}")
    axes.set_xlabel("anomaly score −D_TV(x)  (higher = more anomalous)")
    axes.set_ylabel("density")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    plt.close(figure)
    return figure


def noise_densities(scores: dict[float, np.ndarray], title: str = "") -> Figure:
    """One histogram per noise level σ, as in the talk's robustness figure."""
    figure, axes = plt.subplots(figsize=(7, 3.6), dpi=100)
    all_scores = np.concatenate([np.asarray(v) for v in scores.values()])
    bins = np.linspace(all_scores.min(), all_scores.max() + 1e-9, 50)
    for sigma, values in scores.items():
        axes.hist(np.asarray(values), bins=bins, density=True, histtype="step", linewidth=1.8, label=f"σ = {sigma:g}")
    axes.set_xlabel("anomaly score −D_TV(x)")
    axes.set_ylabel("density")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8)
    figure.tight_layout()
    plt.close(figure)
    return figure


def interpolation_curve(t: np.ndarray, scores: np.ndarray, title: str = "") -> Figure:
    """Anomaly score of G((1−t)z1 + t·z2) against t."""
    figure, axes = plt.subplots(figsize=(7, 3), dpi=100)
    axes.plot(t, scores, marker="o")
    axes.set_xlabel("t")
    axes.set_ylabel("anomaly score")
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    plt.close(figure)
    return figure
