"""Normal-vs-anomalous splits built on the data registry (`gan.data.load_dataset`).

Four protocols, one shape (`AnomalySplit`): one class held out (`one_vs_rest`), a group of classes
normal (`class_split`), another dataset as the anomalies (`cross_dataset`), and the protocol of
Fence-GAN (Ngo et al. 2019, `fence_gan_split`). Images stay uint8 (N, C, H, W) in the model's format:
`channels`, the content at `content_size`, zero-padded to `image_size` (MNIST and Fashion-MNIST: 28
padded to 32, as the DCGAN wants). Labels are 1 for anomalous, 0 for normal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from torch import Tensor

from gan.data import DATASETS, FOLDER_PREFIX, DataError, ImageSet, load_dataset, pad_to, to_unit_range

MODEL_SIZE = 32  # side of the DCGAN's input; larger datasets are resized down to it
PROTOCOLS = ("ours", "fence-gan")
FENCE_GAN_FRACTIONS = (0.8, 0.15, 0.75)  # normal share trained on, normal share tested, anomalous share tested


def image_format(name: str) -> tuple[int, int]:
    """(channels, content size) a dataset is modelled at: its own, capped at MODEL_SIZE; folders are RGB."""
    first = name.split("+", 1)[0]
    if first.startswith(FOLDER_PREFIX):
        return 3, MODEL_SIZE
    if first not in DATASETS:
        raise DataError(
            f"Unknown dataset {first!r}; choose one of {', '.join(sorted(DATASETS))} or {FOLDER_PREFIX}PATH."
        )
    info = DATASETS[first]
    return info.channels, min(info.size, MODEL_SIZE)


def short_name(name: str) -> str:
    """A dataset name fit for folder names: `folder:/data/tiny-imagenet-200/val` -> `folder-val`."""
    return f"folder-{name.rstrip('/').rsplit('/', 1)[-1]}" if name.startswith(FOLDER_PREFIX) else name


def to_model_format(images: Tensor, channels: int, content_size: int, image_size: int = MODEL_SIZE) -> Tensor:
    """uint8 images of any channels and size -> uint8 (N, channels, image_size, image_size), as training data."""
    if images.shape[1] == 3 and channels == 1:
        weights = torch.tensor([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1)
        images = (images.float() * weights).sum(dim=1, keepdim=True).round().clamp(0, 255).to(torch.uint8)
    elif images.shape[1] == 1 and channels == 3:
        images = images.repeat(1, 3, 1, 1)
    if tuple(images.shape[-2:]) != (content_size, content_size):
        chunks = [
            F.interpolate(
                chunk.float(), size=(content_size, content_size), mode="bilinear", antialias=True, align_corners=False
            )
            .round()
            .clamp(0, 255)
            .to(torch.uint8)
            for chunk in images.split(4096)
        ]
        images = torch.cat(chunks) if chunks else images.new_empty(0, channels, content_size, content_size)
    return pad_to(images, image_size) if content_size < image_size else images


@dataclass
class AnomalySplit:
    """Normal training images, labelled validation and test images (1 = anomalous), in the model's format."""

    name: str
    dataset: str
    train: ImageSet
    val_images: Tensor
    val_labels: Tensor
    test_images: Tensor
    test_labels: Tensor
    channels: int
    content_size: int
    image_size: int
    class_names: tuple[str, ...]
    normal_classes: tuple[int, ...]
    anomalous_class: int = -1
    anomaly_dataset: str = ""
    protocol: str = "ours"

    def normal_tensor(self) -> Tensor:
        """The normal training images as float32 in [-1, 1]."""
        return to_unit_range(self.train.images)

    def test_tensor(self) -> Tensor:
        """The test images as float32 in [-1, 1]."""
        return to_unit_range(self.test_images)

    def val_tensor(self) -> Tensor:
        """The validation images as float32 in [-1, 1]."""
        return to_unit_range(self.val_images)

    @property
    def anomaly_share(self) -> float:
        """Share of anomalies among the test images (AUPRC's chance level)."""
        return float(self.test_labels.float().mean()) if len(self.test_labels) else 0.0

    def at_size(self, content_size: int, image_size: int) -> AnomalySplit:
        """The same split with every image's content resized to `content_size` and padded to `image_size`."""
        if (content_size, image_size) == (self.content_size, self.image_size):
            return self
        start = (self.image_size - self.content_size) // 2
        crop = slice(start, start + self.content_size)

        def convert(images: Tensor) -> Tensor:
            return to_model_format(images[..., crop, crop], self.channels, content_size, image_size)

        train = ImageSet(convert(self.train.images), self.train.labels, self.train.classes)
        return replace(
            self,
            train=train,
            val_images=convert(self.val_images),
            test_images=convert(self.test_images),
            content_size=content_size,
            image_size=image_size,
        )


