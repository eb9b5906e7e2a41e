"""The one adversarial training loop, for every model of the studio.

Per generator step: `n_critic` critic updates (each on a fresh batch), then one generator update
on the last batch. Checkpoint and resume, a tqdm bar, sample grids, a JSONL metrics log, hooks,
and PyTorch DDP when started under `torchrun` (one process per GPU, or gloo on CPUs).

Randomness of step s is a function of (seed, rank, s) alone, drawn from the run's own generator
(never torch's global one), and the data position is derived from the step, so a resumed run
continues exactly where the killed one stopped and concurrent runs do not disturb each other.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import torch
import torch.distributed as dist
from safetensors.torch import load_file
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from tqdm.auto import tqdm

from gan.card import Hardware
from gan.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from gan.cli import ConfigError, require_at_least_one
from gan.device import pick_device
from gan.hardware import hardware_description
from gan.objectives import AdversarialObjective
from gan.plots import plot_metrics
from gan.task import Batch, GanTask

StepHook = Callable[[int, GanTask], None]


@dataclass
class TrainConfig:
    """How long and how to train; saved as `train_config.json` in the run folder."""

    run_dir: str = "runs/default"
    steps: int = 2000
    batch_size: int = 64
    lr_generator: float = 2e-4
    lr_critic: float = 2e-4
    n_critic: int | None = None
    cosine_schedule: bool = False
    log_every: int = 50
    sample_every: int = 500
    eval_every: int = 500
    checkpoint_every: int = 500
    keep_checkpoints: int = 2
    seed: int = 0
    device: str = "auto"
    num_workers: int = 0
    resume: bool = True
    progress: bool = True
    channels_last: bool = True
    select_metric: str = ""

    def __post_init__(self) -> None:
        require_at_least_one(
            self,
            "steps",
            "batch_size",
            "log_every",
            "sample_every",
            "eval_every",
            "checkpoint_every",
            "keep_checkpoints",
        )
        if self.n_critic is not None and self.n_critic < 1:
            raise ConfigError(
                f"--n-critic must be at least 1 (or left out for the objective's default), got {self.n_critic}."
            )
        if not (
            self.lr_generator > 0
            and self.lr_critic > 0
            and math.isfinite(self.lr_generator)
            and math.isfinite(self.lr_critic)
        ):
            raise ConfigError("Learning rates must be positive numbers.")
        if self.num_workers < 0:
            raise ConfigError(f"--num-workers must be 0 or more, got {self.num_workers}.")


TRAIN_HELP = {  # the --help text of every TrainConfig flag, shared by all training scripts
    "run_dir": "folder for checkpoints, sample grids and metrics.jsonl; an existing run resumes",
    "steps": "generator updates in total",
    "batch_size": "images per batch and per process",
    "lr_generator": "Adam/RMSprop learning rate of the generator",
    "lr_critic": "learning rate of the critic",
    "n_critic": (
        "critic updates per generator update (default: the objective's own, 5 for WGAN and WGAN-GP, 1 otherwise)"
    ),
    "cosine_schedule": "decay both learning rates to 0 on a cosine",
    "log_every": "steps between metrics.jsonl lines",
    "sample_every": "steps between sample grids",
    "eval_every": "steps between validation checks (drawn to metrics.png at most once a minute)",
    "checkpoint_every": "steps between checkpoints",
    "keep_checkpoints": "checkpoints kept on disk",
    "seed": "seed of the whole run",
    "device": "auto, cpu, cuda, cuda:1, mps",
    "num_workers": "DataLoader worker processes",
    "resume": "resume from the run's last checkpoint when there is one",
    "progress": "show a progress bar",
    "channels_last": "keep images and weights in channels-last memory order (faster convolutions on CPU and GPU)",
    "select_metric": (
        "validation metric (higher is better) whose best step's generator is kept in <run-dir>/best for export; empty "
        "keeps none"
    ),
}


@dataclass
class TrainResult:
    """Where the run lives and what its last logged metrics were."""

    run_dir: Path
    steps: int
    last_metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class DistributedContext:
    """Rank, world size and device of this process; rank 0 alone writes files."""

    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed(device_name: str) -> DistributedContext:
    """Join the process group when started by torchrun (WORLD_SIZE > 1), else run alone."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    device = pick_device(device_name)
    if world_size > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        if device.type == "cuda":
            torch.cuda.set_device(device)
    rank = dist.get_rank() if dist.is_initialized() else 0
    return DistributedContext(rank=rank, world_size=world_size, device=device)


