"""Inpainting and super-resolution on held-out test images: the latent search against classical methods.

    python -m inpaint.evaluate --prior inpaint-cifar10 --mask center random half

For every mask it prints MSE, PSNR and SSIM (gan.metrics, images in [0, 1], measured on the whole
image content, known pixels included) of: the proposed loss (contextual + gradient term + WGAN
critic prior), the Yeh et al. loss (weighted L1 + log(1 - sigmoid D)), both Poisson-blended,
OpenCV Telea and Navier-Stokes, and scikit-image biharmonic inpainting; then super-resolution by
latent search against bicubic upsampling. Results also go to a JSON file, and with --card into
the prior's model card.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from gan.data import load_dataset, to_unit_range
from gan.hub import WEIGHTS_ROOT
from gan.metrics import mse, psnr, ssim
from inpaint.baselines import BASELINES
from inpaint.blend import poisson_blend
from inpaint.masks import PRESETS, preset_mask
from inpaint.operators import DownsampleOperator, MaskOperator
from inpaint.images import frame, unframe
from inpaint.inference import SR_Z_WEIGHT, Inpainter
from inpaint.prior import InpaintPrior, to_frame
from inpaint.search import SearchConfig, latent_search

CARD_MARK = "## Inpainting evaluation"


def held_out_images(prior: InpaintPrior, count: int, seed: int) -> Tensor:
    """`count` random test-split images of the prior's dataset in its frame, in [-1, 1]."""
    test = load_dataset(prior.dataset, "test").sample(count, seed)
    images, _ = to_frame(test.images, prior.image_size)
    return to_unit_range(images)


def to_numpy(images: Tensor) -> list[np.ndarray]:
    """(N, C, H, W) in [-1, 1] -> list of HxW (gray) or HxWxC arrays in [0, 1]."""
    arrays = ((images.detach().cpu().clamp(-1, 1) + 1) / 2).numpy().astype(np.float64).transpose(0, 2, 3, 1)
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


def evaluate_mask(prior: InpaintPrior, images: Tensor, mask: str, config: SearchConfig) -> dict[str, dict[str, float]]:
    """Every method on `images` with the preset `mask`; per method its scores and seconds per image."""
    content = unframe(images, prior)
    side = prior.content_size
    holes = np.stack([preset_mask(mask, side, side, seed=i) for i in range(len(images))])
    hole_tensor = frame(torch.from_numpy(holes).float()[:, None], prior, 0.0)
    truth = to_numpy(content)
    observed = [np.where(h[..., None] if t.ndim == 3 else h, 0.0, t) for t, h in zip(truth, holes)]
    results: dict[str, dict[str, float]] = {}

    def search(loss: str) -> Callable[[], list[np.ndarray]]:
        def run() -> list[np.ndarray]:
            operator = MaskOperator(hole_tensor, window=config.window, loss=loss, beta=config.beta)
            state = latent_search(prior, operator, operator(images), replace(config, loss=loss))
            generated = to_numpy(unframe(state.images, prior))
            return [np.clip(poisson_blend(g, t, h), 0, 1) for g, t, h in zip(generated, observed, holes)]

        return run

    methods = {"latent search, proposed loss": search("contextual"), "latent search, Yeh et al. loss": search("yeh")}
    methods.update({name: (lambda fn=fn: [fn(o, h) for o, h in zip(observed, holes)]) for name, fn in BASELINES.items()})
    for name, run in methods.items():
        outputs, seconds = timed(run, len(images))
        results[name] = {**scores(outputs, truth), "seconds_per_image": seconds}
    return results


