"""Train the WGAN-GP image prior of the inpainting tab (generator + critic) and save it as one weights folder.

    python -m training.inpaint_prior --dataset fashion-mnist --out weights/inpaint-fashion-mnist
    python -m training.inpaint_prior --dataset cifar10 --out weights/inpaint-cifar10

Offline datasets: fashion-mnist (28x28 gray, zero-padded to 32), cifar10 (32x32 RGB). Online ones
(torchvision downloads): svhn, celeba (center-cropped). Any folder of images (root/<class>/<image>,
or root/train/<class>/<image>) works too. The run folder keeps checkpoints, sample grids and the
metrics log, and a killed run resumes where it stopped.
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from gan.data import ImageSet, TensorImages, data_root, load_dataset, to_unit_range
from gan.device import seed_everything
from gan.hub import ModelCard, publish, save_model
from gan.nets import init_gan_weights
from gan.objectives import make_objective
from gan.task import UnconditionalGAN
from gan.train import TrainConfig, init_distributed, train
from inpaint.prior import InpaintPrior, to_frame

ONLINE_DATASETS = ("svhn", "celeba")


@dataclass
class PriorConfig:
    """What prior to train: data, sizes, and the WGAN-GP schedule."""

    dataset: str = "fashion-mnist"
    image_size: int = 32
    latent_dim: int = 100
    generator_channels: int = 64
    critic_channels: int = 64
    steps: int = 2000
    batch_size: int = 64
    lr: float = 2e-4
    n_critic: int = 5
    gp_weight: float = 10.0
    max_train_images: int = 0
    run_dir: str = "runs/inpaint-fashion-mnist"
    out: str = "weights/inpaint-fashion-mnist"
    seed: int = 0
    device: str = "auto"
    threads: int = 1


def load_online(name: str, split: str, size: int) -> ImageSet:
    """SVHN or CelebA through torchvision's downloads (needs the network), as uint8 size x size."""
    import torchvision
    from torchvision import transforms

    root = str(data_root() / "torchvision")
    if name == "svhn":
        dataset = torchvision.datasets.SVHN(root, split="train" if split == "train" else "test", download=True)
        images = torch.from_numpy(dataset.data)
        return ImageSet(images, torch.from_numpy(dataset.labels.astype("int64")), tuple(str(i) for i in range(10)))
    transform = transforms.Compose([transforms.CenterCrop(140), transforms.Resize(size), transforms.PILToTensor()])
    dataset = torchvision.datasets.CelebA(root, split="train" if split == "train" else "test", download=True, transform=transform)
    images = torch.stack([dataset[i][0] for i in range(len(dataset))])
    return ImageSet(images, torch.zeros(len(images), dtype=torch.int64), ("face",))


def prepare(config: PriorConfig, split: str) -> tuple[ImageSet, int]:
    """The dataset's split in the prior's frame, and the side of the real content inside it."""
    if config.dataset in ONLINE_DATASETS:
        image_set = load_online(config.dataset, split, config.image_size)
    else:
        image_set = load_dataset(config.dataset, split)
    frame, content = to_frame(image_set.images, config.image_size)
    return ImageSet(frame, image_set.labels, image_set.classes), content


@torch.no_grad()
def held_out_distance(prior: InpaintPrior, test: ImageSet, n: int = 2000, seed: int = 1) -> dict[str, float]:
    """Critic's Wasserstein estimate E[D(test)] - E[D(G(z))] and mean scores, on held-out images."""
    generator = torch.Generator().manual_seed(seed)
    index = torch.randperm(len(test), generator=generator)[:n]
    real = to_unit_range(test.images[index])
    z = torch.randn(len(index), prior.latent_dim, generator=generator)
    fake = torch.cat([prior.generator(chunk) for chunk in z.split(256)])
    real_score = torch.cat([prior.critic(chunk) for chunk in real.split(256)]).mean().item()
    fake_score = torch.cat([prior.critic(chunk) for chunk in fake.split(256)]).mean().item()
    return {"heldout_wasserstein_estimate": real_score - fake_score, "critic_mean_real": real_score, "critic_mean_fake": fake_score}


