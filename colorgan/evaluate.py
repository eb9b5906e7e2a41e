"""Held-out evaluation of colorization models: PSNR, SSIM and colorfulness, against the gray baseline.

    python -m colorgan.evaluate [--models colorgan-chromagan colorgan-pix2pix ...] [--data cifar10] [--limit 10000]

Every model colorizes the L channel of the held-out photos at their own size; the gray baseline
predicts a = b = 0. Colorfulness is Hasler and Süsstrunk's, averaged over images.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
import torch

from colorgan.inference import load_colorizer
from colorgan.lab import join_normalized, split_normalized
from colorgan.models import SHIPPED_MODELS, ChromaGANGenerator
from gan.data import load_dataset
from gan.metrics import colorfulness, psnr, ssim

GRAY_BASELINE = "gray baseline (a = b = 0)"


@torch.no_grad()
def _score(predictions: torch.Tensor, truths: torch.Tensor) -> dict[str, float]:
    to_numpy = lambda t: t.permute(0, 2, 3, 1).cpu().numpy().astype(np.float64)  # noqa: E731
    predicted, true = to_numpy(predictions), to_numpy(truths)
    return {
        "psnr": float(np.mean([psnr(p, t) for p, t in zip(predicted, true)])),
        "ssim": float(np.mean([ssim(p, t) for p, t in zip(predicted, true)])),
        "colorfulness": float(np.mean([colorfulness(np.round(p * 255)) for p in predicted])),
        "colorfulness_truth": float(np.mean([colorfulness(np.round(t * 255)) for t in true])),
    }


@torch.no_grad()
def colorize_batches(model: ChromaGANGenerator | None, rgb: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """(predictions, truths) in [0, 1] for uint8 RGB images; model None is the gray baseline."""
    predictions, truths = [], []
    for start in range(0, len(rgb), batch_size):
        truth = rgb[start : start + batch_size].float() / 255
        lightness, ab = split_normalized(truth)
        predicted_ab = torch.zeros_like(ab) if model is None else model(lightness)
        predictions.append(join_normalized(lightness, predicted_ab))
        truths.append(join_normalized(lightness, ab))
    return torch.cat(predictions), torch.cat(truths)


def evaluate_model(model: ChromaGANGenerator | None, data: str = "cifar10", limit: int = 10000) -> dict[str, float]:
    """Mean PSNR (dB), SSIM and colorfulness of `model` on `limit` held-out images (a seeded random draw)."""
    held_out = load_dataset(data, "test").sample(limit)
    if model is not None:
        model.eval()
    return _score(*colorize_batches(model, held_out.images))


def results_table(rows: dict[str, dict[str, float]]) -> str:
    """A Markdown table of evaluation rows."""
    lines = ["| method | PSNR (dB) | SSIM | colorfulness | colorfulness of truth |", "|---|---|---|---|---|"]
    for name, m in rows.items():
        lines.append(f"| {name} | {m['psnr']:.2f} | {m['ssim']:.4f} | {m['colorfulness']:.1f} | {m['colorfulness_truth']:.1f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the held-out table for the gray baseline and each model."""
    parser = argparse.ArgumentParser(prog="python -m colorgan.evaluate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(SHIPPED_MODELS), help="shipped model names, Hub repo ids or weight folders")
    parser.add_argument("--data", default="cifar10", help="'cifar10' or an image folder with a test/ split")
    parser.add_argument("--limit", type=int, default=10000, help="number of held-out images to score (a seeded random draw; all 10 000 of CIFAR-10 by default)")
    args = parser.parse_args(argv)
    rows = {GRAY_BASELINE: evaluate_model(None, args.data, args.limit)}
    for name in args.models:
        model, _ = load_colorizer(name)
        rows[name] = evaluate_model(model, args.data, args.limit)
    print(f"Held-out {args.data}, {args.limit} images\n")
    print(results_table(rows))


if __name__ == "__main__":
    main()
