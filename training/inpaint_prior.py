"""Train the WGAN-GP image prior of inpainting and super-resolution (generator + critic) and export it.

    python -m training.inpaint_prior --dataset utkface --image-size 64 --run-dir runs/inpaint-faces \
        --weights-out weights/inpaint-faces --threads 1
    python -m training.inpaint_prior --dataset fashion-mnist --image-size 32 --run-dir runs/inpaint-fashion-mnist

Data: any name of the data registry (gan.data): `utkface` and `tiny-imagenet` at 64 px, `fashion-mnist`
(28 px, zero-padded into a 32 px frame), `folder:PATH`, ... Images smaller than --image-size are
zero-padded into the frame, larger ones resized to it. The run watches the critic's distance on the
data's val split (never test) and resumes from its last checkpoint when started again with the same
--run-dir; --export-only exports the latest checkpoint while the run goes on.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from gan.card import ModelCard
from gan.checkpoint import CheckpointMismatchError, load_checkpoint
from gan.cli import ConfigError, command_parser, config_json, parse_configs, require_at_least_one
from gan.data import (
    DataError,
    ImageSet,
    TensorImages,
    dataset_names,
    describe,
    load_dataset,
    to_unit_range,
    weights_license,
)
from gan.device import pick_device
from gan.hub import WeightsError, fetch, save_model, warm_start
from gan.nets import init_gan_weights
from gan.objectives import make_objective
from gan.train import (
    TRAIN_HELP,
    TrainConfig,
    effective_n_critic,
    init_distributed,
    run_train_config,
    train,
    training_hardware,
)
from inpaint.prior import InpaintPrior, to_frame
from inpaint.task import PriorTask
from training.export import (
    EXPORT_HELP,
    WARM_START_HELP,
    ExportConfig,
    WarmStartConfig,
    checkpoint_to_export,
    publish_export,
    use_threads,
)


@dataclass
class PriorConfig:
    """What prior to train: data, frame size and network widths, the gradient penalty, what the card measures."""

    dataset: str = "fashion-mnist"
    image_size: int = 32
    latent_dim: int = 100
    generator_channels: int = 64
    critic_channels: int = 64
    gp_weight: float = 10.0
    max_train_images: int = 0
    val_images: int = 512
    test_images: int = 2000
    fid_classifier: str = ""

    def __post_init__(self) -> None:
        if self.image_size < 8 or self.image_size & (self.image_size - 1):
            raise ConfigError(f"--image-size must be a power of two of at least 8 (32, 64), got {self.image_size}.")
        require_at_least_one(self, "latent_dim", "generator_channels", "critic_channels", "val_images")
        for name in ("max_train_images", "test_images"):
            if getattr(self, name) < 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be 0 or more, got {getattr(self, name)}.")
        if not (math.isfinite(self.gp_weight) and self.gp_weight >= 0):
            raise ConfigError(f"--gp-weight must be a finite number of at least 0, got {self.gp_weight}.")


HELP = {
    "dataset": f"dataset of the data registry ({', '.join(dataset_names())}, folder:PATH, or A+B)",
    "image_size": "side of the prior's square frame, a power of two (32, 64); smaller images are zero-padded into it",
    "latent_dim": "dimension of z ~ N(0, I)",
    "generator_channels": "width of the generator's last hidden layer (doubles towards z)",
    "critic_channels": "width of the critic's first layer (doubles with depth)",
    "gp_weight": "weight lambda of the WGAN-GP gradient penalty",
    "max_train_images": "train on N training images drawn at random (seeded; 0: all)",
    "val_images": "images of the val split on which the critic's distance is watched every --eval-every steps",
    "test_images": "test images the exported card measures on (held-out distance, FID-TIN); 0 skips",
    "fid_classifier": (
        "FID-TIN feature network (shipped name, Hub repo id or folder) for the card's FID-TIN; empty skips"
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    return command_parser(
        "python -m training.inpaint_prior",
        __doc__,
        (PriorConfig, HELP),
        (TrainConfig, TRAIN_HELP),
        (WarmStartConfig, WARM_START_HELP),
        (ExportConfig, EXPORT_HELP),
    )


def prepare(config: PriorConfig, split: str) -> tuple[ImageSet, int]:
    """The dataset's split in the prior's frame, and the side of the real content inside it."""
    image_set = load_dataset(config.dataset, split)
    frame, content = to_frame(image_set.images, config.image_size)
    return ImageSet(frame, image_set.labels, image_set.classes), content


def build_prior(config: PriorConfig, channels: int, content: int) -> InpaintPrior:
    """A freshly initialised prior of `config`'s sizes."""
    prior = InpaintPrior(
        config.latent_dim,
        channels,
        config.image_size,
        config.generator_channels,
        config.critic_channels,
        content,
        config.dataset,
    )
    init_gan_weights(prior)
    return prior


