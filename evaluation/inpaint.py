"""Inpainting and super-resolution on held-out images: the latent search against classical methods, in one run.

    python -m evaluation.inpaint --prior inpaint-faces --data utkface --mask center half random
    python -m evaluation.inpaint --prior inpaint-photos --data folder:PATH --mask center

Images: the test split of a registry dataset (default: the prior's own; --split val to choose settings), or every photo
of folder:PATH (its test/ subfolder when present), center-cropped and resized to the prior's content size. For every
mask it prints MSE, PSNR and SSIM (gan.metrics, images in [0, 1], whole image, known pixels included) and seconds per
image of: the latent search with the proposed loss (contextual + gradient term + WGAN critic prior), with Yeh et al.'s
loss (weighted L1 + log(1 - sigmoid D)) and with L-BRGM (Gaussian likelihood + Gaussian latent prior, see
inpaint.search), all Poisson-blended, and with --fill-samples K the Poisson-blended mean of K L-BRGM searches (the
posterior mean); OpenCV Telea and Navier-Stokes; scikit-image biharmonic. Then super-resolution by latent search
(proposed and L-BRGM, each back-projected onto the small image as the app does; with --sr-samples K also the mean of K
L-BRGM searches, the posterior mean) against bicubic upsampling with and without the same back-projection. Results also
go to a JSON file, and with --card into the prior's model card.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from gan.cli import ConfigError, command_parser, config_json, parse_configs
from gan.data import FOLDER_PREFIX, DataError, load_dataset, pad_to, photo_files, read_image, to_unit_range
from gan.device import pick_device
from gan.hardware import hardware_description
from gan.metrics import bootstrap_mean_interval, mse, psnr, ssim
from inpaint.baselines import BASELINES
from inpaint.blend import membrane_fill, poisson_blend
from inpaint.choice import ring_texture, width_at_prior
from inpaint.images import frame, hole_box, resize, to_uint8, unframe
from inpaint.inference import SR_FACTORS, Inpainter
from inpaint.masks import PRESETS, brush_mask, preset_mask, scratch_mask, square_mask
from inpaint.operators import DownsampleOperator, MaskOperator
from inpaint.prior import InpaintPrior
from inpaint.search import SearchConfig, latent_search, solver_config
from inpaint.settings import SR_Z_WEIGHT, recommended_solver

CARD_MARK = "## Inpainting evaluation"
SEARCH_METHODS = {
    "contextual": "latent search, proposed loss",
    "yeh": "latent search, Yeh et al. loss",
    "brgm": "latent search, L-BRGM",
}
LUMA = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
SPLITS = ("test", "val")
AT = ("prior", "photo")
HOLES = ("square-15", "square-20", "square-28", "square-35", "brush", "scratch")
"""Holes of the photo evaluation: centred squares of 15–35 % of the short side, free-hand brush strokes, thin
scratches."""
SCRATCH_THICKNESS = 1 / 100
"""A scratch on a photo at its own size: a hundredth of its short side wide (at least 2 px)."""
REGION_MARGIN = 8
"""PSNR of the photo evaluation is taken over the hole's bounding box grown by this many pixels."""
MEMBRANE = "membrane"
"""The membrane (harmonic) fill, the Poisson blend keeping none of a source's detail: scored beside the classical fills
as a reference, not one of them (a user's tools offer Telea, Navier–Stokes and biharmonic)."""
BSDS_SPLIT_SEED = 0
"""BSDS500's photos are split in halves by this seed's permutation: the first half tests, the second validates (the
default draw of 16 test photos, seed 0, is the permutation's first 16)."""


