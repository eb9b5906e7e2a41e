"""Train the Tiny ImageNet classifier whose features define FID-TIN, and export it.

    python -m training.fid_classifier --steps 5000 --run-dir runs/fid-classifier \
        --weights-out weights/fid-tin-classifier

Supervised cross-entropy on Tiny ImageNet 200's train split (random flips and 4-pixel shifts),
accuracy watched on its val split, top-1 accuracy on the test split (the official validation set)
written into the model card. Resumes from the run's last checkpoint when started again.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from gan.card import Hardware, ModelCard
from gan.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from gan.cli import ConfigError, command_parser, config_json, parse_configs, require_at_least_one
from gan.data import DataError, ImageSet, describe, load_dataset, to_unit_range
from gan.device import pick_device, seed_everything
from gan.fid import TinyImageNetClassifier
from gan.hardware import hardware_description
from gan.hub import save_model
from gan.plots import plot_metrics
from gan.train import MetricsLog
from training.export import EXPORT_HELP, ExportConfig, publish_export, use_threads


@dataclass
class ClassifierConfig:
    """What and how long to train."""

    data: str = "tiny-imagenet"
    width: int = 16
    steps: int = 5000
    batch_size: int = 64
    lr: float = 0.1
    weight_decay: float = 5e-4
    eval_every: int = 1000
    checkpoint_every: int = 1000
    run_dir: str = "runs/fid-classifier"
    device: str = "auto"
    seed: int = 0

    def __post_init__(self) -> None:
        require_at_least_one(self, "width", "steps", "batch_size", "eval_every", "checkpoint_every")
        if not (self.lr > 0 and math.isfinite(self.lr)) or self.weight_decay < 0:
            raise ConfigError("--lr must be positive and --weight-decay 0 or more.")


HELP = {
    "data": "dataset of the data registry to classify (its classes are the labels)",
    "width": "channels of the first stage (the feature vector has 8× this many)",
    "steps": "SGD steps in total (cosine learning-rate decay over them)",
    "batch_size": "images per step",
    "lr": "peak SGD learning rate (Nesterov momentum 0.9)",
    "weight_decay": "L2 weight decay",
    "eval_every": "steps between accuracy checks on the val split",
    "checkpoint_every": "steps between checkpoints",
    "run_dir": "folder for checkpoints and metrics.jsonl; an existing run resumes",
    "device": "auto, cpu, cuda, cuda:1, mps",
    "seed": "seed of the whole run",
}


def augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random left-right flips and shifts of up to 4 pixels (reflect-padded), per image."""
    flip = torch.rand(images.shape[0], generator=generator) < 0.5
    images = torch.where(flip[:, None, None, None], images.flip(-1), images)
    padded = F.pad(images, (4, 4, 4, 4), mode="reflect")
    dx, dy = torch.randint(0, 9, (2,), generator=generator).tolist()
    return padded[..., dy : dy + images.shape[-2], dx : dx + images.shape[-1]]


@torch.no_grad()
def accuracy(model: TinyImageNetClassifier, images: ImageSet, device: torch.device, batch_size: int = 500) -> float:
    """Top-1 accuracy on `images`."""
    model.eval()
    correct = 0
    for start in range(0, len(images), batch_size):
        batch = to_unit_range(images.images[start : start + batch_size]).to(device)
        correct += (model(batch).argmax(1).cpu() == images.labels[start : start + batch_size]).sum().item()
    model.train()
    return correct / len(images)


def train_classifier(config: ClassifierConfig) -> TinyImageNetClassifier:
    """Train (resuming when the run has a checkpoint) and return the classifier."""
    device = pick_device(config.device)
    seed_everything(config.seed)
    train_set, val_set = load_dataset(config.data, "train"), load_dataset(config.data, "val")
    model = TinyImageNetClassifier(config.width, len(train_set.classes)).to(device)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=config.lr, momentum=0.9, nesterov=True, weight_decay=config.weight_decay
    )
    run_dir = Path(config.run_dir)
    checkpoint = latest_checkpoint(run_dir)
    start = load_checkpoint(checkpoint, {"classifier": model}, {"sgd": optimizer}) if checkpoint else 0
    run_dir.mkdir(parents=True, exist_ok=True)
    log = MetricsLog(run_dir / "metrics.jsonl")
    per_epoch = len(train_set) // config.batch_size
    for step in tqdm(
        range(start, config.steps), initial=start, total=config.steps, desc=run_dir.name, dynamic_ncols=True
    ):
        generator = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
        epoch, position = divmod(step, per_epoch)
        order = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(config.seed + epoch))
        index = order[position * config.batch_size : (position + 1) * config.batch_size]
        images = augment(to_unit_range(train_set.images[index]), generator).to(device)
        for group in optimizer.param_groups:
            group["lr"] = config.lr * 0.5 * (1 + math.cos(math.pi * step / config.steps))
        loss = F.cross_entropy(model(images), train_set.labels[index].to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        done = step + 1
        if done % 100 == 0:
            log.write({"step": done, "loss": loss.item()})
        if done % config.eval_every == 0 or done == config.steps:
            log.write({"step": done, "eval": {"accuracy": accuracy(model, val_set, device)}})
            plot_metrics(run_dir)
        if done % config.checkpoint_every == 0 or done == config.steps:
            save_checkpoint(run_dir, done, {"classifier": model}, {"sgd": optimizer})
    return model.eval()


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    return command_parser(
        "python -m training.fid_classifier", __doc__, (ClassifierConfig, HELP), (ExportConfig, EXPORT_HELP)
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Train, then export with the measured accuracies."""
    parser = build_parser()
    config, output, args = parse_configs(parser, argv, ClassifierConfig, ExportConfig)
    if args.print_config:
        print(config_json(config, output))
        return
    use_threads(output)
    started = time.perf_counter()
    try:
        model = train_classifier(config)
        test_set = load_dataset(config.data, "test")
    except DataError as error:
        parser.error(str(error))
    device = next(model.parameters()).device
    if output.weights_out:
        metrics = {
            "val top-1 accuracy": accuracy(model, load_dataset(config.data, "val"), device),
            "test top-1 accuracy": accuracy(model, test_set, device),
        }
        card = ModelCard(
            name=Path(output.weights_out).name,
            task="the FID-TIN feature network",
            summary=(
                "A small ResNet trained from scratch on Tiny ImageNet 200; its pooled 128-d features define FID-TIN "
                "(Fréchet distance in this network's feature space, not Inception's). Use through "
                "`gan.fid.frechet_distance`."
            ),
            training_data=(
                f"{describe(config.data)}: train split, random flips and shifts; val split watched; test split = the "
                "official validation set."
            ),
            hardware=Hardware([hardware_description(device)], hours=round((time.perf_counter() - started) / 3600, 2)),
            training_config=json.loads(config_json(config)),
            metrics=metrics,
            tags=["fid-tin"],
            license="other",
        )
        folder = save_model(model, Path(output.weights_out), card)
        print(f"Saved {folder}: {metrics}")
        publish_export(folder, output, TinyImageNetClassifier)


if __name__ == "__main__":
    main()
