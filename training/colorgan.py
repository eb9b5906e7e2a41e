"""Train a colorization model (ChromaGAN or a compared variant) and export its weights.

    python -m training.colorgan --variant chromagan --steps 3000 --weights-out weights/colorgan-chromagan
    torchrun --nproc_per_node 4 -m training.colorgan --variant pix2pix --device cuda   # several GPUs

Data: `cifar10` (the offline archive, else torchvision's download), or any image folder
(root/<class>/<image>, class names feed ChromaGAN's class head; a flat folder trains without it).
The run resumes from its last checkpoint when started again with the same --run-dir.
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from colorgan.evaluate import evaluate_model
from colorgan.models import ChromaGANGenerator
from colorgan.task import ColorizationTask, build_critic
from colorgan.variants import VARIANTS, get_variant
from gan.cli import add_config_arguments, config_from_args, config_json
from gan.data import TensorImages, load_dataset, to_unit_range
from gan.hub import ModelCard, publish, save_model
from gan.train import TrainConfig, init_distributed, train

VALIDATION_IMAGES = 256  # training images held out to watch the run (PSNR, colorfulness every --eval-every steps)


@dataclass
class ColorizationConfig:
    """What to train: the method, the data and the network size."""

    variant: str = "chromagan"
    data: str = "cifar10"
    image_size: int = 32
    base_channels: int = 24
    max_channels: int = 96
    depth: int = 5
    critic_channels: int = 32
    critic_layers: int = 2
    eval_images: int = 2000
    weights_out: str = ""
    push_to_hub: str = ""
    threads: int = 0


HELP = {
    "variant": f"colorization method: {', '.join(f'{k} ({v.description})' for k, v in VARIANTS.items())}",
    "data": "'cifar10' or an image folder (root/<class>/<image> or a flat folder; root/train and root/test used when present)",
    "image_size": "side the photos are resized to for training (a multiple of 2**depth)",
    "base_channels": "width of the first U-Net block",
    "max_channels": "width cap of the deeper U-Net blocks",
    "depth": "number of stride-2 U-Net blocks",
    "critic_channels": "width of the first critic block",
    "critic_layers": "PatchGAN layers (3 gives the 70x70 receptive field at 256 px; 2 suits 32 px)",
    "eval_images": "held-out images scored at the end for the model card (0 skips)",
    "weights_out": "folder to export the trained generator to (config.json + model.safetensors + README.md)",
    "push_to_hub": "Hub repo id (org/name) to publish the exported weights to; needs HF_TOKEN or a login",
    "threads": "torch CPU threads (0 keeps torch's default)",
}
TRAIN_HELP = {
    "run_dir": "folder for checkpoints, sample grids and metrics.jsonl; an existing run resumes",
    "steps": "generator updates in total",
    "batch_size": "images per batch and per process",
    "lr_generator": "Adam/RMSprop learning rate of the generator",
    "lr_critic": "learning rate of the critic",
    "n_critic": "critic updates per generator update (default: the variant's)",
    "cosine_schedule": "decay both learning rates to 0 on a cosine",
    "log_every": "steps between metrics.jsonl lines",
    "sample_every": "steps between sample grids (gray / prediction / truth)",
    "eval_every": f"steps between PSNR and colorfulness checks on {VALIDATION_IMAGES} training images held out for validation",
    "checkpoint_every": "steps between checkpoints",
    "keep_checkpoints": "checkpoints kept on disk",
    "seed": "seed of the whole run",
    "device": "auto, cpu, cuda, cuda:1, mps",
    "num_workers": "DataLoader worker processes",
    "resume": "resume from the run's last checkpoint when there is one",
    "progress": "show a progress bar",
}


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m training.colorgan", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_arguments(parser, ColorizationConfig, HELP)
    add_config_arguments(parser, TrainConfig, TRAIN_HELP)
    parser.add_argument("--print-config", action="store_true", help="print the full configuration as JSON and exit")
    return parser


def build_generator(config: ColorizationConfig, num_classes: int) -> ChromaGANGenerator:
    """The generator of `config`, with a class head when the variant uses one."""
    variant = get_variant(config.variant)
    return ChromaGANGenerator(
        base_channels=config.base_channels,
        depth=config.depth,
        max_channels=config.max_channels,
        num_classes=num_classes if variant.class_weight > 0 else 0,
        train_size=config.image_size,
    )


def export(task: ColorizationTask, config: ColorizationConfig, train_config: TrainConfig, data_name: str, seconds: float) -> Path:
    """Evaluate on held-out images and save the generator with its model card."""
    metrics = evaluate_model(task.generator.eval(), config.data, limit=config.eval_images) if config.eval_images else {}
    device = next(task.generator.parameters()).device
    hardware = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({platform.processor() or platform.machine()}), {torch.get_num_threads()} thread(s)"
    card = ModelCard(
        title=f"GAN Imaging Studio colorization: {config.variant}",
        summary=f"{get_variant(config.variant).description}. Predicts CIE Lab (a, b) from L; use with `colorgan.inference.colorize`.",
        training_data=data_name,
        hardware=f"{hardware}; {seconds / 60:.1f} minutes of training",
        training_config=json.loads(config_json(config, train_config)),
        metrics=metrics,
        tags=["image-colorization", config.variant],
    )
    return save_model(task.generator, Path(config.weights_out), card)


DATA_DESCRIPTIONS = {
    "cifar10": (
        "CIFAR-10 (Krizhevsky 2009) train split, 50 000 real 32x32 photos with 10 class labels, less "
        f"{VALIDATION_IMAGES} held out to watch training; the metrics below are on the test split."
    )
}


def main(argv: Sequence[str] | None = None) -> None:
    """Train, export and optionally publish."""
    args = build_parser().parse_args(argv)
    config, train_config = config_from_args(ColorizationConfig, args), config_from_args(TrainConfig, args)
    if args.print_config:
        print(config_json(config, train_config))
        return
    if config.threads:
        torch.set_num_threads(config.threads)
    variant = get_variant(config.variant)
    images = load_dataset(config.data, "train")
    if images.images.shape[-1] != config.image_size:
        images.images = torch.nn.functional.interpolate(images.images.float(), size=config.image_size, mode="area").round().byte()
    generator = build_generator(config, len(images.classes) if len(images.classes) > 1 else 0)
    task = ColorizationTask(generator, build_critic(variant, config.critic_channels, config.critic_layers), variant)
    if train_config.n_critic is None:
        train_config.n_critic = variant.n_critic
    # Monitor on a validation split of the training data, so that no choice made from the training curves
    # (when to stop, which run to keep) looks at the test split the final metrics come from.
    images, validation = images.split(VALIDATION_IMAGES, train_config.seed)
    eval_batch = (to_unit_range(validation.images), validation.labels)
    started = time.perf_counter()
    train(task, TensorImages(images), train_config, eval_batch=eval_batch)
    if config.weights_out and init_distributed(train_config.device).is_main:
        folder = export(task, config, train_config, DATA_DESCRIPTIONS.get(config.data, f"image folder {config.data}"), time.perf_counter() - started)
        print(f"Saved weights to {folder}")
        if config.push_to_hub:
            publish(folder, config.push_to_hub, model_cls=ChromaGANGenerator)
            print(f"Published to https://huggingface.co/{config.push_to_hub}")


if __name__ == "__main__":
    main()