@dataclass
class EvaluationConfig:
    """What to evaluate on which images, and the search's settings (the same for both losses)."""

    prior: str = "inpaint-fashion-mnist"
    data: str = ""
    at: str = "prior"
    side: int = 0
    photo_context: float = 1.0
    fill_detail: float | None = None
    split: str = "test"
    images: int = 100
    iterations: int = 200
    restarts: int = 4
    alpha: float = SearchConfig.alpha
    beta: float = SearchConfig.beta
    lr: float = SearchConfig.lr
    window: int = SearchConfig.window
    noise_std: float = SearchConfig.noise_std
    sr_factor: int = 4
    sr_z_weight: float = SR_Z_WEIGHT
    sr_samples: int = 1
    fill_samples: int = 1
    seed: int = 0
    threads: int = 1
    device: str = "cpu"
    out: str = ""
    card: bool = False

    def __post_init__(self) -> None:
        if self.images < 1:
            raise ConfigError(f"--images must be at least 1, got {self.images}.")
        if self.at not in AT:
            raise ConfigError(f"--at must be one of {', '.join(AT)}, got {self.at!r}.")
        if self.side < 0:
            raise ConfigError(
                f"--side must be 0 (the photos' own size) or a positive number of pixels, got {self.side}."
            )
        if not (math.isfinite(self.photo_context) and self.photo_context >= 0):
            raise ConfigError(f"--photo-context must be a finite number of at least 0, got {self.photo_context}.")
        if self.fill_detail is not None and not 0 <= self.fill_detail <= 1:
            raise ConfigError(f"--fill-detail must be between 0 and 1, got {self.fill_detail}.")
        if self.split not in SPLITS:
            raise ConfigError(f"--split must be one of {', '.join(SPLITS)}, got {self.split!r}.")
        if self.split != "test" and self.data.startswith(FOLDER_PREFIX):
            raise ConfigError("--split val needs a registry dataset: a folder of photos has no validation split.")
        if self.sr_factor not in (0, *SR_FACTORS):
            raise ConfigError(
                f"--sr-factor must be 0 (skip) or one of {', '.join(map(str, SR_FACTORS))}, got {self.sr_factor}."
            )
        if self.threads < 0:
            raise ConfigError(f"--threads must be 0 or more, got {self.threads}.")
        for flag, value in (("--sr-samples", self.sr_samples), ("--fill-samples", self.fill_samples)):
            if value < 1:
                raise ConfigError(f"{flag} must be at least 1, got {value}.")
        if not (math.isfinite(self.sr_z_weight) and self.sr_z_weight >= 0):
            raise ConfigError(f"--sr-z-weight must be a finite number of at least 0, got {self.sr_z_weight}.")
        self.search()

    def search(self) -> SearchConfig:
        """The search settings (refused with a sentence when they cannot work)."""
        try:
            return SearchConfig(
                alpha=self.alpha,
                beta=self.beta,
                lr=self.lr,
                window=self.window,
                noise_std=self.noise_std,
                iterations=self.iterations,
                restarts=self.restarts,
                seed=self.seed,
            )
        except ValueError as error:
            raise ConfigError(str(error)) from None


