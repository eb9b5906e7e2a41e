"""Datasets: the offline ones we can name, torchvision's real ones, and any image folder.

Everything small enough is held in memory as uint8 tensors (N, C, H, W) with int64 labels, and
cached as `.npz` under the data folder after the first decode. The data folder is
`$GAN_STUDIO_DATA`, else `data/` at the repository root (git-ignored).

Offline sources (see ../shared/DATA.md): CIFAR-10 from `cifar10-jpg.tar.gz` (found through
`$CIFAR10_ARCHIVE` or the `shared/data/` folder beside the checkout), Fashion-MNIST from Debian's
`dataset-fashion-mnist`. Online, the same names fall back to torchvision's downloads.
"""
from __future__ import annotations

import gzip
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset

REPO_ROOT = Path(__file__).resolve().parent.parent
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
FASHION_MNIST_DEBIAN = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def data_root() -> Path:
    """Folder where datasets are extracted and cached."""
    return Path(os.environ.get("GAN_STUDIO_DATA", REPO_ROOT / "data"))


@dataclass
class ImageSet:
    """Images as uint8 (N, C, H, W), labels as int64 (N,), and the class names."""

    images: Tensor
    labels: Tensor
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: Tensor) -> "ImageSet":
        """The images where `mask` is true."""
        return ImageSet(self.images[mask], self.labels[mask], self.classes)

    def sample(self, count: int, seed: int = 0) -> "ImageSet":
        """`count` images drawn without replacement by a seeded shuffle (all of them, shuffled, if fewer).

        Dataset files are ordered by class, so a prefix such as `images[:256]` is one class only;
        held-out subsets must be drawn with this instead.
        """
        return self._take(self._order(seed)[:count])

    def split(self, count: int, seed: int = 0) -> tuple["ImageSet", "ImageSet"]:
        """(the rest, `count` images held out): the held-out ones are exactly what `sample` draws."""
        order = self._order(seed)
        return self._take(order[count:].sort().values), self._take(order[:count])

    def _order(self, seed: int) -> Tensor:
        return torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))

    def _take(self, index: Tensor) -> "ImageSet":
        return ImageSet(self.images[index], self.labels[index], self.classes)


class TensorImages(Dataset):
    """An ImageSet as a Dataset of (image in [-1, 1] float32, label)."""

    def __init__(self, image_set: ImageSet) -> None:
        self.image_set = image_set

    def __len__(self) -> int:
        return len(self.image_set)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        return to_unit_range(self.image_set.images[index]), self.image_set.labels[index]


def to_unit_range(images: Tensor) -> Tensor:
    """uint8 [0, 255] -> float32 [-1, 1]."""
    return images.float().div(127.5).sub(1.0)


def _cached(name: str, build) -> ImageSet:
    path = data_root() / "cache" / f"{name}.npz"
    if path.exists():
        arrays = np.load(path, allow_pickle=False)
        return ImageSet(torch.from_numpy(arrays["images"]), torch.from_numpy(arrays["labels"]), tuple(arrays["classes"].tolist()))
    image_set = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, images=image_set.images.numpy(), labels=image_set.labels.numpy(), classes=np.array(image_set.classes))
    os.replace(tmp, path)
    return image_set


def _cifar10_archive() -> Path | None:
    candidates = [os.environ.get("CIFAR10_ARCHIVE"), REPO_ROOT.parent / "shared" / "data" / "cifar10-jpg.tar.gz", REPO_ROOT / "shared" / "data" / "cifar10-jpg.tar.gz"]
    return next((Path(c) for c in candidates if c and Path(c).exists()), None)


def cifar10_folder() -> Path | None:
    """The extracted CIFAR-10 image-folder tree (train/, test/), extracting the archive if needed."""
    root = data_root() / "cifar10"
    if (root / "test").is_dir() and (root / "train").is_dir():
        return root
    archive = _cifar10_archive()
    if archive is None:
        return None
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    return root


def load_image_folder(root: Path, size: int | None = None, grayscale: bool = False) -> ImageSet:
    """Every image under root/<class>/ as one ImageSet; images resized to size x size when given."""
    classes = tuple(sorted(p.name for p in root.iterdir() if p.is_dir()))
    if not classes:
        raise ValueError(f"{root} has no class sub-folders (expected root/<class>/<image>).")
    images, labels = [], []
    for label, name in enumerate(classes):
        for file in sorted((root / name).iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            with Image.open(file) as img:
                img = img.convert("L" if grayscale else "RGB")
                if size is not None and img.size != (size, size):
                    img = img.resize((size, size), Image.Resampling.BICUBIC)
                array = np.asarray(img)
            images.append(array[None] if grayscale else array.transpose(2, 0, 1))
            labels.append(label)
    return ImageSet(torch.from_numpy(np.stack(images)), torch.tensor(labels, dtype=torch.int64), classes)


def load_cifar10(split: str = "train") -> ImageSet:
    """CIFAR-10 (Krizhevsky 2009), 32x32 RGB: offline from the bundled archive, else torchvision."""
    if split not in ("train", "test"):
        raise ValueError("split must be 'train' or 'test'.")

    def build() -> ImageSet:
        folder = cifar10_folder()
        if folder is not None:
            return load_image_folder(folder / split)
        from torchvision.datasets import CIFAR10

        dataset = CIFAR10(str(data_root() / "torchvision"), train=split == "train", download=True)
        images = torch.from_numpy(dataset.data).permute(0, 3, 1, 2).contiguous()
        return ImageSet(images, torch.tensor(dataset.targets, dtype=torch.int64), CIFAR10_CLASSES)

    return _cached(f"cifar10-{split}", build)


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(split: str = "train") -> ImageSet:
    """Fashion-MNIST (Xiao et al. 2017), 28x28 gray: Debian's package offline, else torchvision."""
    prefix = {"train": "train", "test": "t10k"}[split]

    def build() -> ImageSet:
        images_file = FASHION_MNIST_DEBIAN / f"{prefix}-images-idx3-ubyte.gz"
        if images_file.exists():
            images = _read_idx(images_file)
            labels = _read_idx(FASHION_MNIST_DEBIAN / f"{prefix}-labels-idx1-ubyte.gz")
            return ImageSet(torch.from_numpy(images.copy())[:, None], torch.from_numpy(labels.astype(np.int64)), FASHION_MNIST_CLASSES)
        from torchvision.datasets import FashionMNIST

        dataset = FashionMNIST(str(data_root() / "torchvision"), train=split == "train", download=True)
        return ImageSet(dataset.data[:, None].clone(), dataset.targets.clone(), FASHION_MNIST_CLASSES)

    return _cached(f"fashion-mnist-{split}", build)


def pad_to(images: Tensor, size: int) -> Tensor:
    """Zero-pad (N, C, h, w) images symmetrically to size x size (28 -> 32 for the DCGAN)."""
    pad_h, pad_w = size - images.shape[-2], size - images.shape[-1]
    if pad_h < 0 or pad_w < 0:
        raise ValueError(f"Cannot pad {tuple(images.shape[-2:])} down to {size}.")
    return torch.nn.functional.pad(images, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))


DATASETS = {"cifar10": load_cifar10, "fashion-mnist": load_fashion_mnist}


def load_dataset(name: str, split: str = "train") -> ImageSet:
    """A named dataset (see DATASETS) or, for a path, an image folder root/<class>/<image>."""
    if name in DATASETS:
        return DATASETS[name](split)
    root = Path(name)
    if not root.is_dir():
        raise ValueError(f"{name!r} is neither a known dataset ({sorted(DATASETS)}) nor a folder.")
    return load_image_folder(root / split if (root / split).is_dir() else root)
