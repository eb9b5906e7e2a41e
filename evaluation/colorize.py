"""Held-out evaluation of colorization models: PSNR, SSIM and colorfulness, against the gray baseline.

    python -m evaluation.colorize --data tiny-imagenet            # its test split, at the training size
    python -m evaluation.colorize --data tiny-imagenet+utkface --split val   # choose between models
    python -m evaluation.colorize --data bsds500                  # 200 whole photos at full resolution
    python -m evaluation.colorize --data photos-val               # 23 whole photos for choosing between models
    python -m evaluation.colorize --data folder:PATH --models colorgan-chromagan colorgan-regression

Registered datasets are scored on their test split (`--split val`: the validation split carved from
the training data, for choosing between models without touching test images) at one size (`--size`,
the models' training size by default): each model colorizes the L channel, the gray baseline predicts a = b = 0.
Whole photos (`bsds500`, `photos-val`, `folder:PATH`) go through `Colorizer` at their own resolution, as users
get them. Colorfulness is Hasler and Süsstrunk's, averaged over images; the truth's is shown too. Each
model's PSNR gain over the gray photo comes with a 95 % bootstrap interval over the images (paired by
image), so a gain is read with the uncertainty of the set's size: 23 photos give a wide interval.
With `--fid-classifier` (a shipped name, Hub repo id or folder of our Tiny ImageNet classifier,
`training.fid_classifier`), FID-TIN between each method's colorizations and the true colors of the
same images is added: the Fréchet distance over that classifier's features (`gan.fid`), whole photos
center-cropped square and resized to its 64-pixel input. It is never an Inception FID: online users
get that one with `--fid-classifier inception` (torch-fidelity's Inception-v3 weights, a download),
in a column of its own name.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
import torch

from colorgan.inference import Colorizer, predict_ab
from colorgan.lab import gray_rgb, join_normalized, split_normalized
from colorgan.models import ChromaGANGenerator
from colorgan.settings import DEFAULT_SIZE, DEFAULT_STRENGTH, MAX_STRENGTH, MIN_STRENGTH, check_strength
from gan.data import DataError, load_dataset, photo_files
from gan.device import pick_device
from gan.fid import FEATURE_SIZE, FID_TIN_MODEL, INCEPTION, TinyImageNetClassifier, frechet_distance
from gan.hardware import hardware_description
from gan.hub import WeightsError, fetch
from gan.imageio import load_image
from gan.metrics import bootstrap_mean_interval, colorfulness, psnr, ssim

GRAY_BASELINE = "gray baseline (a = b = 0)"
WHOLE_PHOTO_SETS = ("bsds500", "photos-val")


def _gray_of(truth: np.ndarray) -> np.ndarray:
    return _numpy(gray_rgb(torch.from_numpy(truth).permute(2, 0, 1)[None].float()))[0]


def score_pairs(predictions: Sequence[np.ndarray], truths: Sequence[np.ndarray]) -> dict[str, float]:
    """Mean PSNR (dB), SSIM and colorfulness of HWC float [0, 1] predictions against their truths.

    Also the PSNR gain over the gray photo, image by image, with its 95 % bootstrap interval over the
    images ("gain_over_gray", "gain_over_gray_low", "gain_over_gray_high"): a paired comparison, so the
    interval shows whether the gain would hold on another draw of such photos.
    """
    psnrs = np.array([psnr(p, t) for p, t in zip(predictions, truths)])
    gains = psnrs - np.array([psnr(_gray_of(t), t) for t in truths])
    low, high = bootstrap_mean_interval(gains)
    return {
        "psnr": float(psnrs.mean()),
        "gain_over_gray": float(gains.mean()),
        "gain_over_gray_low": low,
        "gain_over_gray_high": high,
        "ssim": float(np.mean([ssim(p, t) for p, t in zip(predictions, truths)])),
        "colorfulness": float(np.mean([colorfulness(np.round(p * 255)) for p in predictions])),
        "colorfulness_truth": float(np.mean([colorfulness(np.round(t * 255)) for t in truths])),
    }


def _numpy(images: torch.Tensor) -> list[np.ndarray]:
    return list(images.permute(0, 2, 3, 1).cpu().numpy().astype(np.float64))


def feature_tiles(images: Sequence[np.ndarray]) -> torch.Tensor:
    """HWC float [0, 1] images of any sizes as one uint8 batch (N, 3, 64, 64): center-cropped square, resized by area."""
    tiles = []
    for image in images:
        height, width = image.shape[:2]
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        square = torch.from_numpy(np.ascontiguousarray(image[top : top + side, left : left + side])).permute(2, 0, 1)[None].float()
        tiles.append(torch.nn.functional.interpolate(square, size=(FEATURE_SIZE, FEATURE_SIZE), mode="area"))
    return (torch.cat(tiles) * 255).round().clamp(0, 255).to(torch.uint8)


FID_COLUMNS = {"fid_tin": "FID-TIN (vs true colors)", "fid_inception": "FID, Inception-v3 (vs true colors)"}


def frechet_to_truth(predictions: Sequence[np.ndarray], truths: Sequence[np.ndarray], classifier: TinyImageNetClassifier | str) -> float:
    """FID-TIN between the colorizations and the true-color images (HWC float [0, 1], any sizes); INCEPTION: the Inception-v3 FID."""
    return frechet_distance(feature_tiles(truths), feature_tiles(predictions), classifier)


def fid_scores(predictions: Sequence[np.ndarray], truths: Sequence[np.ndarray], classifier: TinyImageNetClassifier | str | None) -> dict[str, float]:
    """{"fid_tin" or "fid_inception": the distance} for `classifier`; {} when there is none."""
    if classifier is None:
        return {}
    return {"fid_inception" if classifier == INCEPTION else "fid_tin": frechet_to_truth(predictions, truths, classifier)}


@torch.no_grad()
def colorize_batches(model: ChromaGANGenerator | None, rgb: torch.Tensor, batch_size: int = 250, strength: float = DEFAULT_STRENGTH) -> tuple[torch.Tensor, torch.Tensor]:
    """(predictions, truths) in [0, 1] on the CPU for uint8 RGB images, the predicted chroma scaled by `strength`; model None is the gray baseline."""
    device = next(model.parameters()).device if model is not None else torch.device("cpu")
    predictions, truths = [], []
    for start in range(0, len(rgb), batch_size):
        truth = rgb[start : start + batch_size].to(device).float() / 255
        lightness, ab = split_normalized(truth)
        predicted_ab = torch.zeros_like(ab) if model is None else predict_ab(model, lightness, strength)
        predictions.append(join_normalized(lightness, predicted_ab).cpu())
        truths.append(join_normalized(lightness, ab).cpu())
    return torch.cat(predictions), torch.cat(truths)


def evaluate_model(
    model: ChromaGANGenerator | None, data: str, limit: int = 10000, size: int | None = None, split: str = "test", classifier: TinyImageNetClassifier | str | None = None,
    strength: float = DEFAULT_STRENGTH,
) -> dict[str, float]:
    """Scores of `model` on `limit` images (a seeded draw) of `split` of a registered dataset, gray photos left out; FID-TIN (or the Inception FID) with `classifier`."""
    held_out = load_dataset(data, split, size).colored().sample(limit)
    if model is not None:
        model.eval()
    started = time.perf_counter()
    predictions, truths = colorize_batches(model, held_out.images, strength=strength)
    seconds = (time.perf_counter() - started) / len(held_out)
    predictions, truths = _numpy(predictions), _numpy(truths)
    return {**score_pairs(predictions, truths), "seconds": seconds, **fid_scores(predictions, truths, classifier)}


def evaluate_photos(
    colorizer: Colorizer | None, data: str, size: int = DEFAULT_SIZE, limit: int | None = None, classifier: TinyImageNetClassifier | str | None = None,
    strength: float = DEFAULT_STRENGTH,
) -> dict[str, float]:
    """Scores on whole photos at full resolution (bsds500, photos-val or folder:PATH), the predicted chroma scaled by `strength`; colorizer None is the gray baseline; FID-TIN (or the Inception FID) with `classifier`."""
    predictions, truths, seconds = [], [], 0.0
    for file in photo_files(data)[:limit]:
        photo = load_image(file).convert("RGB")
        truth = np.asarray(photo, dtype=np.float64) / 255
        started = time.perf_counter()
        if colorizer is None:
            predictions.append(_gray_of(truth))
        else:
            predictions.append(np.asarray(colorizer(photo, size, strength).image, dtype=np.float64) / 255)
        seconds += time.perf_counter() - started
        truths.append(truth)
    return {**score_pairs(predictions, truths), "seconds": seconds / max(len(truths), 1), **fid_scores(predictions, truths, classifier)}


def results_table(rows: dict[str, dict[str, float]]) -> str:
    """A Markdown table of evaluation rows."""
    fid = next((key for key in FID_COLUMNS if any(key in m for m in rows.values())), None)
    lines = [
        "| method | PSNR (dB) | PSNR gain over gray (dB, 95 % CI) | SSIM | colorfulness | colorfulness of truth |" + (f" {FID_COLUMNS[fid]} |" if fid else "") + " s/image |",
        "|---|---|---|---|---|---|" + ("---|" if fid else "") + "---|",
    ]
    for name, m in rows.items():
        fid_cell = f" {m[fid]:.2f} |" if fid else ""
        gain = "—" if name == GRAY_BASELINE else f"{m['gain_over_gray']:+.2f} [{m['gain_over_gray_low']:+.2f}, {m['gain_over_gray_high']:+.2f}]"
        lines.append(
            f"| {name} | {m['psnr']:.2f} | {gain} | {m['ssim']:.4f} | {m['colorfulness']:.1f} | {m['colorfulness_truth']:.1f} |{fid_cell} {m.get('seconds', 0):.3f} |"
        )
    return "\n".join(lines)


def fid_network(name: str, device: torch.device) -> TinyImageNetClassifier | str | None:
    """The FID feature network named on the command line: our classifier, INCEPTION (checked to be loadable), or None."""
    if not name:
        return None
    if name != INCEPTION:
        return fetch(TinyImageNetClassifier, name)[0].to(device).eval()
    try:
        import torch_fidelity  # noqa: F401  (torchmetrics' Inception-v3 comes from it)
    except ImportError as error:
        raise WeightsError(f"--fid-classifier {INCEPTION} needs torch-fidelity (pip install torch-fidelity) and a connection for its weights; offline, use {FID_TIN_MODEL}.") from error
    return INCEPTION


def main(argv: Sequence[str] | None = None) -> None:
    """Print the held-out table for the gray baseline and each model."""
    parser = argparse.ArgumentParser(prog="python -m evaluation.colorize", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=None, help="shipped model names, Hub repo ids or weight folders (default: every shipped colorizer)")
    parser.add_argument("--data", default="tiny-imagenet", help="a registered dataset (the split of --split), or whole photos: bsds500 (test), photos-val (validation) or folder:PATH")
    parser.add_argument("--split", choices=("test", "val"), default="test", help="registered data: test (held-out reporting) or val (choosing between models, as the training runs do); default test")
    parser.add_argument("--limit", type=int, default=10000, help="most images to score (a seeded random draw)")
    parser.add_argument("--size", type=int, default=None, help="registered data: side the test images are resized to (default: the dataset's own); whole photos: the longer side the model predicts at (default %d)" % DEFAULT_SIZE)
    parser.add_argument("--fid-classifier", default="", help=f"FID-TIN feature network: a shipped name (e.g. {FID_TIN_MODEL}), Hub repo id or weights folder of training.fid_classifier; {INCEPTION}: the standard Inception-v3 FID instead (online: torch-fidelity and its weights download); empty: no FID column")
    parser.add_argument("--strength", type=float, default=DEFAULT_STRENGTH, help=f"scale of every model's predicted color ({MIN_STRENGTH:g} to {MAX_STRENGTH:g}; the app's color strength)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be at least 1.")
    try:
        check_strength(args.strength)
    except ValueError as error:
        parser.error(f"--strength: {error}")
    whole_photos = args.data in WHOLE_PHOTO_SETS or args.data.startswith("folder:")
    if whole_photos and args.split != "test":
        parser.error(f"--split applies to registered datasets; {args.data} is scored whole, photo by photo.")
    device = pick_device(args.device)
    names = args.models or Colorizer.shipped_models()
    rows: dict[str, dict[str, float]] = {}
    try:
        classifier = fid_network(args.fid_classifier, device)
        for name in [None, *names]:
            colorizer = Colorizer.from_pretrained(name, device=device) if name else None
            if whole_photos:
                rows[name or GRAY_BASELINE] = evaluate_photos(colorizer, args.data, args.size or DEFAULT_SIZE, args.limit, classifier, args.strength)
            else:
                rows[name or GRAY_BASELINE] = evaluate_model(colorizer.model if colorizer else None, args.data, args.limit, args.size, args.split, classifier, args.strength)
        count = min(args.limit, len(photo_files(args.data)) if whole_photos else len(load_dataset(args.data, args.split).colored()))
    except (DataError, WeightsError) as error:
        parser.error(str(error))
    where = "whole photos at full resolution" if whole_photos else f"{args.split} split at {args.size or 'native'} px"
    where += f", color strength {args.strength:g}" if args.strength != DEFAULT_STRENGTH else ""
    print(f"{args.data}: {count} {'validation' if args.split == 'val' or args.data == 'photos-val' else 'held-out'} images, {where}; {hardware_description(device)}\n")
    print(results_table(rows))


if __name__ == "__main__":
    main()