HELP = {
    "prior": "shipped prior name, Hub repo id or weights folder",
    "data": (
        "held-out images: a registry dataset's test split, or folder:PATH of photos of any size (default: the prior's "
        "own dataset)"
    ),
    "at": (
        "prior: images at the prior's own size (the method); photo: whole photos at their own size through "
        "Inpainter.inpaint, as the tab calls it (the path users take)"
    ),
    "side": "--at photo: resize every photo so that its longer side has this many pixels (0: its own size)",
    "photo_context": "--at photo: known border around the hole in a photo prior's frame, as a share of the hole's side",
    "fill_detail": (
        "--at photo: share of the fill's own detail the Poisson blend keeps, 0 (the membrane fill) to 1 (default: the "
        "prior's measured setting, inpaint.settings.FILL_DETAILS)"
    ),
    "split": "registry data and bsds500's halves: test (the numbers to report) or val (to choose settings such as a "
    "prior's solver or the fill rule)",
    "images": "number of held-out images (a seeded draw)",
    "iterations": "Adam steps of the latent search",
    "restarts": "random starts per image; the best is kept",
    "alpha": "weight of the critic prior loss",
    "beta": "weight of the gradient term (proposed loss only)",
    "lr": "Adam learning rate on z (eta)",
    "window": "side of the neighbourhood of the weights W (odd)",
    "noise_std": (
        "L-BRGM: standard deviation of the observation noise, in the [-1, 1] pixel scale (the Gaussian likelihood's "
        "sigma)"
    ),
    "sr_factor": "super-resolution factor to evaluate (0: skip)",
    "sr_z_weight": "lambda of ||z||^2 in the super-resolution objective",
    "sr_samples": (
        "also score the mean of this many independent L-BRGM searches per image (the posterior mean: best PSNR, "
        "smoother detail); 1 skips"
    ),
    "fill_samples": (
        "also score the Poisson-blended mean of this many L-BRGM restarts per masked image (the posterior mean: "
        "SearchConfig combine=mean); 1 skips"
    ),
    "seed": "seed of the image choice and of the restarts",
    "threads": "torch CPU threads (0 keeps torch's default)",
    "device": "auto, cpu, cuda, cuda:1, mps",
    "out": "JSON file for the results (default runs/inpaint-eval-<prior>-<data>.json)",
    "card": "also write the tables into the prior's README.md (shipped or folder priors)",
}


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = command_parser("python -m evaluation.inpaint", __doc__, (EvaluationConfig, HELP))
    parser.add_argument(
        "--mask",
        nargs="+",
        choices=PRESETS,
        default=list(PRESETS),
        help="mask presets to evaluate, one or more (default: all)",
    )
    parser.add_argument(
        "--holes", nargs="+", choices=HOLES, default=list(HOLES), help="--at photo: holes to evaluate (default: all)"
    )
    return parser


def to_channels(images: Tensor, channels: int) -> Tensor:
    """uint8 (N, C, H, W) with C converted to `channels`: RGB to luma for a gray prior, gray repeated for an RGB one."""
    if images.shape[1] == channels:
        return images
    if channels == 1:
        return (images.float() * LUMA).sum(1, keepdim=True).round().clamp(0, 255).to(torch.uint8)
    return images.repeat(1, 3, 1, 1)


def held_out_images(prior: InpaintPrior, data: str, count: int, seed: int, split: str = "test") -> Tensor:
    """`count` held-out images of `data` (a registry dataset's `split`, or a folder) at the prior's content size, in its
    frame, in [-1, 1]."""
    side = prior.content_size
    if data.startswith(FOLDER_PREFIX):
        files = photo_files(data)
        if not files:
            raise DataError(f"{data} holds no photos.")
        order = torch.randperm(len(files), generator=torch.Generator().manual_seed(seed))[:count].tolist()
        images = torch.from_numpy(np.stack([read_image(files[i], size=side).transpose(2, 0, 1) for i in order]))
    else:
        images = load_dataset(data, split).sample(count, seed).resized(side).images
    return to_unit_range(pad_to(to_channels(images, prior.channels), prior.image_size))


def to_numpy(images: Tensor) -> list[np.ndarray]:
    """(N, C, H, W) in [-1, 1] -> list of HxW (gray) or HxWxC arrays in [0, 1]."""
    arrays = ((images.detach().float().cpu().clamp(-1, 1) + 1) / 2).numpy().astype(np.float64).transpose(0, 2, 3, 1)
    return [a[..., 0] if a.shape[2] == 1 else a for a in arrays]


def scores(predictions: Sequence[np.ndarray], targets: Sequence[np.ndarray]) -> dict[str, float]:
    """Mean MSE, PSNR and SSIM over image pairs in [0, 1]."""
    return {
        "mse": float(np.mean([mse(p, t) for p, t in zip(predictions, targets)])),
        "psnr": float(np.mean([psnr(p, t) for p, t in zip(predictions, targets)])),
        "ssim": float(np.mean([ssim(p, t) for p, t in zip(predictions, targets)])),
    }


def timed(run: Callable[[], list[np.ndarray]], count: int) -> tuple[list[np.ndarray], float]:
    """Run and return (outputs, seconds per image)."""
    started = time.perf_counter()
    outputs = run()
    return outputs, (time.perf_counter() - started) / count