def build_card(config: PriorConfig, metrics: dict[str, float], seconds: float, n_train: int, content: int) -> ModelCard:
    """Model card of a trained prior."""
    return ModelCard(
        title=f"Inpainting prior: WGAN-GP DCGAN on {config.dataset}",
        summary=(
            "Generator and critic of a WGAN-GP (Gulrajani et al. 2017) trained on uncorrupted images; "
            "the image prior of semantic inpainting and super-resolution by latent search "
            "(Yeh et al. 2017; Vitoria, Sintes and Ballester 2019). One module holds both networks "
            "(`generator.*`, `critic.*`): the search needs G for candidates and D for the prior loss -D(G(z))."
        ),
        training_data=(
            f"`{config.dataset}` training split, {n_train} images, content {content}x{content} in a "
            f"{config.image_size}x{config.image_size} frame (zero-padded when smaller). Test split held out."
        ),
        hardware=f"CPU ({platform.processor() or platform.machine()}), {config.threads} thread(s); {seconds / 60:.1f} minutes of training.",
        training_config=asdict(config),
        metrics=metrics,
        notes=(
            "A small DCGAN, far from state-of-the-art: judge its samples in the run's `samples/` grids; "
            "the search quality it gives is measured by `python -m inpaint.evaluate` (see docs/inpaint.md)."
        ),
        tags=["inpainting", "super-resolution", "wgan-gp", config.dataset],
    )


def run(config: PriorConfig, push_to_hub: str | None = None) -> Path:
    """Train, measure on the test split, save weights + card; return the weights folder."""
    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    train_set, content = prepare(config, "train")
    test_set, _ = prepare(config, "test")
    if config.max_train_images:
        train_set = train_set.sample(config.max_train_images, config.seed)
    channels = train_set.images.shape[1]
    prior = InpaintPrior(config.latent_dim, channels, config.image_size, config.generator_channels, config.critic_channels, content, config.dataset)
    init_gan_weights(prior)
    objective = make_objective("wgan-gp", gp_weight=config.gp_weight)
    task = UnconditionalGAN(prior.generator, prior.critic, objective, config.latent_dim)
    train_config = TrainConfig(
        run_dir=config.run_dir, steps=config.steps, batch_size=config.batch_size, lr_generator=config.lr,
        lr_critic=config.lr, n_critic=config.n_critic, sample_every=max(config.steps // 8, 1),
        checkpoint_every=max(config.steps // 8, 1), log_every=25, seed=config.seed, device=config.device,
    )
    started = time.perf_counter()
    train(task, TensorImages(train_set), train_config)
    seconds = time.perf_counter() - started
    if not init_distributed(config.device).is_main:  # under torchrun, rank 0 alone measures and exports
        return Path(config.out)
    prior.cpu().eval()
    metrics = held_out_distance(prior, test_set)
    out = save_model(prior, Path(config.out), build_card(config, metrics, seconds, len(train_set), content))
    (Path(config.run_dir) / "prior_metrics.json").write_text(json.dumps({"seconds": seconds, **metrics}, indent=2))
    if push_to_hub:
        publish(out, push_to_hub, model_cls=InpaintPrior)
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    defaults = PriorConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=defaults.dataset, help="fashion-mnist | cifar10 (offline), svhn | celeba (download), or an image folder")
    parser.add_argument("--image-size", type=int, default=defaults.image_size, help="side of the prior's square frame, a power of two (32, 64)")
    parser.add_argument("--latent-dim", type=int, default=defaults.latent_dim, help="dimension of z ~ N(0, I)")
    parser.add_argument("--generator-channels", type=int, default=defaults.generator_channels, help="width of the generator's last hidden layer")
    parser.add_argument("--critic-channels", type=int, default=defaults.critic_channels, help="width of the critic's first layer")
    parser.add_argument("--steps", type=int, default=defaults.steps, help="generator steps (each after n-critic critic steps)")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="images per batch")
    parser.add_argument("--lr", type=float, default=defaults.lr, help="Adam learning rate of both networks (betas 0.5, 0.9)")
    parser.add_argument("--n-critic", type=int, default=defaults.n_critic, help="critic steps per generator step")
    parser.add_argument("--gp-weight", type=float, default=defaults.gp_weight, help="weight of the WGAN-GP gradient penalty")
    parser.add_argument("--max-train-images", type=int, default=defaults.max_train_images, help="train on N training images drawn at random (seeded; 0: all)")
    parser.add_argument("--run-dir", default=defaults.run_dir, help="folder for checkpoints, samples/ and metrics.jsonl (resumed if present)")
    parser.add_argument("--out", default=defaults.out, help="weights folder to write (config.json + model.safetensors + README.md)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed")
    parser.add_argument("--device", default=defaults.device, help="auto, cpu, cuda, cuda:1, mps")
    parser.add_argument("--threads", type=int, default=defaults.threads, help="torch CPU threads")
    parser.add_argument("--push-to-hub", metavar="REPO", help="also upload the weights folder to this Hub repo (needs a token)")
    parser.add_argument("--print-config", action="store_true", help="print the configuration as JSON and exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Train a prior from the command line."""
    args = vars(parse_args(argv))
    push, show = args.pop("push_to_hub"), args.pop("print_config")
    config = PriorConfig(**args)
    if show:
        print(json.dumps(asdict(config), indent=2))
        return
    print(f"saved {run(config, push)}")


if __name__ == "__main__":
    main()