def _limit(n: int, limit: int | None, seed: int) -> Tensor:
    if limit is None or limit >= n:
        return torch.arange(n)
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:limit].sort().values


def _load(name: str, split: str) -> ImageSet:
    return load_dataset(name, split, MODEL_SIZE if name.startswith(FOLDER_PREFIX) else None)


def _labelled(image_set: ImageSet, normal_classes: list[int], limit: int | None, seed: int) -> tuple[ImageSet, Tensor]:
    keep = _limit(len(image_set), limit, seed)
    chosen = image_set.subset(keep)
    return chosen, (~torch.isin(chosen.labels, torch.tensor(normal_classes))).long()


def _split_name(dataset: str, held_out: list[int], normal_classes: list[int], protocol: str) -> str:
    suffix = "-fence-gan" if protocol == "fence-gan" else ""
    if len(held_out) == 1:
        return f"{short_name(dataset)}-{held_out[0]}{suffix}"
    return f"{short_name(dataset)}-normal-{'-'.join(map(str, normal_classes))}{suffix}"


def class_split(
    dataset: str,
    normal_classes: list[int],
    train_limit: int | None = None,
    test_limit: int | None = None,
    seed: int = 0,
) -> AnomalySplit:
    """Train on `normal_classes` of the registry's train split; its val and test splits are labelled, other classes
    anomalous."""
    channels, content = image_format(dataset)
    train = _load(dataset, "train")
    normal = train.subset(torch.isin(train.labels, torch.tensor(normal_classes)))
    normal = normal.subset(_limit(len(normal), train_limit, seed))
    val, val_labels = _labelled(_load(dataset, "val"), normal_classes, test_limit, seed + 3)
    test, test_labels = _labelled(_load(dataset, "test"), normal_classes, test_limit, seed + 1)
    held_out = sorted(set(range(len(train.classes))) - set(normal_classes))
    fmt = lambda images: to_model_format(images, channels, content)  # noqa: E731
    return AnomalySplit(
        _split_name(dataset, held_out, normal_classes, "ours"),
        dataset,
        ImageSet(fmt(normal.images), normal.labels, normal.classes),
        fmt(val.images),
        val_labels,
        fmt(test.images),
        test_labels,
        channels,
        content,
        MODEL_SIZE,
        train.classes,
        tuple(normal_classes),
        held_out[0] if len(held_out) == 1 else -1,
    )


def _check_class(dataset: str, classes: tuple[str, ...], anomalous_class: int) -> None:
    if not 0 <= anomalous_class < len(classes):
        raise DataError(f"{dataset} has classes 0..{len(classes) - 1}, not {anomalous_class}.")


def one_vs_rest(dataset: str, anomalous_class: int, **options) -> AnomalySplit:
    """Hold class `anomalous_class` out of training; it is the anomaly (positive) at test time."""
    classes = _load(dataset, "test").classes
    _check_class(dataset, classes, anomalous_class)
    return class_split(dataset, [c for c in range(len(classes)) if c != anomalous_class], **options)


def fence_gan_parts(labels: Tensor, anomalous_class: int, seed: int = 0) -> dict[str, Tensor]:
    """Indices {train, test, val} of the Fence-GAN protocol over every image of a dataset.

    Shuffled with `seed`: 80 % of the normal images train; 15 % of the normal images and 75 % of the
    anomalous class test; the remaining 5 % and 25 % validate (Ngo et al. 2019, `utils/data.py`).
    """
    rng = torch.Generator().manual_seed(seed)
    normal = (labels != anomalous_class).nonzero().squeeze(1)
    anomalous = (labels == anomalous_class).nonzero().squeeze(1)
    normal, anomalous = (
        normal[torch.randperm(len(normal), generator=rng)],
        anomalous[torch.randperm(len(anomalous), generator=rng)],
    )
    n_train, n_test = int(len(normal) * FENCE_GAN_FRACTIONS[0]), int(len(normal) * FENCE_GAN_FRACTIONS[1])
    a_test = int(len(anomalous) * FENCE_GAN_FRACTIONS[2])
    return {
        "train": normal[:n_train],
        "test": torch.cat([normal[n_train : n_train + n_test], anomalous[:a_test]]),
        "val": torch.cat([normal[n_train + n_test :], anomalous[a_test:]]),
    }


