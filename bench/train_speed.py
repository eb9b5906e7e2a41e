"""Training throughput of the studio's models through the real training loop, before and after each optimisation.

    python -m bench.train_speed [--steps 20] [--threads 1 2] [--device auto]

Each row runs `gan.train.train` (the loop every training script uses) for a few warm-up steps, then
times `--steps` more on resume, and prints images per second: every image a step consumes, critic
batches included (a WGAN-GP step consumes n_critic + 0 batches; regression one). Images are random
uint8 tensors held like the data registry holds real ones: speed does not depend on their content.
Settings compared: the loop as it was (contiguous memory) and with channels-last memory order, at
each thread count.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from colorgan.models import ChromaGANGenerator
from colorgan.task import ColorizationTask, build_critic
from colorgan.variants import get_variant
from gan.cli import ConfigError, command_parser, parse_configs, require_at_least_one
from gan.data import ImageSet, TensorImages
from gan.hardware import hardware_description
from gan.nets import DCGANCritic, DCGANGenerator
from gan.objectives import make_objective
from gan.task import GanTask, UnconditionalGAN
from gan.train import TrainConfig, effective_n_critic, train


@dataclass(frozen=True)
class Case:
    """One model's training step: how to build its task and what its images look like."""

    name: str
    build: Callable[[], GanTask]
    channels: int
    size: int
    batch_size: int


def colorizer(variant: str, size: int) -> Callable[[], GanTask]:
    """The default colorizer's task (3.4 M-parameter ChromaGAN generator, PatchGAN critic) for `variant`."""

    def build() -> GanTask:
        generator = ChromaGANGenerator(base_channels=32, depth=4, max_channels=256, num_classes=201, train_size=size)
        return ColorizationTask(generator, build_critic(get_variant(variant), 32, 3), get_variant(variant))

    return build


def dcgan(channels: int, size: int, base_channels: int) -> Callable[[], GanTask]:
    """A WGAN-GP DCGAN task: the inpainting prior's (64 px RGB) or HistoryAD's (32 px gray)."""

    def build() -> GanTask:
        generator = DCGANGenerator(100, channels, size, base_channels)
        critic = DCGANCritic(channels, size, base_channels, norm="layer")
        return UnconditionalGAN(generator, critic, make_objective("wgan-gp"), 100)

    return build


CASES = (
    Case("colorizer regression, 32 px", colorizer("regression", 32), 3, 32, 32),
    Case("colorizer regression, 64 px", colorizer("regression", 64), 3, 64, 32),
    Case("colorizer ChromaGAN (WGAN-GP, n_critic 5), 64 px", colorizer("chromagan", 64), 3, 64, 32),
    Case("inpainting prior (DCGAN WGAN-GP), 64 px", dcgan(3, 64, 64), 3, 64, 64),
    Case("HistoryAD WGAN (DCGAN WGAN-GP), 32 px gray", dcgan(1, 32, 64), 1, 32, 64),
)


def images_per_second(case: Case, steps: int, warmup: int, channels_last: bool, device: str) -> float:
    """Images consumed per second by `steps` training steps after `warmup` steps, through the real loop."""
    torch.manual_seed(0)
    count = case.batch_size * 8 * 6
    labels = torch.randint(0, 201, (count,))
    images = ImageSet(
        torch.randint(0, 256, (count, case.channels, case.size, case.size), dtype=torch.uint8),
        labels,
        tuple(map(str, range(201))),
    )
    task = case.build()
    with tempfile.TemporaryDirectory() as run_dir:
        settings = dict(
            run_dir=run_dir, batch_size=case.batch_size, progress=False, channels_last=channels_last, device=device
        )
        settings.update(log_every=10**6, sample_every=10**6, eval_every=10**6, checkpoint_every=10**6)
        train(task, TensorImages(images), TrainConfig(steps=warmup, **settings))
        started = time.perf_counter()
        train(task, TensorImages(images), TrainConfig(steps=warmup + steps, **settings))
        seconds = time.perf_counter() - started
    per_step = case.batch_size * max(effective_n_critic(task, TrainConfig(**settings)), 1)
    return steps * per_step / seconds


@dataclass
class SpeedConfig:
    """How long to time each row, on which device and thread counts."""

    steps: int = 20
    warmup: int = 3
    threads: list[int] = field(default_factory=lambda: [1, 2])
    device: str = "cpu"
    cases: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        require_at_least_one(self, "steps", "warmup")
        if not self.threads or min(self.threads) < 1:
            raise ConfigError("--threads must list thread counts of at least 1.")
        if any(not 0 <= case < len(CASES) for case in self.cases):
            raise ConfigError(f"--cases are row numbers from 0 to {len(CASES) - 1}, got {self.cases}.")


HELP = {
    "steps": "timed generator steps per row",
    "warmup": "untimed steps before the timed ones",
    "threads": "torch CPU thread counts to compare",
    "device": "cpu, cuda, cuda:1 (thread counts matter on the CPU only)",
    "cases": "row numbers to run (empty: all)",
}


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = command_parser("python -m bench.train_speed", __doc__, (SpeedConfig, HELP), print_config=False)
    args, _ = parse_configs(parser, argv, SpeedConfig)
    cases = [CASES[i] for i in args.cases] if args.cases else list(CASES)
    print(f"Device: {hardware_description(torch.device(args.device))}; {args.steps} timed steps per row\n")
    print(
        "| model step | threads | contiguous (images/s) | channels-last (images/s) | speed-up |\n|---|---|---|---|---|"
    )
    for case in cases:
        for threads in args.threads:
            torch.set_num_threads(threads)
            before = images_per_second(case, args.steps, args.warmup, False, args.device)
            after = images_per_second(case, args.steps, args.warmup, True, args.device)
            print(f"| {case.name} | {threads} | {before:.0f} | {after:.0f} | {after / before:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
