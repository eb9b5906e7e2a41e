"""Seconds per photo and peak memory of colorization at growing sizes, next to OpenCV's Lab conversion.

    python -m bench.colorize_speed [--model colorgan-chromagan] [--device auto] [--repeats 5]

Each size runs in a fresh process so that the peak memory is that size's own (resident set on
CPU, allocator peak on CUDA). The OpenCV row converts RGB -> Lab -> RGB only: the floor any
Lab-based colorizer pays before running a network. The peer a user would otherwise pick, OpenCV's DNN
colorizer (Zhang et al. 2016, Caffe weights), is not in the table: its weights are a download this
offline machine cannot make.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import time

import cv2
import numpy as np
import torch
from PIL import Image

from colorgan.inference import DEFAULT_SIZE, colorize, load_colorizer
from colorgan.models import DEFAULT_MODEL
from gan.device import pick_device

SIDES = (256, 512, 1024, 2048)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(task: tuple[str, int, str, str, int, int]) -> dict[str, float]:
    method, side, model_name, device_name, repeats, size = task
    photo = np.random.default_rng(0).integers(0, 255, (side, side), dtype=np.uint8)
    device = pick_device(device_name)
    if method == "opencv":
        rgb = cv2.cvtColor(photo, cv2.COLOR_GRAY2RGB).astype(np.float32) / 255
        run = lambda: cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab), cv2.COLOR_Lab2RGB)  # noqa: E731
    else:
        model, _ = load_colorizer(model_name, device)
        image = Image.fromarray(photo)
        run = lambda: colorize(image, model, size)  # noqa: E731
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
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" and method != "opencv" else _peak_rss_mb() - baseline
    return {"seconds": statistics.median(times), "memory_mb": memory}


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.colorize_speed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model to time (shipped name, Hub repo id or folder)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per size (median reported)")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="color prediction size passed to colorize")
    args = parser.parse_args()
    device = pick_device(args.device)
    context = multiprocessing.get_context("spawn")
    print(f"Device: {torch.cuda.get_device_name(device) if device.type == 'cuda' else 'CPU'}, torch threads {torch.get_num_threads()}, prediction size {args.size}\n")
    print("| photo | method | seconds / photo | peak memory (MB) |\n|---|---|---|---|")
    for side in SIDES:
        for method in ("colorgan", "opencv"):
            with context.Pool(1) as pool:
                result = pool.map(_measure, [(method, side, args.model, str(device), args.repeats, args.size)])[0]
            label = f"{args.model} colorize" if method == "colorgan" else "OpenCV Lab round trip (floor)"
            print(f"| {side}×{side} | {label} | {result['seconds']:.4f} | {result['memory_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
