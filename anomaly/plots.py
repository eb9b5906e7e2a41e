"""Matplotlib figures of anomaly scores, shared by the tab and the evaluation CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from anomaly.figures import latent_interpolation_scores, noise_score_densities  # noqa: E402
from anomaly.model import HistoryADModel  # noqa: E402


def score_histograms(
    normal: np.ndarray,
    anomalous: np.ndarray,
    title: str = "",
    marks: Sequence[float] = (),
    threshold: float | None = None,
    anomalous_label: str = "anomalous",
    normal_label: str = "normal",
) -> Figure:
    """Overlaid density histograms of normal and anomalous scores, with user images and a threshold marked."""
    figure, axes = plt.subplots(figsize=(7, 3.6), dpi=100)
    values = (
        np.concatenate([normal, anomalous, np.asarray(marks, dtype=float)])
        if len(normal) + len(anomalous)
        else np.zeros(1)
    )
    bins = np.linspace(values.min(), values.max() + 1e-9, 50)
    axes.hist(
        normal, bins=bins, density=True, alpha=0.55, color="tab:blue", label=f"{normal_label} test ({len(normal)})"
    )
    axes.hist(
        anomalous,
        bins=bins,
        density=True,
        alpha=0.55,
        color="tab:red",
        label=f"{anomalous_label} test ({len(anomalous)})",
    )
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


def history_histograms(panels: list[tuple[str, dict[str, np.ndarray]]]) -> Figure:
    """One panel per training time: histograms of the scores of normal, anomalous and history (generated) images."""
    figure, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3), dpi=100, squeeze=False)
    colors = {"normal": "tab:blue", "anomalous": "tab:red", "history": "tab:gray"}
    for axis, (title, groups) in zip(axes[0], panels):
        values = np.concatenate(list(groups.values()))
        bins = np.linspace(values.min(), values.max() + 1e-9, 40)
        for name, scores in groups.items():
            axis.hist(scores, bins=bins, density=True, alpha=0.5, color=colors.get(name), label=name)
        axis.set_title(title, fontsize=9)
        axis.set_xlabel("anomaly score", fontsize=8)
    axes[0][0].legend(fontsize=7)
    figure.tight_layout()
    plt.close(figure)
    return figure


@dataclass
class TalkFigures:
    """The talk's two figures for one model, and the images G((1−t)z1 + t·z2) along the interpolation."""

    interpolation: Figure
    interpolation_images: list[tuple[np.ndarray, str]]
    noise: Figure


def talk_figures(model: HistoryADModel, normal_images: torch.Tensor, seed: int = 0, steps: int = 12) -> TalkFigures:
    """Scores along a latent interpolation (z1, z2 drawn with `seed`) and of up to 1 000 normal images under noise."""
    rng = torch.Generator().manual_seed(seed)
    z1, z2 = torch.randn(model.latent_dim, generator=rng), torch.randn(model.latent_dim, generator=rng)
    t, images, scores = latent_interpolation_scores(model, z1, z2, steps)
    pictures = [((image.permute(1, 2, 0).squeeze(2).numpy() + 1) / 2).clip(0, 1) for image in images]
    densities = noise_score_densities(model, normal_images[:1000], seed=seed)
    return TalkFigures(
        interpolation_curve(t.numpy(), scores.numpy(), "score of G((1−t)z1 + t z2), last generator"),
        [(picture, f"t={v:.2f}") for picture, v in zip(pictures, t.tolist())],
        noise_densities({s: v.numpy() for s, v in densities.items()}, "normal test images + N(0, σ²) noise"),
    )
