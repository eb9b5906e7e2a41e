"""Held-out evaluation of colorization: colour AuC (raw and class-rebalanced), PSNR, SSIM, colourfulness, FID-TIN.

    python -m evaluation.colorize --data tiny-imagenet --fid-classifier fid-tin-classifier   # + the semantic test
    python -m evaluation.colorize --data tiny-imagenet+utkface --split val   # choose between models
    python -m evaluation.colorize --data bsds500                  # 200 whole photos at full resolution
    python -m evaluation.colorize --data photos-val               # 23 whole photos for choosing between models
    python -m evaluation.colorize --data folder:PATH --models colorgan-chromagan colorgan-regression

Registered datasets are scored on their test split (`--split val`: the validation split carved from
the training data, for choosing between models without touching test images) at one size (`--size`,
the models' training size by default). Whole photos (`bsds500`, `photos-val`, `folder:PATH`) go through
`Colorizer` at their own resolution, as users get them. Two baselines come first: the gray photo
(a = b = 0) and one constant tint, the set's mean true colour painted on every pixel.

Colour AuC (Zhang, Isola and Efros 2016): the share of pixels whose predicted (a, b) lies within t of the
truth, for t = 0 to 150, area normalised to 100, pooled over every pixel of the set. Class-rebalanced:
each pixel weighted by the inverse frequency of its true colour's ab bin (bins of 10), so rare, saturated
colours count as much as the common browns and grays; the frequencies come from the evaluated set's own
true colours ("set") and from a seeded draw of 2 000 training photos of `--weights-from` ("training").
PSNR's gain over the gray photo comes with a 95 % bootstrap interval over the images. Colorfulness is
Hasler and Süsstrunk's. With `--fid-classifier` (our Tiny ImageNet classifier, `training.fid_classifier`),
FID-TIN between each method's colorizations and the true colours (whole photos center-cropped square,
resized to its 64-pixel input); `--fid-classifier inception` gives torch-fidelity's Inception FID instead
(online). On Tiny ImageNet the same classifier gives the semantic test: its top-1 accuracy on each method's
colorizations, beside the gray photos and the true colours.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from colorgan.inference import Colorizer, predict_ab
from colorgan.lab import gray_rgb, join_normalized, normalize_ab, rgb_to_lab, split_normalized
from colorgan.models import ChromaGANGenerator
from colorgan.settings import (
    DEFAULT_SIZE,
    DEFAULT_STRENGTH,
    MAX_STRENGTH,
    MAX_TEMPERATURE,
    MIN_STRENGTH,
    MIN_TEMPERATURE,
    check_strength,
    check_temperature,
)
from gan.cli import ConfigError, command_parser, parse_configs
from gan.data import DataError, load_dataset, photo_files
from gan.device import pick_device
from gan.fid import FEATURE_SIZE, FID_TIN_MODEL, INCEPTION, TinyImageNetClassifier, frechet_distance
from gan.hardware import hardware_description
from gan.hub import WeightsError, fetch
from gan.imageio import load_image
from gan.metrics import (
    ab_auc,
    ab_error_table,
    ab_frequencies,
    bootstrap_mean_interval,
    colorfulness,
    inverse_frequency,
    psnr,
    ssim,
    top1_accuracy,
)

GRAY_BASELINE = "gray baseline (a = b = 0)"
MEAN_TINT = "constant mean tint (the set's mean true colour)"
WHOLE_PHOTO_SETS = ("bsds500", "photos-val")
TRAINING_DATA = "tiny-imagenet+utkface"
WEIGHT_PHOTOS = 2000  # training photos whose colours give the "training" rebalancing weights


def _lab_ab(images: np.ndarray | torch.Tensor) -> np.ndarray:
    """(…, H, W, 2) ab in ab units of HWC float [0, 1] images (one or a batch)."""
    rgb = torch.as_tensor(np.asarray(images, dtype=np.float32))
    return rgb_to_lab(rgb.movedim(-1, -3))[..., 1:, :, :].movedim(-3, -1).numpy()


def _gray_of(truth: np.ndarray) -> np.ndarray:
    return _numpy(gray_rgb(torch.from_numpy(truth).permute(2, 0, 1)[None].float()))[0]


def _tinted(truth: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """`truth` with its own L and one constant (a, b) on every pixel."""
    lightness, _ = split_normalized(torch.from_numpy(truth).permute(2, 0, 1)[None].float())
    constant = normalize_ab(torch.tensor(ab, dtype=torch.float32)).view(1, 2, 1, 1).expand(1, 2, *lightness.shape[-2:])
    return _numpy(join_normalized(lightness, constant))[0]


def mean_true_ab(truths: Sequence[np.ndarray]) -> np.ndarray:
    """The mean (a, b) over every pixel of the true images: the constant-tint baseline's colour."""
    total, count = np.zeros(2), 0
    for truth in truths:
        ab = _lab_ab(truth).reshape(-1, 2)
        total, count = total + ab.sum(0), count + len(ab)
    return total / count