@torch.no_grad()
def test_metrics(prior: InpaintPrior, config: PriorConfig, seed: int) -> dict[str, float]:
    """The exported prior measured on held-out test images: the critic's distance, and FID-TIN when asked for."""
    test, _ = prepare(config, "test")
    test = test.sample(config.test_images, seed)
    task = PriorTask(prior.generator, prior.critic, make_objective("wgan-gp"), prior.latent_dim).eval()
    metrics = {f"test {name}": value for name, value in task.evaluate((to_unit_range(test.images),)).items()}
    if config.fid_classifier:
        from gan.fid import TinyImageNetClassifier, frechet_distance

        classifier, _ = fetch(TinyImageNetClassifier, config.fid_classifier)
        z = torch.randn(len(test), prior.latent_dim, generator=torch.Generator().manual_seed(seed))
        fake = torch.cat([prior.generator(chunk) for chunk in z.split(256)])
        fake = ((fake + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
        real = test.images
        if real.shape[1] == 1:
            real, fake = real.repeat(1, 3, 1, 1), fake.repeat(1, 3, 1, 1)
        metrics["FID-TIN (test images vs samples)"] = frechet_distance(real, fake, classifier.eval())
    return metrics


def export(
    task: PriorTask,
    prior: InpaintPrior,
    config: PriorConfig,
    train_config: TrainConfig,
    warm: WarmStartConfig,
    folder: Path,
    n_train: int,
    content: int,
    step: int,
) -> Path:
    """Save the prior with its model card and last sample grid; return the weights folder."""
    device = next(prior.parameters()).device
    prior.cpu().eval()
    metrics = test_metrics(prior, config, train_config.seed) if config.test_images else {}
    n_critic = effective_n_critic(task, train_config)
    card = ModelCard(
        name=folder.name,
        task=f"inpainting and super-resolution prior, a WGAN-GP DCGAN on {config.dataset}",
        summary=(
            "Generator and critic of a WGAN-GP (Gulrajani et al. 2017) trained on uncorrupted images: the image prior "
            "of semantic inpainting and super-resolution by latent search (Yeh et al. 2017; Vitoria, Sintes and "
            "Ballester 2019). One module holds both networks (`generator.*`, `critic.*`): the search needs G for "
            "candidates and D for the prior loss −D(G(z)). Use it with `inpaint.Inpainter`."
        ),
        training_data=(
            f"{describe(config.dataset)}: train split, {n_train} images, content {content}×{content} in a "
            f"{config.image_size}×{config.image_size} frame (zero-padded when smaller). The val split was watched "
            f"during training; the metrics below are on {config.test_images} test images."
        ),
        hardware=training_hardware(Path(train_config.run_dir), device),
        training_config={**json.loads(config_json(config, train_config, warm)), "n_critic": n_critic},
        metrics=metrics,
        notes=(
            f"Step {step} of {train_config.steps}"
            + (f", warm-started from `{warm.init_from}` (its steps not counted)" if warm.init_from else "")
            + f". Critic updates per generator update: {n_critic}. "
            "`samples.png` is the run's last sample grid (fixed latents). The search quality this prior gives is "
            "measured by `python -m evaluation.inpaint` (docs/inpaint.md)."
        ),
        tags=["inpainting", "super-resolution", "wgan-gp", config.dataset],
        license=weights_license(config.dataset),
    )
    save_model(prior, folder, card)
    grids = sorted((Path(train_config.run_dir) / "samples").glob("step-*.png"))
    if grids:
        (folder / "samples.png").write_bytes(grids[-1].read_bytes())
    prior.to(device)
    return folder


def main(argv: Sequence[str] | None = None) -> None:
    """Train (or export), and optionally publish."""
    parser = build_parser()
    config, train_config, warm, output, args = parse_configs(
        parser, argv, PriorConfig, TrainConfig, WarmStartConfig, ExportConfig
    )
    if args.print_config:
        print(config_json(config, train_config, warm, output))
        return
    use_threads(output)
    try:
        train_set, content = prepare(config, "train")
        validation, _ = prepare(config, "val")
    except DataError as error:
        parser.error(str(error))
    if config.max_train_images:
        train_set = train_set.sample(config.max_train_images, train_config.seed)
    if len(train_set) < train_config.batch_size:
        parser.error(
            f"{config.dataset} has {len(train_set)} training images, fewer than one batch of {train_config.batch_size}."
        )
    try:
        pick_device(train_config.device)
    except ValueError as error:
        parser.error(str(error))
    torch.manual_seed(train_config.seed)
    prior = build_prior(config, train_set.images.shape[1], content)
    if warm.init_from:
        try:
            left = warm_start(prior, warm.init_from)
        except WeightsError as error:
            parser.error(f"--init-from: {error}")
        if left:
            parser.error(
                f"--init-from: {warm.init_from} does not fit this prior's sizes ({len(left)} tensors differ, e.g. "
                f"{left[0]})."
            )
    task = PriorTask(
        prior.generator, prior.critic, make_objective("wgan-gp", gp_weight=config.gp_weight), config.latent_dim
    )
    validation = validation.sample(config.val_images, train_config.seed)
    step = train_config.steps
    if warm.export_only:
        try:
            checkpoint = checkpoint_to_export(Path(train_config.run_dir), warm, output)
        except ConfigError as error:
            parser.error(str(error))
        train_config = run_train_config(train_config)
        try:
            step = load_checkpoint(checkpoint, {"generator": prior.generator, "critic": prior.critic}, {})
        except CheckpointMismatchError as error:
            parser.error(f"--export-only: {error}")
    else:
        try:
            train(task, TensorImages(train_set), train_config, eval_batch=(to_unit_range(validation.images),))
        except CheckpointMismatchError as error:
            parser.error(f"--run-dir resumes a run: {error}")
    if output.weights_out and init_distributed(train_config.device).is_main:
        folder = export(
            task, prior, config, train_config, warm, Path(output.weights_out), len(train_set), content, step
        )
        print(f"Saved weights to {folder}")
        publish_export(folder, output, InpaintPrior)


if __name__ == "__main__":
    main()
