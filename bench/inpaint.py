"""Benchmark inpainting speed: the latent search of each shipped prior next to the classical baselines.

    python -m bench.inpaint [--priors inpaint-fashion-mnist inpaint-faces] [--threads 1]

For each prior, one held-out test image at the prior's size with the center hole is filled through
the whole pipeline (crop, latent search with the tab's iterations and restarts and the prior's default
solver, Poisson blend), as the Inpaint tab does. Latent-search iterations per second count Adam steps over the batch of
restarts; seconds to result include the blend. OpenCV Telea and Navier-Stokes and scikit-image
biharmonic inpaint the same image and hole.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

from gan.data import load_dataset
from gan.hardware import hardware_description
from inpaint.baselines import BASELINES
from inpaint.inference import Inpainter
from inpaint.masks import preset_mask
from inpaint.search import SearchConfig, solver_config
from inpaint.settings import recommended_solver


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of `python -m bench.inpaint`."""
    defaults = SearchConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--priors", nargs="+", default=Inpainter.shipped_models(), help="priors to time: shipped names (default: all of weights/hub.json), Hub repo ids or folders")
    parser.add_argument("--iterations", type=int, default=defaults.iterations, help="Adam steps of the latent search (default: the tab's)")
    parser.add_argument("--restarts", type=int, default=defaults.restarts, help="random restarts searched in one batch (default: the tab's)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each classical baseline; the median is reported")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    return parser.parse_args(argv)


def first_test_image(dataset: str) -> np.ndarray:
    """The first test-split image of `dataset` as HxWx3 uint8 at its own size."""
    image = load_dataset(dataset, "test").images[0].numpy().transpose(1, 2, 0)
    return np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall-clock seconds of `repeats` calls of `run`."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def main(argv: Sequence[str] | None = None) -> None:
    """Time every prior and baseline and print one Markdown table."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = []
    for name in args.priors:
        solver = recommended_solver(name)
        config = solver_config(solver, iterations=args.iterations, restarts=args.restarts, report_every=args.iterations)
        inpainter = Inpainter.from_pretrained(name)
        image = first_test_image(inpainter.model.dataset)
        hole = preset_mask("center", *image.shape[:2])
        seconds = inpainter.inpaint(image, hole, config).seconds
        size = f"{image.shape[1]}×{image.shape[0]}"
        rows.append((f"latent search ({solver}), {name}", size, f"{args.iterations / seconds:.1f}", f"{seconds:.2f}"))
        unit = image.astype(np.float64) / 255.0
        for baseline, fn in BASELINES.items():
            rows.append((f"{baseline}, same image", size, "—", f"{median_seconds(lambda: fn(unit, hole), args.repeats):.4f}"))
    print(
        f"{hardware_description()}; latent search with {args.iterations} iterations × {args.restarts} restarts "
        f"(one batch), center hole, crop + search + Poisson blend; baselines: median of {args.repeats} runs\n"
    )
    print("| method | image | search it/s | seconds to result |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
