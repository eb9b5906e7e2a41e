"""Benchmark HistoryAD against the baselines on the current device: training and scoring speed, one table.

    python -m bench.anomaly [--device auto] [--steps 10] [--train-images 5000] [--test-images 2000]

HistoryAD's training seconds per epoch are measured over `--steps` steps of each phase and scaled to
one pass over the normal training images (a WGAN-GP generator step consumes n_critic batches, a D_TV
step one batch). Baselines are fitted on `--train-images` images. Scoring is images per second.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import torch

from anomaly.baselines import BASELINES
from anomaly.data import one_vs_rest
from anomaly.experiment import HistoryADConfig, critic_anomaly_scores, train_historyad
from gan.device import pick_device


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of `python -m bench.anomaly`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto", help="torch device for HistoryAD: auto, cpu, cuda, mps (baselines always run on CPU)")
    parser.add_argument("--steps", type=int, default=10, help="steps of each HistoryAD phase to time")
    parser.add_argument("--train-images", type=int, default=5000, help="normal Fashion-MNIST images (HistoryAD epoch size, baselines' fit set)")
    parser.add_argument("--test-images", type=int, default=2000, help="test images to score")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Time everything and print the table."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    split = one_vs_rest("fashion-mnist", 0, train_limit=args.train_images, test_limit=args.test_images)
    config = HistoryADConfig(gan_steps=args.steps, snapshot_every=1, dtv_steps=args.steps, device=str(device), run_dir="runs/bench-anomaly")
    trained = train_historyad(split, config)
    n_train, test = len(split.train), split.test_tensor()
    gan_epoch = trained.seconds["gan"] / args.steps * n_train / (config.batch_size * config.n_critic)
    dtv_epoch = trained.seconds["dtv"] / args.steps * n_train / config.batch_size
    rows = []
    started = time.perf_counter()
    trained.model.score(test)
    rows.append(("historyad (−D_TV)", f"{gan_epoch:.1f} s/epoch WGAN-GP + {dtv_epoch:.1f} s/epoch D_TV", len(test) / (time.perf_counter() - started)))
    started = time.perf_counter()
    critic_anomaly_scores(trained.last_critic, test)
    rows.append(("wgan-critic-last", f"{gan_epoch:.1f} s/epoch WGAN-GP", len(test) / (time.perf_counter() - started)))
    normal_rows, test_rows = split.normal_tensor().reshape(n_train, -1).numpy(), test.reshape(len(test), -1).numpy()
    for name, cls in BASELINES.items():
        started = time.perf_counter()
        detector = cls(seed=0).fit(normal_rows)
        fit = time.perf_counter() - started
        started = time.perf_counter()
        detector.score(test_rows)
        rows.append((name, f"{fit:.1f} s fit on {n_train} images", len(test) / (time.perf_counter() - started)))
    print(f"device: {device}, torch threads: {args.threads}, {n_train} normal training images, {len(test)} test images, 32x32 gray, DCGAN width {config.base_channels}")
    print("| method | training | scoring (images/s) |\n|---|---|---|")
    for name, training, speed in rows:
        print(f"| {name} | {training} | {speed:,.0f} |")


if __name__ == "__main__":
    main()