def evaluate_mask(
    prior: InpaintPrior, images: Tensor, mask: str, config: SearchConfig, samples: int = 1
) -> dict[str, dict[str, float]]:
    """Every method on `images` with the preset `mask` (with `samples` > 1 also the mean of that many L-BRGM searches);
    scores and seconds per image."""
    content = unframe(images, prior)
    side = prior.content_size
    holes = np.stack([preset_mask(mask, side, side, seed=i) for i in range(len(images))])
    hole_tensor = frame(torch.from_numpy(holes).float()[:, None], prior, 0.0).to(images.device)
    truth = to_numpy(content)
    observed = [np.where(h[..., None] if t.ndim == 3 else h, 0.0, t) for t, h in zip(truth, holes)]

    def search(
        loss: str, count: int = 1
    ) -> Callable[[], list[np.ndarray]]:  # count > 1: the mean of that many restarts
        def run() -> list[np.ndarray]:
            operator = MaskOperator(hole_tensor, window=config.window, loss=loss, beta=config.beta)
            searched = (
                replace(config, loss=loss) if count == 1 else replace(config, loss=loss, restarts=count, combine="mean")
            )
            generated = to_numpy(unframe(latent_search(prior, operator, operator(images), searched).images, prior))
            return [np.clip(poisson_blend(g, t, h), 0, 1) for g, t, h in zip(generated, observed, holes)]

        return run

    methods = {name: search(loss) for loss, name in SEARCH_METHODS.items()}
    if samples > 1:
        methods[f"{SEARCH_METHODS['brgm']}, mean of {samples} searches"] = search("brgm", samples)
    methods.update(
        {name: (lambda fn=fn: [fn(o, h) for o, h in zip(observed, holes)]) for name, fn in BASELINES.items()}
    )
    results: dict[str, dict[str, float]] = {}
    for name, run in methods.items():
        outputs, seconds = timed(run, len(images))
        results[name] = {**scores(outputs, truth), "seconds_per_image": seconds}
    return results


def evaluate_super_resolution(
    prior: InpaintPrior, images: Tensor, factor: int, config: SearchConfig, samples: int = 1
) -> dict[str, dict[str, float]]:
    """×`factor` super-resolution by latent search (back-projected, as in the app) against bicubic upsampling."""
    operator = DownsampleOperator(factor)
    low = operator(images)
    truth = to_numpy(unframe(images, prior))

    def search(loss: str, count: int = 1) -> Callable[[], list[np.ndarray]]:
        def run() -> list[np.ndarray]:
            observed = low.repeat_interleave(count, dim=0)
            found = latent_search(
                prior, operator, observed, replace(config, loss=loss, restarts=config.restarts if count == 1 else 1)
            ).images
            enlarged = operator.back_project(found, observed).unflatten(0, (len(images), count)).mean(dim=1)
            return to_numpy(unframe(operator.back_project(enlarged, low), prior))

        return run

    methods = {
        f"latent search ×{factor}, proposed": search("contextual"),
        f"latent search ×{factor}, L-BRGM": search("brgm"),
    }
    if samples > 1:
        methods[f"latent search ×{factor}, L-BRGM, mean of {samples} searches"] = search("brgm", samples)
    methods[f"bicubic ×{factor}"] = lambda: to_numpy(unframe(operator.enlarge(low), prior))
    methods[f"bicubic ×{factor} + back-projection"] = lambda: to_numpy(
        unframe(operator.back_project(operator.enlarge(low), low), prior)
    )
    results = {}
    for name, run in methods.items():
        outputs, seconds = timed(run, len(images))
        results[name] = {**scores(outputs, truth), "seconds_per_image": seconds}
    return results


def photo_hole(kind: str, height: int, width: int, seed: int) -> np.ndarray:
    """The hole `kind` of HOLES for a photo of this size."""
    if kind.startswith("square-"):
        return square_mask(height, width, int(kind.removeprefix("square-")) / 100)
    if kind == "brush":
        return brush_mask(height, width, seed)
    return scratch_mask(height, width, seed, thickness=SCRATCH_THICKNESS)