BEST = "best"
PLOT_SECONDS = 60.0
"""metrics.png is redrawn after an eval at most this often (a 30-panel figure takes seconds to draw), and at the end."""


def training_seconds(run_dir: Path) -> float:
    """Wall-clock seconds of training logged in `run_dir/metrics.jsonl`, summed over every resumed segment."""
    log = Path(run_dir) / "metrics.jsonl"
    total, segment = 0.0, 0.0
    for line in log.read_text().splitlines() if log.exists() else []:
        seconds = json.loads(line).get("seconds")
        if seconds is None:
            continue
        if seconds < segment:
            total += segment
        segment = seconds
    return total + segment


def training_hardware(run_dir: Path, device: torch.device | str, detail: str = "") -> Hardware:
    """For a model card: the hardware each resumed segment of `run_dir` logged at its start, and the hours trained.

    Runs from before segments logged their hardware fall back to `device` as this process sees it.
    """
    log = Path(run_dir) / "metrics.jsonl"
    segments = [json.loads(line).get("hardware") for line in log.read_text().splitlines()] if log.exists() else []
    distinct = list(dict.fromkeys(hardware for hardware in segments if hardware)) or [hardware_description(device)]
    return Hardware(devices=distinct, hours=round(training_seconds(Path(run_dir)) / 3600, 2), detail=detail)


PER_INVOCATION = {
    "run_dir",
    "device",
    "num_workers",
    "resume",
    "progress",
}  # TrainConfig fields of where a command runs, not of the recipe


def run_train_config(fallback: TrainConfig) -> TrainConfig:
    """The TrainConfig the run in `fallback.run_dir` was trained with (its `train_config.json`), else `fallback`.

    The recipe (steps, batch, learning rates, schedule, seed, ...) comes from the run and the PER_INVOCATION
    fields from `fallback`, so an export's model card describes how the run trained, not the export's flags.
    """
    saved = Path(fallback.run_dir) / "train_config.json"
    if not saved.exists():
        return fallback
    recipe = {f.name for f in fields(TrainConfig)} - PER_INVOCATION
    values = {name: value for name, value in json.loads(saved.read_text()).items() if name in recipe}
    values["n_critic"] = values.get("n_critic") or None  # saved as the count used, 0 without a critic
    return replace(fallback, **values)


def keep_if_best(best_dir: Path, step: int, generator: nn.Module, metric: str, metrics: dict[str, float]) -> bool:
    """Save `generator` under `best_dir` when `metrics[metric]` beats every earlier validation; True when it did."""
    if metric not in metrics:
        raise ConfigError(
            f"--select-metric {metric!r} is not a validation metric of this task ({', '.join(sorted(metrics))})."
        )
    record = best_dir / "best.json"
    previous = json.loads(record.read_text())["value"] if record.exists() else -math.inf
    if not metrics[metric] > previous:
        return False
    save_checkpoint(best_dir, step, {"generator": generator}, {}, keep=1)
    record.write_text(json.dumps({"metric": metric, "value": metrics[metric], "step": step}))
    return True


def best_generator_state(run_dir: Path) -> tuple[dict[str, Tensor], dict] | None:
    """(generator weights, {"metric", "value", "step"}) of the best validation step kept by --select-metric, if any."""
    best_dir = Path(run_dir) / BEST
    folder = latest_checkpoint(best_dir)
    if folder is None or not (best_dir / "best.json").exists():
        return None
    return load_file(folder / "generator.safetensors"), json.loads((best_dir / "best.json").read_text())


def effective_n_critic(task: GanTask, config: TrainConfig) -> int:
    """Critic updates per generator update: the flag when given, else the objective's own (0 without a critic)."""
    if task.critic is None:
        return 0
    return config.n_critic or task.objective.n_critic