def evaluate_super_resolution(prior: InpaintPrior, images: Tensor, factor: int, config: SearchConfig) -> dict[str, dict[str, float]]:
    """x`factor` super-resolution by latent search against bicubic upsampling."""
    operator = DownsampleOperator(factor)
    low = operator(images)
    truth = to_numpy(unframe(images, prior))

    def search() -> list[np.ndarray]:
        return to_numpy(unframe(latent_search(prior, operator, low, config).images, prior))

    def bicubic() -> list[np.ndarray]:
        return to_numpy(unframe(F.interpolate(low, scale_factor=factor, mode="bicubic", align_corners=False), prior))

    results = {}
    for name, run in {f"latent search x{factor}": search, f"bicubic x{factor}": bicubic}.items():
        outputs, seconds = timed(run, len(images))
        results[name] = {**scores(outputs, truth), "seconds_per_image": seconds}
    return results


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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    defaults = SearchConfig(iterations=200, restarts=4)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prior", default="inpaint-fashion-mnist", help="bundled prior name, Hub repo id or weights folder")
    parser.add_argument("--mask", nargs="+", choices=PRESETS, default=list(PRESETS), help="mask presets to evaluate (one or more)")
    parser.add_argument("--images", type=int, default=100, help="number of held-out test images")
    parser.add_argument("--iterations", type=int, default=defaults.iterations, help="Adam steps of the latent search")
    parser.add_argument("--restarts", type=int, default=defaults.restarts, help="random starts per image; the best is kept")
    parser.add_argument("--alpha", type=float, default=defaults.alpha, help="weight of the critic prior loss")
    parser.add_argument("--beta", type=float, default=defaults.beta, help="weight of the gradient term (proposed loss only)")
    parser.add_argument("--lr", type=float, default=defaults.lr, help="Adam learning rate on z (eta)")
    parser.add_argument("--window", type=int, default=defaults.window, help="side of the neighbourhood of the weights W (odd)")
    parser.add_argument("--sr-factor", type=int, default=4, choices=(0, 2, 4), help="super-resolution factor to evaluate (0: skip)")
    parser.add_argument("--sr-z-weight", type=float, default=SR_Z_WEIGHT, help="lambda of ||z||^2 in the super-resolution objective")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image choice and of the restarts")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--out", help="JSON file for the results (default runs/inpaint-eval-<prior>.json)")
    parser.add_argument("--card", action="store_true", help="also write the tables into the prior's README.md (bundled or folder priors)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Evaluate from the command line and print the tables."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    inpainter = Inpainter.from_pretrained(args.prior)
    prior, source = inpainter.model, str(inpainter.source)
    config = SearchConfig(alpha=args.alpha, beta=args.beta, lr=args.lr, window=args.window, iterations=args.iterations, restarts=args.restarts, seed=args.seed)
    images = held_out_images(prior, args.images, args.seed)
    started = time.perf_counter()
    header = (
        f"Prior `{args.prior}` ({source}); {len(images)} held-out `{prior.dataset}` test images; "
        f"search: {config.iterations} Adam steps, lr {config.lr}, {config.restarts} restarts, alpha {config.alpha}, "
        f"beta {config.beta}, window {config.window}; CPU, {args.threads} thread(s)."
    )
    print(header)
    tables, record = [header], {"prior": args.prior, "source": source, "images": len(images), "config": asdict(config), "results": {}}
    for mask in args.mask:
        results = evaluate_mask(prior, images, mask, config)
        record["results"][mask] = results
        tables.append(markdown_table(f"mask: {mask}", results))
        print("\n" + tables[-1], flush=True)
    if args.sr_factor:
        sr_config = replace(config, z_weight=args.sr_z_weight)
        results = evaluate_super_resolution(prior, images, args.sr_factor, sr_config)
        record["results"][f"sr-x{args.sr_factor}"] = results
        tables.append(markdown_table(f"super-resolution x{args.sr_factor} (lambda {args.sr_z_weight})", results))
        print("\n" + tables[-1], flush=True)
    record["minutes"] = (time.perf_counter() - started) / 60
    tables.append(f"Whole run: {record['minutes']:.1f} minutes.")
    print("\n" + tables[-1])
    out = Path(args.out or f"runs/inpaint-eval-{Path(args.prior).name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2))
    folder = Path(args.prior) if source.startswith("folder") else WEIGHTS_ROOT / args.prior if source.startswith("bundled") else None
    if args.card and folder is not None:
        readme = folder / "README.md"
        command = " ".join(sys.argv[1:] if argv is None else argv)
        update_card(readme, f"`python -m inpaint.evaluate {command}`\n\n" + "\n\n".join(tables))


if __name__ == "__main__":
    main()