@lru_cache(maxsize=4)
def training_frequencies(data: str) -> np.ndarray:
    """Share of pixels in each ab bin over a seeded draw of WEIGHT_PHOTOS colour photos of `data`'s train split."""
    photos = load_dataset(data, "train").colored().sample(WEIGHT_PHOTOS)
    return ab_frequencies(_lab_ab(photos.images.permute(0, 2, 3, 1).float().div(255).numpy()))


def colour_scores(
    predictions: Sequence[np.ndarray], truths: Sequence[np.ndarray], weights_from: np.ndarray | None
) -> dict[str, float]:
    """Raw and class-rebalanced ab AuC (weights from the set's own true colours and from `weights_from`, when given)."""
    table = sum(ab_error_table(_lab_ab(p), _lab_ab(t)) for p, t in zip(predictions, truths))
    scores = {"auc": ab_auc(table), "auc_rebalanced": ab_auc(table, inverse_frequency(ab_frequencies(table)))}
    if weights_from is not None:
        scores["auc_rebalanced_training"] = ab_auc(table, inverse_frequency(weights_from))
    return scores


def score_pairs(
    predictions: Sequence[np.ndarray], truths: Sequence[np.ndarray], weights_from: np.ndarray | None = None
) -> dict[str, float]:
    """Colour AuC, mean PSNR (dB), SSIM and colorfulness of HWC float [0, 1] predictions against their truths.

    Also the PSNR gain over the gray photo, image by image, with its 95 % bootstrap interval over the
    images ("gain_over_gray", "gain_over_gray_low", "gain_over_gray_high"): a paired comparison, so the
    interval shows whether the gain would hold on another draw of such photos.
    """
    psnrs = np.array([psnr(p, t) for p, t in zip(predictions, truths)])
    gains = psnrs - np.array([psnr(_gray_of(t), t) for t in truths])
    low, high = bootstrap_mean_interval(gains)
    return {
        **colour_scores(predictions, truths, weights_from),
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
    """HWC float [0, 1] images of any sizes as one uint8 batch (N, 3, 64, 64): center-cropped, resized by area."""
    tiles = []
    for image in images:
        height, width = image.shape[:2]
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        square = (
            torch.from_numpy(np.ascontiguousarray(image[top : top + side, left : left + side]))
            .permute(2, 0, 1)[None]
            .float()
        )
        tiles.append(torch.nn.functional.interpolate(square, size=(FEATURE_SIZE, FEATURE_SIZE), mode="area"))
    return (torch.cat(tiles) * 255).round().clamp(0, 255).to(torch.uint8)


FID_COLUMNS = {"fid_tin": "FID-TIN (vs true colors)", "fid_inception": "FID, Inception-v3 (vs true colors)"}


def frechet_to_truth(
    predictions: Sequence[np.ndarray], truths: Sequence[np.ndarray], classifier: TinyImageNetClassifier | str
) -> float:
    """FID-TIN between colorizations and true colours (HWC float [0, 1], any sizes); INCEPTION: Inception-v3 FID."""
    return frechet_distance(feature_tiles(truths), feature_tiles(predictions), classifier)


def fid_scores(
    predictions: Sequence[np.ndarray], truths: Sequence[np.ndarray], classifier: TinyImageNetClassifier | str | None
) -> dict[str, float]:
    """{"fid_inception" or "fid_tin": the distance} for `classifier`; {} when there is none."""
    if classifier is None:
        return {}
    return {
        "fid_inception" if classifier == INCEPTION else "fid_tin": frechet_to_truth(predictions, truths, classifier)
    }


@torch.no_grad()
def classifier_accuracy(
    images: Sequence[np.ndarray], labels: np.ndarray, classifier: TinyImageNetClassifier, batch_size: int = 250
) -> float:
    """Top-1 accuracy of the Tiny ImageNet classifier on HWC float [0, 1] images (the semantic test of Zhang et al.)."""
    tiles = feature_tiles(images)
    device = next(classifier.parameters()).device
    logits = [
        classifier(tiles[s : s + batch_size].to(device).float() / 127.5 - 1).cpu().numpy()
        for s in range(0, len(tiles), batch_size)
    ]
    return top1_accuracy(np.concatenate(logits), labels)


@torch.no_grad()
def colorize_batches(
    model: ChromaGANGenerator | None,
    rgb: torch.Tensor,
    batch_size: int = 250,
    strength: float = DEFAULT_STRENGTH,
    temperature: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(predictions, truths) in [0, 1] on the CPU for uint8 RGB images; model None is the gray baseline."""
    device = next(model.parameters()).device if model is not None else torch.device("cpu")
    predictions, truths = [], []
    for start in range(0, len(rgb), batch_size):
        truth = rgb[start : start + batch_size].to(device).float() / 255
        lightness, ab = split_normalized(truth)
        predicted_ab = torch.zeros_like(ab) if model is None else predict_ab(model, lightness, strength, temperature)
        predictions.append(join_normalized(lightness, predicted_ab).cpu())
        truths.append(join_normalized(lightness, ab).cpu())
    return torch.cat(predictions), torch.cat(truths)


def evaluate_model(
    model: ChromaGANGenerator | None,
    data: str,
    limit: int = 10000,
    size: int | None = None,
    split: str = "test",
    classifier: TinyImageNetClassifier | str | None = None,
    strength: float = DEFAULT_STRENGTH,
    temperature: float | None = None,
    weights_from: np.ndarray | None = None,
) -> dict[str, float]:
    """Scores of `model` on `limit` images (a seeded draw) of `split` of a registered dataset, gray photos left out."""
    held_out = load_dataset(data, split, size).colored().sample(limit)
    if model is not None:
        model.eval()
    started = time.perf_counter()
    predictions, truths = colorize_batches(model, held_out.images, strength=strength, temperature=temperature)
    seconds = (time.perf_counter() - started) / len(held_out)
    predictions, truths = _numpy(predictions), _numpy(truths)
    return {
        **score_pairs(predictions, truths, weights_from),
        "seconds": seconds,
        **fid_scores(predictions, truths, classifier),
    }


def evaluate_photos(
    colorizer: Colorizer | None,
    data: str,
    size: int = DEFAULT_SIZE,
    limit: int | None = None,
    classifier: TinyImageNetClassifier | str | None = None,
    strength: float = DEFAULT_STRENGTH,
    temperature: float | None = None,
    weights_from: np.ndarray | None = None,
) -> dict[str, float]:
    """Scores on whole photos at full resolution through the same `Colorizer` call as the app; None is gray."""
    predictions, truths, seconds = [], [], 0.0
    for file in photo_files(data)[:limit]:
        photo = load_image(file).convert("RGB")
        truth = np.asarray(photo, dtype=np.float64) / 255
        started = time.perf_counter()
        if colorizer is None:
            predictions.append(_gray_of(truth))
        else:
            predictions.append(np.asarray(colorizer(photo, size, strength, temperature).image, dtype=np.float64) / 255)
        seconds += time.perf_counter() - started
        truths.append(truth)
    return {
        **score_pairs(predictions, truths, weights_from),
        "seconds": seconds / max(len(truths), 1),
        **fid_scores(predictions, truths, classifier),
    }


def results_table(rows: dict[str, dict[str, float]]) -> str:
    """A Markdown table of evaluation rows."""
    fid = next((key for key in FID_COLUMNS if any(key in m for m in rows.values())), None)
    training = any("auc_rebalanced_training" in m for m in rows.values())
    semantic = any("top1" in m for m in rows.values())
    header = "| method | AuC raw | AuC rebalanced (set) |" + (" AuC rebalanced (training) |" if training else "")
    header += " PSNR (dB) | PSNR gain over gray (dB, 95 % CI) | SSIM | colorfulness | colorfulness of truth |"
    header += (
        (f" {FID_COLUMNS[fid]} |" if fid else "")
        + (" top-1 of fid-tin-classifier |" if semantic else "")
        + " s/image |"
    )
    lines = [header, "|" + "---|" * header.count(" |")]
    for name, m in rows.items():
        gain = (
            "—"
            if name == GRAY_BASELINE
            else f"{m['gain_over_gray']:+.2f} [{m['gain_over_gray_low']:+.2f}, {m['gain_over_gray_high']:+.2f}]"
        )
        cells = [name, f"{m['auc']:.1f}", f"{m['auc_rebalanced']:.1f}"] + (
            [f"{m['auc_rebalanced_training']:.1f}"] if training else []
        )
        cells += [
            f"{m['psnr']:.2f}",
            gain,
            f"{m['ssim']:.4f}",
            f"{m['colorfulness']:.1f}",
            f"{m['colorfulness_truth']:.1f}",
        ]
        cells += (
            ([f"{m[fid]:.2f}"] if fid else [])
            + ([f"{100 * m['top1']:.1f} %"] if semantic else [])
            + [f"{m.get('seconds', 0):.3f}"]
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fid_network(name: str, device: torch.device) -> TinyImageNetClassifier | str | None:
    """The FID feature network named on the command line: our classifier, INCEPTION (checked loadable), or None."""
    if not name:
        return None
    if name != INCEPTION:
        return fetch(TinyImageNetClassifier, name)[0].to(device).eval()
    try:
        import torch_fidelity  # noqa: F401  (torchmetrics' Inception-v3 comes from it)
    except ImportError as error:
        raise WeightsError(
            f"--fid-classifier {INCEPTION} needs torch-fidelity (pip install torch-fidelity) and a connection for its "
            f"weights; offline, use {FID_TIN_MODEL}."
        ) from error
    return INCEPTION


@dataclass
class EvaluationConfig:
    """What to score, on which data, and how the colour is asked for."""

    models: list[str] = field(default_factory=list)
    data: str = "tiny-imagenet"
    split: str = "test"
    limit: int = 10000
    size: int = 0
    fid_classifier: str = ""
    weights_from: str = TRAINING_DATA
    strength: float = DEFAULT_STRENGTH
    temperature: float = 0.0
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.split not in ("test", "val"):
            raise ConfigError(f"--split must be test or val, got {self.split!r}.")
        if self.limit < 1 or self.size < 0:
            raise ConfigError("--limit must be at least 1 and --size 0 or more.")
        try:
            check_strength(self.strength)
            check_temperature(self.temperature or None)
        except ValueError as error:
            raise ConfigError(str(error)) from error

    @property
    def whole_photos(self) -> bool:
        """Whether the data are whole photos scored one by one at their own size."""
        return self.data in WHOLE_PHOTO_SETS or self.data.startswith("folder:")


HELP = {
    "models": "shipped model names, Hub repo ids or weight folders (default: every shipped colorizer)",
    "data": "a registered dataset (the split of --split), or whole photos: bsds500 (test), photos-val (validation) "
    "or folder:PATH",
    "split": "registered data: test (held-out reporting) or val (choosing between models, as the training runs do)",
    "limit": "most images to score (a seeded random draw)",
    "size": "registered data: side the images are resized to (0: the dataset's own); "
    f"whole photos: the longer side color is predicted at (0: {DEFAULT_SIZE})",
    "fid_classifier": f"FID-TIN feature network: a shipped name (e.g. {FID_TIN_MODEL}), Hub repo id or weights folder "
    f"of training.fid_classifier; {INCEPTION}: the standard Inception-v3 FID instead (online); empty: no FID column. "
    "On tiny-imagenet it also gives the semantic test",
    "weights_from": "training data whose colour frequencies give the second rebalanced AuC "
    "(a registered name; empty: the set's own only)",
    "strength": f"scale of every model's predicted color ({MIN_STRENGTH:g} to {MAX_STRENGTH:g}; the app's strength)",
    "temperature": f"annealed-mean temperature of distribution models ({MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g}; "
    "lower is more vivid; 0: each model's own)",
    "device": "auto, cpu, cuda, cuda:1, mps",
}


def semantic_rows(
    data: str,
    config: EvaluationConfig,
    classifier: TinyImageNetClassifier,
    rows: dict[str, dict[str, float]],
    colorizers: dict,
) -> float:
    """Add each row's top-1 accuracy of the classifier (Tiny ImageNet only); return the true colours' accuracy."""
    held_out = load_dataset(data, config.split, config.size or None).colored().sample(config.limit)
    labels = held_out.labels.numpy()
    for name in rows:
        model = colorizers[name].model if name in colorizers else None
        predictions, truths = colorize_batches(
            model, held_out.images, strength=config.strength, temperature=config.temperature or None
        )
        predictions, truths = _numpy(predictions), _numpy(truths)
        if name == MEAN_TINT:
            tint = mean_true_ab(truths)
            predictions = [_tinted(t, tint) for t in truths]
        rows[name]["top1"] = classifier_accuracy(predictions, labels, classifier)
    return classifier_accuracy(truths, labels, classifier)


def tint_row(
    config: EvaluationConfig, classifier: TinyImageNetClassifier | str | None, weights_from: np.ndarray | None
) -> dict[str, float]:
    """Scores of the constant mean tint: every pixel painted with the set's mean true (a, b), on the set's own L."""
    if config.whole_photos:
        truths = [
            np.asarray(load_image(f).convert("RGB"), dtype=np.float64) / 255
            for f in photo_files(config.data)[: config.limit]
        ]
    else:
        held_out = load_dataset(config.data, config.split, config.size or None).colored().sample(config.limit)
        truths = _numpy(held_out.images.float() / 255)
    tint = mean_true_ab(truths)
    predictions = [_tinted(t, tint) for t in truths]
    return {**score_pairs(predictions, truths, weights_from), **fid_scores(predictions, truths, classifier)}


def main(argv: Sequence[str] | None = None) -> None:
    """Print the held-out table for the gray baseline, the constant mean tint and each model."""
    parser = command_parser("python -m evaluation.colorize", __doc__, (EvaluationConfig, HELP), print_config=False)
    (config, _) = parse_configs(parser, argv, EvaluationConfig)
    if config.whole_photos and config.split != "test":
        parser.error(f"--split applies to registered datasets; {config.data} is scored whole, photo by photo.")
    device = pick_device(config.device)
    temperature = config.temperature or None
    rows: dict[str, dict[str, float]] = {}
    colorizers: dict[str, Colorizer] = {}
    truth_top1 = None
    try:
        classifier = fid_network(config.fid_classifier, device)
        weights_from = training_frequencies(config.weights_from) if config.weights_from else None
        for name in [None, MEAN_TINT, *(config.models or Colorizer.shipped_models())]:
            if name == MEAN_TINT:
                rows[MEAN_TINT] = tint_row(config, classifier, weights_from)
                continue
            colorizer = Colorizer.from_pretrained(name, device=device) if name else None
            if colorizer is not None:
                colorizers[name] = colorizer
            if config.whole_photos:
                scores = evaluate_photos(
                    colorizer,
                    config.data,
                    config.size or DEFAULT_SIZE,
                    config.limit,
                    classifier,
                    config.strength,
                    temperature,
                    weights_from,
                )
            else:
                scores = evaluate_model(
                    colorizer.model if colorizer else None,
                    config.data,
                    config.limit,
                    config.size or None,
                    config.split,
                    classifier,
                    config.strength,
                    temperature,
                    weights_from,
                )
            rows[name or GRAY_BASELINE] = scores
        if config.data == "tiny-imagenet" and isinstance(classifier, TinyImageNetClassifier):
            truth_top1 = semantic_rows(config.data, config, classifier, rows, colorizers)
        count = min(
            config.limit,
            len(photo_files(config.data))
            if config.whole_photos
            else len(load_dataset(config.data, config.split).colored()),
        )
    except (DataError, WeightsError) as error:
        parser.error(str(error))
    where = (
        "whole photos at full resolution"
        if config.whole_photos
        else f"{config.split} split at {config.size or 'native'} px"
    )
    where += f", color strength {config.strength:g}" if config.strength != DEFAULT_STRENGTH else ""
    where += f", temperature {config.temperature:g}" if config.temperature else ""
    kind = "validation" if config.split == "val" or config.data == "photos-val" else "held-out"
    print(f"{config.data}: {count} {kind} images, {where}; {hardware_description(device)}\n")
    print(results_table(rows))
    if config.weights_from:
        print(
            f"\nAuC rebalanced (set): weights from this set's true colours; (training): from {WEIGHT_PHOTOS} photos "
            f"of {config.weights_from} train."
        )
    if truth_top1 is not None:
        print(f"Top-1 of {config.fid_classifier} on the true colours: {100 * truth_top1:.1f} %.")


if __name__ == "__main__":
    main()