def make_optimizer(
    objective: AdversarialObjective | None, params: Sequence[nn.Parameter], lr: float
) -> torch.optim.Optimizer:
    """The optimiser the objective's authors used: RMSprop for weight clipping, Adam otherwise (plain Adam with no
    objective)."""
    if objective is None:
        return torch.optim.Adam(params, lr=lr)
    if objective.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.Adam(params, lr=lr, betas=objective.adam_betas)


def cosine_factor(step: int, total: int) -> float:
    """Cosine decay from 1 at step 0 to 0 at `total`."""
    return 0.5 * (1 + math.cos(math.pi * min(step, total) / max(total, 1)))


def to_device(
    batch: Batch | Tensor, device: torch.device, memory_format: torch.memory_format = torch.contiguous_format
) -> Batch:
    """Move every tensor of a batch to `device`, images in `memory_format` (a bare tensor becomes a 1-tuple)."""
    if torch.is_tensor(batch):
        batch = (batch,)
    return tuple(
        (
            item.to(device, non_blocking=True, memory_format=memory_format)
            if item.dim() == 4
            else item.to(device, non_blocking=True)
        )
        if torch.is_tensor(item)
        else item
        for item in batch
    )


def endless_batches(
    dataset: Dataset, batch_size: int, ctx: DistributedContext, seed: int, start_batch: int, num_workers: int
) -> Iterator[Batch]:
    """Shuffled batches epoch after epoch, this rank's shard only, starting at batch `start_batch`."""
    sampler = DistributedSampler(
        dataset, num_replicas=ctx.world_size, rank=ctx.rank, shuffle=True, seed=seed, drop_last=True
    )
    per_epoch = len(sampler) // batch_size
    if per_epoch == 0:
        raise ValueError(f"The dataset has {len(dataset)} items, fewer than one batch of {batch_size} per process.")
    epoch, offset = divmod(start_batch, per_epoch)
    while True:
        sampler.set_epoch(epoch)
        indices = list(sampler)[offset * batch_size :]
        # A private generator: creating the loader must not draw from the global RNG, or a resumed
        # run's step randomness would depend on where the epochs happened to start.
        loader_rng = torch.Generator().manual_seed(_step_seed(seed, ctx.rank, epoch))
        yield from DataLoader(
            dataset,
            batch_size=batch_size,
            sampler=indices,
            drop_last=True,
            num_workers=num_workers,
            generator=loader_rng,
        )
        epoch, offset = epoch + 1, 0


def _step_seed(seed: int, rank: int, step: int) -> int:
    return (seed * 1_000_003 + rank * 7_919 + step) % 2**63


def _wrap(module: nn.Module, ctx: DistributedContext) -> nn.Module:
    if ctx.world_size == 1:
        return module
    device_ids = [ctx.device.index] if ctx.device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=device_ids)