def fence_gan_split(
    dataset: str, anomalous_class: int, train_limit: int | None = None, test_limit: int | None = None, seed: int = 0
) -> AnomalySplit:
    """The Fence-GAN protocol on every image of `dataset` (train, val and test pooled): see `fence_gan_parts`."""
    channels, content = image_format(dataset)
    parts = [_load(dataset, split) for split in ("train", "val", "test")]
    pooled = ImageSet(torch.cat([p.images for p in parts]), torch.cat([p.labels for p in parts]), parts[0].classes)
    _check_class(dataset, pooled.classes, anomalous_class)
    index = fence_gan_parts(pooled.labels, anomalous_class, seed)
    train = pooled.subset(index["train"][_limit(len(index["train"]), train_limit, seed)])
    val, test = (
        pooled.subset(index["val"]),
        pooled.subset(index["test"][_limit(len(index["test"]), test_limit, seed + 1)]),
    )
    fmt = lambda images: to_model_format(images, channels, content)  # noqa: E731
    normal_classes = tuple(c for c in range(len(pooled.classes)) if c != anomalous_class)
    return AnomalySplit(
        _split_name(dataset, [anomalous_class], list(normal_classes), "fence-gan"),
        dataset,
        ImageSet(fmt(train.images), train.labels, train.classes),
        fmt(val.images),
        (val.labels == anomalous_class).long(),
        fmt(test.images),
        (test.labels == anomalous_class).long(),
        channels,
        content,
        MODEL_SIZE,
        pooled.classes,
        normal_classes,
        anomalous_class,
        protocol="fence-gan",
    )


def cross_dataset(
    dataset: str, anomalies: str, train_limit: int | None = None, test_limit: int | None = None, seed: int = 0
) -> AnomalySplit:
    """Train on all of `dataset`; its val/test splits are normal, `anomalies`' val/test splits anomalous (converted
    alike)."""
    channels, content = image_format(dataset)
    train = _load(dataset, "train")
    train = train.subset(_limit(len(train), train_limit, seed))
    fmt = lambda images: to_model_format(images, channels, content)  # noqa: E731

    def labelled(split: str, offset: int) -> tuple[Tensor, Tensor]:
        normal, other = _load(dataset, split), _load(anomalies, split)
        normal_keep, other_keep = (
            _limit(len(normal), test_limit, seed + offset),
            _limit(len(other), test_limit, seed + offset + 1),
        )
        images = torch.cat([fmt(normal.images[normal_keep]), fmt(other.images[other_keep])])
        return images, torch.cat(
            [torch.zeros(len(normal_keep), dtype=torch.long), torch.ones(len(other_keep), dtype=torch.long)]
        )

    val_images, val_labels = labelled("val", 3)
    test_images, test_labels = labelled("test", 1)
    return AnomalySplit(
        f"{short_name(dataset)}-vs-{short_name(anomalies)}",
        dataset,
        ImageSet(fmt(train.images), train.labels, train.classes),
        val_images,
        val_labels,
        test_images,
        test_labels,
        channels,
        content,
        MODEL_SIZE,
        train.classes,
        tuple(range(len(train.classes))),
        anomaly_dataset=anomalies,
    )


def make_split(
    dataset: str,
    anomalous_class: int | None = None,
    normal_classes: list[int] | None = None,
    anomalies: str = "",
    protocol: str = "ours",
    **options,
) -> AnomalySplit:
    """The split a model or a command line names: a held-out class (either protocol), a group of normal classes, or
    another dataset."""
    if protocol not in PROTOCOLS:
        raise DataError(f"Unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}.")
    if anomalies:
        return cross_dataset(dataset, anomalies, **options)
    if anomalous_class is not None and anomalous_class >= 0:
        return (
            fence_gan_split(dataset, anomalous_class, **options)
            if protocol == "fence-gan"
            else one_vs_rest(dataset, anomalous_class, **options)
        )
    if normal_classes:
        return class_split(dataset, list(normal_classes), **options)
    raise DataError("Name the anomaly: a held-out class, the normal classes, or another dataset.")
