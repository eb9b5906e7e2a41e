"""Benchmark HistoryAD here: training and scoring speed against the PyOD baselines, and the Anomaly tab's live run.

    python -m bench.anomaly [--device auto] [--steps 10] [--train-images 5000] [--test-images 2000] [--threads 1]
    python -m bench.anomaly --live quick --live-classes 1 --threads 2     # the tab's default live run, timed

HistoryAD's seconds per epoch are measured over `--steps` steps of each phase and scaled to one pass
over the normal training images (a WGAN-GP generator step consumes n_critic batches, a D_TV step one
batch). Baselines are fitted on `--train-images` images. Scoring is images per second. With `--live`, the
live run of the tab is timed as a visitor starts it (from the split's loading to the last update) for each
class of `--live-classes`, with its final AUROC on the tab's held-out test images. The hardware line is
measured (device name, or CPU model and torch threads); with `--live`, the load average is printed beside it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from anomaly.baselines import BASELINES
from anomaly.data import one_vs_rest
from anomaly.experiment import HistoryADConfig, critic_anomaly_scores, train_historyad
from anomaly.settings import RECIPE_SIZES
from gan.cli import ConfigError, command_parser, parse_configs
from gan.device import pick_device
from gan.hardware import hardware_description
from gan.train import TrainConfig


@dataclass
class BenchConfig:
    """What to time."""

    device: str = "auto"
    steps: int = 10
    batch_size: int = 64
    train_images: int = 5000
    test_images: int = 2000
    threads: int = 1
    live: str = ""
    live_classes: str = "1"

    def __post_init__(self) -> None:
        if self.live and self.live not in RECIPE_SIZES:
            raise ConfigError(f"--live must be one of {', '.join(RECIPE_SIZES)}, got {self.live!r}.")

    def classes(self) -> list[int]:
        """The classes of --live-classes (the normal class or the anomaly, as the recipe's split says)."""
        return list(range(10)) if self.live_classes == "all" else [int(c) for c in self.live_classes.split(",")]


HELP = {
    "device": "torch device for HistoryAD: auto, cpu, cuda, mps (PyOD baselines run where PyOD puts them)",
    "steps": "steps of each HistoryAD phase to time",
    "batch_size": "images per batch of both HistoryAD phases",
    "train_images": "normal Fashion-MNIST images (HistoryAD epoch size, baselines' fit set)",
    "test_images": "test images to score",
    "threads": "torch CPU threads (of the live run too)",
    "live": f"time the tab's live run with this recipe ({', '.join(RECIPE_SIZES)}) instead; empty: the speed table",
    "live_classes": "Fashion-MNIST classes for --live in turn (normal or held out, as its recipe says): 1,3 or all",
}


def live_table(config: BenchConfig) -> None:
    """Time the tab's live run (defaults of the recipe) per class of --live-classes: seconds and the final AUROC."""
    from anomaly.live import LiveSession, LiveSettings

    device = pick_device(config.device)
    print(f"{hardware_description(device)}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start")
    print(
        "| class | split | recipe | torch threads | seconds | CPU seconds | AUROC | AUPRC (chance) |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    for chosen in config.classes():
        started, cpu = time.perf_counter(), time.process_time()
        settings = LiveSettings(chosen, config.live)
        split = settings.data_split()
        session = LiveSession(device=device, threads=config.threads)
        final = list(session.train(split, settings.live_recipe()))[-1]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        role = "normal" if settings.one_class else "anomaly"
        print(
            f"| {chosen} ({split.class_names[chosen]}) | {role} | {config.live} | {config.threads} | {seconds:.1f} | "
            f"{cpu:.1f} | {final.metrics.auroc:.3f} | {final.metrics.auprc:.3f} ({final.metrics.anomaly_share:.2f}) |",
            flush=True,
        )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


def speed_table(config: BenchConfig) -> None:
    """Time both HistoryAD phases, scoring, and the baselines' fit and scoring."""
    device = pick_device(config.device)
    split = one_vs_rest("fashion-mnist", 0, train_limit=config.train_images, test_limit=config.test_images)
    historyad = HistoryADConfig(snapshot_every=1, alpha=0.0, dtv_steps=config.steps, memory_limit_mb=256.0)
    with tempfile.TemporaryDirectory(prefix="bench-anomaly-") as run_dir:
        train_config = TrainConfig(
            run_dir=run_dir,
            steps=config.steps,
            batch_size=config.batch_size,
            device=str(device),
            resume=False,
            progress=False,
        )
        trained = train_historyad(split, historyad, train_config)
    n_train, test = len(split.train), split.test_tensor()
    gan_epoch = trained.seconds["gan"] / config.steps * trained.steps_per_epoch
    dtv_epoch = trained.seconds["dtv"] / config.steps * n_train / config.batch_size
    rows = []
    started = time.perf_counter()
    trained.model.score(test)
    rows.append(
        (
            "historyad (−D_TV)",
            f"{gan_epoch:.1f} s/epoch WGAN-GP + {dtv_epoch:.1f} s/epoch D_TV",
            len(test) / (time.perf_counter() - started),
        )
    )
    started = time.perf_counter()
    critic_anomaly_scores(trained.last_critic, test)
    rows.append(("wgan-critic-last", f"{gan_epoch:.1f} s/epoch WGAN-GP", len(test) / (time.perf_counter() - started)))
    normal_rows, test_rows = split.normal_tensor().reshape(n_train, -1).numpy(), test.reshape(len(test), -1).numpy()
    for name, baseline in BASELINES.items():
        started = time.perf_counter()
        detector = baseline.fit(normal_rows, seed=0)
        fit = time.perf_counter() - started
        started = time.perf_counter()
        detector.decision_function(test_rows)
        rows.append((name, f"{fit:.1f} s fit on {n_train} images", len(test) / (time.perf_counter() - started)))
    print(
        f"{hardware_description(device)}; {n_train} normal training images, {len(test)} test images, 32x32 gray, DCGAN "
        f"width {historyad.base_channels}, batch {config.batch_size}"
    )
    print("| method | training | scoring (images/s) |\n|---|---|---|")
    for name, training, speed in rows:
        print(f"| {name} | {training} | {speed:,.0f} |")


def main(argv: Sequence[str] | None = None) -> None:
    """Time everything and print the table."""
    parser = command_parser("python -m bench.anomaly", __doc__, (BenchConfig, HELP), print_config=False)
    config, _ = parse_configs(parser, argv, BenchConfig)
    torch.set_num_threads(config.threads)
    if config.live:
        live_table(config)
    else:
        speed_table(config)


if __name__ == "__main__":
    main()