class MetricsLog:
    """Append-only JSONL log of training scalars, one object per line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, record: dict) -> None:
        with open(self.path, "a") as handle:
            handle.write(json.dumps(record) + "\n")


def train(
    task: GanTask,
    dataset: Dataset,
    config: TrainConfig,
    hooks: Sequence[StepHook] = (),
    eval_batch: Batch | None = None,
) -> TrainResult:
    """Train `task` on `dataset` for `config.steps` generator steps, resuming when a checkpoint exists."""
    ctx = init_distributed(config.device)
    run_dir = Path(config.run_dir)
    task.to(ctx.device)
    memory_format = torch.channels_last if config.channels_last else torch.contiguous_format
    task.to(memory_format=memory_format)
    objective = task.objective
    n_critic = effective_n_critic(task, config)
    opt_g = make_optimizer(objective, list(task.generator.parameters()), config.lr_generator)
    modules: dict[str, nn.Module] = {"generator": task.generator}
    optimizers = {"generator": opt_g}
    if task.critic is not None:
        opt_d = make_optimizer(objective, list(task.critic.parameters()), config.lr_critic)
        modules["critic"], optimizers["critic"] = task.critic, opt_d

    start = 0
    checkpoint = latest_checkpoint(run_dir) if config.resume else None
    if checkpoint is not None:
        start = load_checkpoint(checkpoint, modules, optimizers)
    if ctx.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "samples").mkdir(exist_ok=True)
        (run_dir / "train_config.json").write_text(json.dumps({**asdict(config), "n_critic": n_critic}, indent=2))
    log = MetricsLog(run_dir / "metrics.jsonl")
    if ctx.is_main and start < config.steps:
        processes = f"{ctx.world_size} processes of " if ctx.world_size > 1 else ""
        log.write({"step": start, "hardware": processes + hardware_description(ctx.device)})

    generator_ddp = _wrap(task.generator, ctx)
    critic_ddp = _wrap(task.critic, ctx) if task.critic is not None else None
    batches = endless_batches(
        dataset, config.batch_size, ctx, config.seed, start * max(n_critic, 1), config.num_workers
    )
    if eval_batch is not None:
        eval_batch = to_device(eval_batch, ctx.device)
    # The run's own random stream, reseeded from (seed, rank, step) every step: resumes are exact, and
    # runs side by side in one process (the app's live trainings) never draw from each other's.
    rng = torch.Generator(device=ctx.device)
    task.rng = rng
    if objective is not None:
        objective.rng = rng
    bar = tqdm(
        total=config.steps,
        initial=start,
        desc=run_dir.name,
        disable=not (config.progress and ctx.is_main),
        dynamic_ncols=True,
    )
    task.train()
    started, logs = time.perf_counter(), {}
    plotted = -math.inf
    for step in range(start, config.steps):
        rng.manual_seed(_step_seed(config.seed, ctx.rank, step))
        factor = cosine_factor(step, config.steps) if config.cosine_schedule else 1.0
        for name, optimizer in optimizers.items():
            for group in optimizer.param_groups:
                group["lr"] = (config.lr_generator if name == "generator" else config.lr_critic) * factor

        logs_d: dict[str, float] = {}
        for _ in range(n_critic):
            batch = to_device(next(batches), ctx.device, memory_format)
            loss_d, logs_d = task.critic_loss(batch, task.generator, critic_ddp)
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            objective.after_critic_step(task.critic)
            logs_d = {"loss_d": loss_d.item(), **logs_d}
        if n_critic == 0:
            batch = to_device(next(batches), ctx.device, memory_format)

        loss_g, logs_g = task.generator_loss(batch, generator_ddp, task.critic)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()

        done = step + 1
        logs = {"loss_g": loss_g.item(), **logs_d, **logs_g}
        bar.update(1)
        if ctx.is_main:
            for hook in hooks:
                hook(done, task)
            if done % config.log_every == 0 or done == config.steps:
                bar.set_postfix({k: f"{v:.3g}" for k, v in logs.items() if k in ("loss_d", "loss_g")})
                log.write({"step": done, "seconds": round(time.perf_counter() - started, 2), **logs})
            if eval_batch is not None and (done % config.eval_every == 0 or done == config.steps):
                task.eval()
                with torch.no_grad():
                    metrics = task.evaluate(eval_batch)
                task.train()
                logs.update(metrics)
                log.write({"step": done, "eval": metrics})
                if time.perf_counter() - plotted >= PLOT_SECONDS or done == config.steps:
                    plot_metrics(run_dir)
                    plotted = time.perf_counter()
                if config.select_metric:
                    keep_if_best(run_dir / BEST, done, task.generator, config.select_metric, metrics)
            if done % config.sample_every == 0 or done == config.steps:
                from torchvision.utils import save_image  # deferred: torchvision costs the app ~3 s at start-up

                save_image(task.sample_images(batch) * 0.5 + 0.5, run_dir / "samples" / f"step-{done:08d}.png", nrow=8)
        if done % config.checkpoint_every == 0 or done == config.steps:
            if ctx.is_main:
                save_checkpoint(run_dir, done, modules, optimizers, keep=config.keep_checkpoints)
            if ctx.world_size > 1:
                dist.barrier()
    bar.close()
    return TrainResult(run_dir=run_dir, steps=config.steps, last_metrics=logs)
