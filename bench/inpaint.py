"""Benchmark inpainting speed on the path users take: one photo at 512 px through `Inpainter.inpaint`, as the tab does.

    python -m bench.inpaint [--priors inpaint-faces,inpaint-photos] [--threads 2] [--side 512]

For each prior one example photo (the portrait of Grace Hopper for a face prior, the rocket for the others),
resized to --side pixels on its longer side, gets a centred square hole of 20 % of its short side (on the face for
the portrait) and is filled with the tab's defaults: the default fill (the measured rule: here the latent search,
framed, enlarged and Poisson-blended) and the GAN fill forced, each the median of --repeats runs from the click to
the result (face detection, classical pre-fill, search, blend). OpenCV Telea and Navier-Stokes and scikit-image
biharmonic fill the same hole.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from gan.cli import ConfigError, command_parser, config_json, parse_configs
from gan.hardware import hardware_description
from inpaint.baselines import BASELINES
from inpaint.images import resize, to_uint8
from inpaint.inference import Inpainter
from inpaint.masks import square_mask
from inpaint.search import solver_config
from inpaint.settings import EXAMPLES_DIR, SEARCH_ITERATIONS, SEARCH_RESTARTS, recommended_solver


@dataclass
class BenchConfig:
    """What to time, how often, on how many threads."""

    priors: str = "inpaint-faces,inpaint-photos"
    side: int = 512
    iterations: int = SEARCH_ITERATIONS
    restarts: int = SEARCH_RESTARTS
    repeats: int = 3
    threads: int = 2

    def __post_init__(self) -> None:
        for name in ("side", "iterations", "restarts", "repeats", "threads"):
            if getattr(self, name) < 1:
                raise ConfigError(f"--{name} must be at least 1, got {getattr(self, name)}.")


HELP = {
    "priors": "priors to time, comma-separated: shipped names, Hub repo ids or folders",
    "side": "longer side of the photo, in pixels",
    "iterations": "Adam steps of the latent search (default: the tab's)",
    "restarts": "restarts searched in one batch (default: the tab's)",
    "repeats": "runs of each fill; the median is reported",
    "threads": "torch CPU threads",
}
FACE_HOLE_CENTRE = (0.43, 0.52)
"""Where the hole sits on the portrait (share of height, width): on the face."""


def photo_and_hole(face: bool, side: int) -> tuple[np.ndarray, np.ndarray]:
    """The benchmark photo at `side` px and its hole: a square of 20 % of its short side (on the portrait's face)."""
    name = "grace-hopper.jpg" if face else "rocket.png"
    image = np.asarray(Image.open(EXAMPLES_DIR / name).convert("RGB")) / 255.0
    scale = side / max(image.shape[:2])
    photo = to_uint8(np.clip(resize(image, (round(image.shape[0] * scale), round(image.shape[1] * scale))), 0, 1))
    hole = square_mask(*photo.shape[:2], 0.2)
    if face:
        shift = (
            round(photo.shape[0] * (FACE_HOLE_CENTRE[0] - 0.5)),
            round(photo.shape[1] * (FACE_HOLE_CENTRE[1] - 0.5)),
        )
        hole = np.roll(hole, shift, axis=(0, 1))
    return photo, hole


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
    parser = command_parser("python -m bench.inpaint", __doc__, (BenchConfig, HELP))
    (config, args) = parse_configs(parser, argv, BenchConfig)
    if args.print_config:
        print(config_json(config))
        return
    torch.set_num_threads(config.threads)
    rows = []
    for name in config.priors.split(","):
        try:
            inpainter = Inpainter.from_pretrained(name)
        except ValueError as error:
            parser.error(str(error))
        search = solver_config(
            recommended_solver(name),
            iterations=config.iterations,
            restarts=config.restarts,
            report_every=config.iterations,
        )
        photo, hole = photo_and_hole(inpainter.is_face_prior, config.side)
        size = f"{photo.shape[1]}×{photo.shape[0]}"
        inpainter.inpaint(photo, hole, search)  # warm-up: detector and allocator
        default = inpainter.inpaint(photo, hole, search)
        seconds = median_seconds(lambda: inpainter.inpaint(photo, hole, search), config.repeats)
        rows.append((f"default fill ({default.fill}, {default.framing} frame), {name}", size, f"{seconds:.2f}"))
        seconds = median_seconds(lambda: inpainter.inpaint(photo, hole, search, fill="gan"), config.repeats)
        rows.append((f"GAN fill forced ({recommended_solver(name)}), {name}", size, f"{seconds:.2f}"))
        unit = photo / 255.0
        for baseline, fn in BASELINES.items():
            rows.append(
                (
                    f"{baseline}, same photo and hole",
                    size,
                    f"{median_seconds(lambda: fn(unit, hole), config.repeats):.3f}",
                )
            )
    print(
        f"{hardware_description()}, {config.threads} torch thread(s); latent search {config.iterations} iterations × "
        f"{config.restarts} restarts (one batch); hole: a square of 20 % of the short side; "
        f"median of {config.repeats} runs\n"
    )
    print("| fill | photo | seconds to result |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