def whole_photos(data: str, count: int, seed: int, side: int, split: str = "test") -> list[tuple[str, np.ndarray]]:
    """`count` whole photos of `data` (bsds500, photos-val, photos-128's val split or folder:PATH) by a seeded draw, at
    their own size or `side`; of BSDS500, from the half of `split` (BSDS_SPLIT_SEED's permutation: test photos first,
    then val)."""
    files = photo_files(data)
    if not files:
        raise DataError(f"{data} holds no photos.")
    order = torch.randperm(len(files), generator=torch.Generator().manual_seed(seed)).tolist()
    if data == "bsds500":
        place = torch.randperm(len(files), generator=torch.Generator().manual_seed(BSDS_SPLIT_SEED)).argsort()
        order = [i for i in order if (place[i] < len(files) // 2) == (split == "test")]
    order = order[:count]
    photos = []
    for index in order:
        photo = read_image(files[index])
        if side:
            scale = side / max(photo.shape[:2])
            photo = to_uint8(
                np.clip(resize(photo / 255.0, (round(photo.shape[0] * scale), round(photo.shape[1] * scale))), 0, 1)
            )
        photos.append((files[index].name, photo))
    return photos


def region(hole: np.ndarray, margin: int = REGION_MARGIN) -> tuple[slice, slice]:
    """The hole's bounding box grown by `margin` pixels, inside the photo."""
    top, left, bottom, right = hole_box(hole)
    return slice(max(0, top - margin), bottom + margin), slice(max(0, left - margin), right + margin)


def evaluate_photo_hole(
    inpainter: Inpainter, photos: list[tuple[str, np.ndarray]], kind: str, config: SearchConfig
) -> dict:
    """The default fill, the latent search forced, and every classical fill on one hole kind of every photo.

    Each fill is scored as the 8-bit image a user gets, by PSNR over the hole's box grown by REGION_MARGIN px; per
    photo the record keeps the hole's width at the prior's scale, the texture around it and which fill the default
    chose, so the rule can be checked and replayed.
    """
    rows = []
    for index, (name, photo) in enumerate(photos):
        hole = photo_hole(kind, *photo.shape[:2], seed=index)
        box, truth = region(hole), photo / 255.0
        started = time.perf_counter()
        default = inpainter.inpaint(photo, hole, config)
        row = {
            "photo": name,
            "default_seconds": time.perf_counter() - started,
            "default_fill": default.fill,
            "framing": default.framing,
        }
        row["width_at_prior"] = width_at_prior(hole, default.crop, inpainter.model.content_size)
        row["ring_texture"] = ring_texture(photo, hole)
        row["hole_share"] = float(hole.mean())
        scores = {"default": psnr(default.image[box] / 255.0, truth[box])}
        try:
            forced = default if default.fill == "gan" else inpainter.inpaint(photo, hole, config, fill="gan")
            scores["gan"] = psnr(forced.image[box] / 255.0, truth[box])
        except ValueError:
            scores["gan"] = math.nan
        for method, fn in BASELINES.items():  # as 8-bit images, like the default's (biharmonic works in float)
            scores[method] = psnr(to_uint8(fn(truth, hole))[box] / 255.0, truth[box])
        membrane = to_uint8(np.clip(membrane_fill(truth, hole), 0, 1))
        scores[MEMBRANE] = psnr(membrane[box] / 255.0, truth[box])
        row["psnr"] = scores
        rows.append(row)
    return {"rows": rows, "summary": photo_summary(rows)}


def photo_summary(rows: list[dict]) -> dict:
    """Mean PSNR per fill, the default's and the search's gain over the best classical fill, and the default's over
    the membrane fill (with 95 % intervals)."""
    methods = list(rows[0]["psnr"])
    table = {m: np.array([r["psnr"][m] for r in rows]) for m in methods}
    classical = [m for m in methods if m in BASELINES]
    best = max(classical, key=lambda m: table[m].mean())
    summary = {m: float(np.nanmean(v)) for m, v in table.items()}
    summary["best_classical"] = best
    pairs = {"default": ("default", best), "gan": ("gan", best), "default_vs_membrane": ("default", MEMBRANE)}
    for name, (method, reference) in pairs.items():
        gain = table[method] - table[reference]
        gain = gain[np.isfinite(gain)]
        summary[f"{name}_gain"] = float(gain.mean()) if len(gain) else math.nan
        summary[f"{name}_gain_interval"] = (
            list(bootstrap_mean_interval(gain)) if len(gain) > 1 else [math.nan, math.nan]
        )
    summary["default_gan_share"] = float(np.mean([r["default_fill"] == "gan" for r in rows]))
    summary["default_seconds"] = float(np.mean([r["default_seconds"] for r in rows]))
    return summary


def photo_table(title: str, summary: dict) -> str:
    """One hole kind's results in Markdown."""
    best = summary["best_classical"]
    lines = [f"**{title}**", "", "| fill | PSNR (dB) | vs best classical (95 % interval) |", "|---|---|---|"]
    for method, label in (
        ("default", f"default (GAN on {summary['default_gan_share']:.0%} of holes)"),
        ("gan", "GAN forced"),
    ):
        low, high = summary[f"{method}_gain_interval"]
        lines.append(
            f"| {label} | {summary[method]:.2f} | {summary[f'{method}_gain']:+.2f} [{low:+.2f}, {high:+.2f}] |"
        )
    for method in BASELINES:
        lines.append(
            f"| {method}{' (best classical)' if method == best else ''} | {summary[method]:.2f} | "
            f"{summary[method] - summary[best]:+.2f} |"
        )
    low, high = summary["default_vs_membrane_gain_interval"]
    lines.append(
        f"| {MEMBRANE} (reference; default − {MEMBRANE}: {summary['default_vs_membrane_gain']:+.2f} "
        f"[{low:+.2f}, {high:+.2f}]) | {summary[MEMBRANE]:.2f} | {summary[MEMBRANE] - summary[best]:+.2f} |"
    )
    lines.append(f"\nDefault fill: {summary['default_seconds']:.2f} s a photo.")
    return "\n".join(lines)


def photo_main(
    config: EvaluationConfig, holes: Sequence[str], inpainter: Inpainter, data: str
) -> tuple[list[str], dict]:
    """The photo evaluation (--at photo): every hole kind on the photos, as tables and a record."""
    inpainter.photo_context = config.photo_context
    if config.fill_detail is not None:
        inpainter.detail = config.fill_detail
    photos = whole_photos(data, config.images, config.seed, config.side, config.split)
    search = solver_config(
        recommended_solver(inpainter.name),
        iterations=config.iterations,
        restarts=config.restarts,
        seed=config.seed,
        noise_std=config.noise_std,
        lr=config.lr,
    )
    sizes = sorted({f"{p.shape[1]}×{p.shape[0]}" for _, p in photos})
    header = (
        f"Prior `{config.prior}` ({inpainter.source}); {len(photos)} photos of `{data}` at "
        f"{', '.join(sizes[:3])}{' …' if len(sizes) > 3 else ''}, through Inpainter.inpaint as the tab calls it "
        f"({recommended_solver(inpainter.name)}, {search.iterations} steps × {search.restarts} restarts); PSNR over "
        f"the hole's box grown by {REGION_MARGIN} px; {hardware_description(inpainter.device)}."
    )
    print(header, flush=True)
    tables, record = [header], {"results": {}}
    for kind in holes:
        results = evaluate_photo_hole(inpainter, photos, kind, search)
        record["results"][kind] = results
        tables.append(photo_table(f"hole: {kind}", results["summary"]))
        print("\n" + tables[-1], flush=True)
    return tables, record


def markdown_table(title: str, results: dict[str, dict[str, float]]) -> str:
    """One results table in Markdown."""
    lines = [f"**{title}**", "", "| method | MSE | PSNR (dB) | SSIM | s / image |", "|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['mse']:.4f} | {r['psnr']:.2f} | {r['ssim']:.3f} | {r['seconds_per_image']:.3f} |")
    return "\n".join(lines)


def update_card(readme: Path, text: str) -> None:
    """Replace (or append) the evaluation section of a model card."""
    card = readme.read_text()
    card = re.split(rf"\n{re.escape(CARD_MARK)}", card)[0].rstrip("\n")
    readme.write_text(f"{card}\n\n{CARD_MARK}\n\n{text}\n")


def prior_main(
    config: EvaluationConfig, masks: Sequence[str], inpainter: Inpainter, data: str, search: SearchConfig
) -> tuple[list[str], dict]:
    """The evaluation at the prior's size (--at prior): every mask preset, then super-resolution, as tables and a
    record."""
    prior = inpainter.model
    images = held_out_images(prior, data, config.images, config.seed, config.split).to(inpainter.device)
    header = (
        f"Prior `{config.prior}` ({inpainter.source}); {len(images)} held-out `{data}` images "
        f"({config.split if not data.startswith(FOLDER_PREFIX) else 'folder'}) at "
        f"{prior.content_size}×{prior.content_size}; "
        f"search: {search.iterations} Adam steps, lr {search.lr}, {search.restarts} restarts, alpha {search.alpha}, "
        f"beta {search.beta}, window {search.window}, L-BRGM noise_std {search.noise_std}; "
        f"{hardware_description(inpainter.device)}."
    )
    print(header)
    tables, record = [header], {"masks": list(masks), "results": {}}
    for mask in masks:
        results = evaluate_mask(prior, images, mask, search, config.fill_samples)
        record["results"][mask] = results
        tables.append(markdown_table(f"mask: {mask}", results))
        print("\n" + tables[-1], flush=True)
    if config.sr_factor:
        results = evaluate_super_resolution(
            prior, images, config.sr_factor, replace(search, z_weight=config.sr_z_weight), config.sr_samples
        )
        record["results"][f"sr-x{config.sr_factor}"] = results
        tables.append(
            markdown_table(f"super-resolution ×{config.sr_factor} (proposed: lambda {config.sr_z_weight})", results)
        )
        print("\n" + tables[-1], flush=True)
    return tables, record


def main(argv: Sequence[str] | None = None) -> None:
    """Evaluate from the command line and print the tables."""
    parser = build_parser()
    (config, args) = parse_configs(parser, argv, EvaluationConfig)
    if args.print_config:
        print(config_json(config))
        return
    if config.threads:
        torch.set_num_threads(config.threads)
    search = config.search()
    started = time.perf_counter()
    try:
        device = pick_device(config.device)
        inpainter = Inpainter.from_pretrained(config.prior, device=device)
        data = config.data or inpainter.model.dataset
        if config.at == "photo":
            tables, record = photo_main(config, args.holes, inpainter, data)
        else:
            tables, record = prior_main(config, args.mask, inpainter, data, search)
    except ValueError as error:
        parser.error(str(error))
    record.update({"config": json.loads(config_json(config)), "data": data, "source": str(inpainter.source)})
    record["minutes"] = (time.perf_counter() - started) / 60
    tables.append(f"Whole run: {record['minutes']:.1f} minutes.")
    print("\n" + tables[-1])
    out = Path(
        config.out
        or f"runs/inpaint-eval-{config.at}-{Path(config.prior).name}-{Path(data.removeprefix(FOLDER_PREFIX)).name}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2))
    folder = inpainter.source.path if inpainter.source.kind in ("folder", "bundled") else None
    if config.card and folder is not None:
        command = " ".join(sys.argv[1:] if argv is None else argv)
        update_card(Path(folder) / "README.md", f"`python -m evaluation.inpaint {command}`\n\n" + "\n\n".join(tables))


if __name__ == "__main__":
    main()
