"""Train a colorization model (ChromaGAN or a compared variant) and export its weights.

    python -m training.colorgan --variant chromagan --steps 20000 --run-dir runs/colorgan-chromagan \
        --weights-out weights/colorgan-chromagan
    torchrun --nproc_per_node 4 -m training.colorgan --variant pix2pix --device cuda   # several GPUs

Data: any name of the data registry (gan.data): by default Tiny ImageNet 200 plus the UTKFace faces
as a 201st class, at 64×64, gray photos left out. Class names feed ChromaGAN's class head. The run
watches the data's val split and resumes from its last checkpoint when started again with the
same --run-dir.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from torch.utils.data import ConcatDataset, Dataset

from colorgan.models import ChromaGANGenerator
from colorgan.quantize import images_prior, in_gamut_bins, rebalancing_weights
from colorgan.task import ColorizationTask, build_critic
from colorgan.variants import VARIANTS, Variant, get_variant
from evaluation.colorize import evaluate_model
from gan.card import ModelCard
from gan.checkpoint import CheckpointMismatchError, load_checkpoint
from gan.cli import ConfigError, command_parser, config_json, parse_configs, require_at_least_one
from gan.data import (
    DataError,
    ImageSet,
    RandomCrops,
    TensorImages,
    dataset_names,
    describe,
    load_dataset,
    to_unit_range,
)
from gan.hub import WeightsError, save_model, warm_start
from gan.train import (
    TRAIN_HELP,
    TrainConfig,
    best_generator_state,
    effective_n_critic,
    init_distributed,
    run_train_config,
    train,
    training_hardware,
)
from training.export import (
    EXPORT_HELP,
    WARM_START_HELP,
    ExportConfig,
    WarmStartConfig,
    checkpoint_to_export,
    publish_export,
    use_threads,
)

PRIOR_IMAGES = 4000  # images per training set whose colours make the ab prior of the rebalanced cross-entropy


@dataclass
class ColorizationConfig:
    """What to train: the method, the data and the network size."""

    variant: str = "chromagan"
    adversarial_weight: float | None = None
    data: str = "tiny-imagenet+utkface"
    extra_data: str = ""
    image_size: int = 64
    max_zoom: float = 1.0
    base_channels: int = 32
    max_channels: int = 256
    depth: int = 4
    global_channels: int = 256
    freeze_trunk: bool = False
    critic_channels: int = 32
    critic_layers: int = 3
    val_images: int = 512
    eval_images: int = 2000

    def __post_init__(self) -> None:
        get_variant(self.variant)
        if self.image_size < 2**self.depth or self.image_size % 2**self.depth:
            raise ConfigError(f"--image-size must be a multiple of 2**depth = {2**self.depth}, got {self.image_size}.")
        require_at_least_one(
            self,
            "base_channels",
            "max_channels",
            "depth",
            "global_channels",
            "critic_channels",
            "critic_layers",
            "val_images",
        )
        if not (1 <= self.max_zoom <= 4):
            raise ConfigError(f"--max-zoom must lie between 1 (no zoom) and 4, got {self.max_zoom}.")
        if self.adversarial_weight is not None and not (0 <= self.adversarial_weight < float("inf")):
            raise ConfigError(
                f"--adversarial-weight must be a finite number of 0 or more, got {self.adversarial_weight}."
            )
        if self.eval_images < 0:
            raise ConfigError(f"--eval-images must be 0 or more, got {self.eval_images}.")


HELP = {
    "variant": f"colorization method: {', '.join(f'{k} ({v.description})' for k, v in VARIANTS.items())}",
    "adversarial_weight": "weight of the adversarial term in the generator loss "
    "(lambda_g; default: the variant's own; 0: no critic is trained)",
    "data": (
        f"dataset of the data registry ({', '.join(dataset_names())}, folder:PATH, or A+B); gray photos are left out"
    ),
    "extra_data": "larger photos trained beside --data as random --image-size crops at their own pixel scale, "
    "with no class (e.g. photos-128: objects at the scale of whole photos predicted at 128 px); empty: none",
    "image_size": "side the photos are resized to for training (a multiple of 2**depth)",
    "max_zoom": (
        "largest random zoom-in of a training photo (1: none; 2: views from half its side to all of it, resized to "
        "--image-size), so objects are also seen at the larger pixel size of whole photos predicted at 128 px (on 64 "
        "px data the upsampled views are blurred, and measured worse: README, Results)"
    ),
    "base_channels": "width of the first encoder block",
    "max_channels": "width cap of the deeper encoder blocks",
    "depth": "number of stride-2 encoder blocks",
    "global_channels": "size of the global semantic vector fused into the decoder",
    "freeze_trunk": "train the colour head only (distribution variants, with --init-from): the warm-started encoder, "
    "decoder and class head stay as they are",
    "critic_channels": "width of the first critic block",
    "critic_layers": "PatchGAN layers (3: 70x70 receptive field at 256 px)",
    "val_images": "images of the data's val split scored every --eval-every steps (model selection; never test images)",
    "eval_images": "test images scored at export for the model card (0 skips)",
}


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    return command_parser(
        "python -m training.colorgan",
        __doc__,
        (ColorizationConfig, HELP),
        (TrainConfig, TRAIN_HELP),
        (WarmStartConfig, WARM_START_HELP),
        (ExportConfig, EXPORT_HELP),
    )


def chosen_variant(config: ColorizationConfig) -> Variant:
    """The variant of `config`, with its adversarial weight overridden by --adversarial-weight (0: no critic at all)."""
    variant = get_variant(config.variant)
    if config.adversarial_weight is None:
        return variant
    objective = variant.objective if config.adversarial_weight > 0 else None
    return replace(variant, adversarial_weight=config.adversarial_weight, objective=objective)


def build_generator(config: ColorizationConfig, num_classes: int) -> ChromaGANGenerator:
    """The generator of `config`: a class head if the variant uses one, ab bins if it predicts a distribution."""
    variant = get_variant(config.variant)
    centres = in_gamut_bins() if variant.predicts_distribution else None
    generator = ChromaGANGenerator(
        base_channels=config.base_channels,
        depth=config.depth,
        max_channels=config.max_channels,
        global_channels=config.global_channels,
        num_classes=num_classes if variant.class_weight > 0 else 0,
        train_size=config.image_size,
        ab_bins=0 if centres is None else len(centres),
    )
    if centres is not None:
        generator.ab_centres.copy_(centres)
    return generator


def training_prior(parts: Sequence[ImageSet], centres: torch.Tensor, images: int = PRIOR_IMAGES) -> torch.Tensor:
    """The ab-bin prior of the training data: each part's (a seeded draw of `images`), mixed by the parts' sizes."""
    sizes = torch.tensor([len(part) for part in parts], dtype=torch.float64)
    priors = torch.stack([images_prior(part.sample(images).images, centres) for part in parts])
    return (priors * sizes[:, None]).sum(0) / sizes.sum()


def export(
    task: ColorizationTask,
    config: ColorizationConfig,
    train_config: TrainConfig,
    warm: WarmStartConfig,
    folder: Path,
    step: int,
) -> Path:
    """Save the generator (the asked --export-step's, else the best validation step's when --select-metric kept one),
    evaluated on test images, with its model card.

    `step` is the step of the generator in `task` (the run's last, or the checkpoint --export-only loaded).
    """
    best = None if warm.export_step else best_generator_state(Path(train_config.run_dir))
    selection = (
        f"Step {step} exported (--export-step)."
        if warm.export_step
        else f"Step {step} of {train_config.steps} exported (the latest)."
    )
    if best is not None:
        weights, record = best
        task.generator.load_state_dict(weights)
        selection = (
            f"Exported the step with the best validation {record['metric']} ({record['value']:.4g}): step "
            f"{record['step']} of {train_config.steps}."
        )
    metrics = {}
    if config.eval_images:
        gray = evaluate_model(None, config.data, limit=config.eval_images, size=config.image_size)
        metrics = evaluate_model(task.generator.eval(), config.data, limit=config.eval_images, size=config.image_size)
        metrics["psnr of the gray baseline"] = gray["psnr"]
        metrics["seconds per test image (batched, this machine)"] = metrics.pop("seconds")
    n_critic = effective_n_critic(task, train_config)
    notes = f"{selection} " + (
        f"Critic updates per generator update: {n_critic}."
        if task.critic is not None
        else "No critic: reconstruction only."
    )
    if warm.init_from:
        notes += f" Generator warm-started from `{warm.init_from}`."
    if config.freeze_trunk:
        notes += f" Only the colour head was trained: every other weight is `{warm.init_from}`'s, frozen."
    summary = get_variant(config.variant).description
    if config.adversarial_weight is not None:
        summary += (
            f", here with adversarial weight {config.adversarial_weight:g} in place of the variant's "
            f"{get_variant(config.variant).adversarial_weight:g}"
        )
    card = ModelCard(
        name=folder.name,
        task=f"colorization, {config.variant} variant",
        summary=f"{summary}. Predicts CIE Lab (a, b) from L; use with `colorgan.Colorizer`.",
        training_data=f"{describe(config.data)}; gray photos left out; {config.image_size}×{config.image_size}"
        + (f"; beside it {describe(config.extra_data)}, {config.image_size} px crops" if config.extra_data else "")
        + f". Model selection on the val split; the metrics below are on {config.eval_images} test images.",
        hardware=training_hardware(Path(train_config.run_dir), next(task.generator.parameters()).device),
        training_config=json.loads(config_json(config, train_config, warm)),
        metrics=metrics,
        notes=notes
        + (
            " The training data's terms (Tiny ImageNet: non-commercial research and education; UTKFace: non-commercial "
            "research) carry over to these weights."
        ),
        tags=["image-colorization", config.variant],
        license="other",
    )
    return save_model(task.generator, folder, card)


def main(argv: Sequence[str] | None = None) -> None:
    """Train, export and optionally publish."""
    parser = build_parser()
    config, train_config, warm, output, args = parse_configs(
        parser, argv, ColorizationConfig, TrainConfig, WarmStartConfig, ExportConfig
    )
    if args.print_config:
        print(config_json(config, train_config, warm, output))
        return
    use_threads(output)
    if config.freeze_trunk and not (get_variant(config.variant).predicts_distribution and warm.init_from):
        parser.error("--freeze-trunk trains a distribution variant's colour head on a warm-started trunk; give both.")
    variant = chosen_variant(config)
    try:
        images = load_dataset(config.data, "train", config.image_size).colored()
        validation = (
            load_dataset(config.data, "val", config.image_size)
            .colored()
            .sample(config.val_images, seed=train_config.seed)
        )
    except DataError as error:
        parser.error(str(error))
    dataset: Dataset = TensorImages(images)
    parts = [images]
    if config.extra_data:
        try:
            extra = load_dataset(config.extra_data, "train").colored()
            dataset = ConcatDataset([dataset, RandomCrops(extra, config.image_size, label=-1)])
        except DataError as error:
            parser.error(f"--extra-data: {error}")
        parts.append(extra)
    generator = build_generator(config, len(images.classes) if len(images.classes) > 1 else 0)
    if warm.init_from:
        try:
            fresh = warm_start(generator, warm.init_from)
        except WeightsError as error:
            parser.error(f"--init-from: {error}")
        print(f"Warm-started from {warm.init_from}; initialised afresh: {', '.join(fresh) or 'nothing'}")
    if config.freeze_trunk:
        for name, parameter in generator.named_parameters():
            parameter.requires_grad_(name.startswith("color_head."))
    bin_weights = None
    if variant.predicts_distribution:
        bin_weights = rebalancing_weights(training_prior(parts, generator.ab_centres), generator.ab_centres)
    critic = build_critic(variant, config.critic_channels, config.critic_layers)
    task = ColorizationTask(generator, critic, variant, config.max_zoom, bin_weights)
    eval_batch = (to_unit_range(validation.images), validation.labels)
    step = train_config.steps
    if warm.export_only:
        try:
            checkpoint = checkpoint_to_export(Path(train_config.run_dir), warm, output)
        except ConfigError as error:
            parser.error(str(error))
        train_config = run_train_config(train_config)
        try:
            step = load_checkpoint(checkpoint, {"generator": generator}, {})
        except CheckpointMismatchError as error:
            parser.error(f"--export-only: {error}")
    else:
        try:
            train(task, dataset, train_config, eval_batch=eval_batch)
        except CheckpointMismatchError as error:
            parser.error(f"--run-dir resumes a run: {error}")
    if output.weights_out and init_distributed(train_config.device).is_main:
        folder = export(task, config, train_config, warm, Path(output.weights_out), step)
        print(f"Saved weights to {folder}")
        publish_export(folder, output, ChromaGANGenerator)


if __name__ == "__main__":
    main()
