"""Seconds per photo and peak memory of colorization at growing sizes, next to OpenCV's Lab conversion.

    python -m bench.colorize_speed [--model colorgan-chromagan] [--device auto] [--repeats 5]

Each size runs in a fresh process so that the peak memory is that size's own (resident set on
CPU, allocator peak on CUDA). The OpenCV row converts RGB -> Lab -> RGB only: the floor any
Lab-based colorizer pays before running a network. The peer a user would otherwise pick, OpenCV's DNN
colorizer (Zhang et al. 2016, Caffe weights), is not in the table: its weights are a download this
offline machine cannot make.
"""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from PIL import Image

from colorgan.inference import Colorizer
from colorgan.settings import DEFAULT_SIZE
from gan.cli import ConfigError, command_parser, parse_configs, require_at_least_one
from gan.device import pick_device
from gan.hardware import hardware_description

SIDES = (256, 512, 1024, 2048)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(task: tuple[str, int, str, str, int, int, int]) -> dict[str, float]:
    method, side, model_name, device_name, repeats, size, threads = task
    torch.set_num_threads(threads)
    photo = np.random.default_rng(0).integers(0, 255, (side, side), dtype=np.uint8)
    device = pick_device(device_name)
    if method == "opencv":
        rgb = cv2.cvtColor(photo, cv2.COLOR_GRAY2RGB).astype(np.float32) / 255
        run = lambda: cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab), cv2.COLOR_Lab2RGB)  # noqa: E731
    else:
        colorizer = Colorizer.from_pretrained(model_name, device=device)
        image = Image.fromarray(photo)
        run = lambda: colorizer(image, size)  # noqa: E731
    baseline = _peak_rss_mb()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - started)
    memory = (
        torch.cuda.max_memory_allocated(device) / 2**20
        if device.type == "cuda" and method != "opencv"
        else _peak_rss_mb() - baseline
    )
    return {"seconds": statistics.median(times), "memory_mb": memory}


@dataclass
class SpeedConfig:
    """What to time and how often."""

    model: str = ""
    device: str = "auto"
    repeats: int = 5
    size: int = DEFAULT_SIZE
    threads: int = 2


HELP = {
    "model": "model to time (shipped name, Hub repo id or folder; empty: the shipped default)",
    "device": "auto, cpu, cuda",
    "repeats": "timed runs per size (median reported)",
    "size": "color prediction size passed to the colorizer",
    "threads": "torch CPU threads",
}


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = command_parser("python -m bench.colorize_speed", __doc__, (SpeedConfig, HELP), print_config=False)
    args, _ = parse_configs(parser, argv, SpeedConfig)
    try:
        require_at_least_one(args, "repeats", "size", "threads")
    except ConfigError as error:
        parser.error(str(error))
    args.model = args.model or Colorizer.default_model()
    device = pick_device(args.device)
    context = multiprocessing.get_context("spawn")
    torch.set_num_threads(args.threads)
    print(f"Device: {hardware_description(device)}, prediction size {args.size}\n")
    print("| photo | method | seconds / photo | peak memory (MB) |\n|---|---|---|---|")
    for side in SIDES:
        for method in ("colorgan", "opencv"):
            with context.Pool(1) as pool:
                result = pool.map(
                    _measure, [(method, side, args.model, str(device), args.repeats, args.size, args.threads)]
                )[0]
            label = f"{args.model} colorize" if method == "colorgan" else "OpenCV Lab round trip (floor)"
            print(f"| {side}×{side} | {label} | {result['seconds']:.4f} | {result['memory_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
